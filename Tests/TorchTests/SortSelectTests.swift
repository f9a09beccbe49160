import XCTest
@testable import Torch
import TorchBase

/// The long-row paths of sorting and selection (radix sort from 1024 elements, sampled selection
/// from 65536) against a host reference: the differential suite's tensors are too small to reach
/// them.
final class SortSelectTests: XCTestCase {
    /// PyTorch's order: NaN above every number, -0.0 equal to 0.0, ties in their original order.
    static func referenceOrder(_ xs: [Double], descending: Bool) -> [Int] {
        Array(xs.indices).sorted { i, j in
            let a = xs[i], b = xs[j]
            if a.isNaN || b.isNaN {
                if a.isNaN && b.isNaN { return i < j }
                return descending ? a.isNaN : b.isNaN
            }
            if a == b { return i < j }
            return descending ? a > b : a < b
        }
    }

    func testRadixSortMatchesAStableReferenceInEveryDType() {
        let g = Generator(seed: 5)
        let n = 3000
        for dtype in [DType.float32, .float64, .int64, .int32, .int16, .int8, .uint8, .bool] {
            var base = (Tensor.randn([n], dtype: .float64, generator: g) * 20).round()
            if dtype.isFloatingPoint {
                // NaNs, ±0 and infinities among repeated values.
                let special = Tensor([Double.nan, -0.0, 0.0, .infinity, -.infinity, .nan])
                base = Tensor.cat([base, special, base.narrow(0, start: 0, length: 100) * -1], dim: 0)
            }
            let x = dtype == .uint8 ? base.abs().to(dtype) : base.to(dtype)
            let values = x.to(.float64).toArray(Double.self)
            for descending in [false, true] {
                let (sorted, indices) = x.sort(dim: 0, descending: descending)
                let want = SortSelectTests.referenceOrder(values, descending: descending)
                XCTAssertEqual(indices.toArray(Int64.self).map(Int.init), want, "\(dtype) descending \(descending)")
                let got = sorted.to(.float64).toArray(Double.self)
                for (k, i) in want.enumerated() {
                    let a = got[k], b = values[i]
                    XCTAssertTrue(a == b || (a.isNaN && b.isNaN), "\(dtype) value \(k): \(a) vs \(b)")
                }
            }
        }
    }

    func testRadixSortRowsOfAMatrix() {
        let x = Tensor.randn([3, 2048], generator: Generator(seed: 9))
        let (values, indices) = x.sort(dim: 1)
        for r in 0..<3 {
            let row = x.select(0, r).to(.float64).toArray(Double.self)
            XCTAssertEqual(
                indices.select(0, r).toArray(Int64.self).map(Int.init),
                SortSelectTests.referenceOrder(row, descending: false))
        }
        XCTAssertTrue(
            values.narrow(1, start: 1, length: 2047).ge(values.narrow(1, start: 0, length: 2047)).all()
                .item(Bool.self))
    }

    /// Median and quantiles of long inputs (the sampled selection) equal the sorted positions,
    /// including inputs that defeat a sample: sorted, reversed, few distinct values, NaNs.
    func testSampledSelectionMatchesTheSortedPositions() {
        let g = Generator(seed: 21)
        let n = 200_001
        let random = Tensor.randn([n], generator: g)
        let inputs: [(String, Tensor)] = [
            ("random", random),
            ("sorted", random.sort(dim: 0).values),
            ("reversed", random.sort(dim: 0, descending: true).values),
            ("three values", (random * 0.7).round().clamp(min: -1.0, max: 1.0)),
            ("constant", Tensor.full([n], 2.5)),
            ("float64", random.to(.float64) * 1e300),
            ("int64", (random * 1000).round().to(.int64)),
        ]
        for (name, x) in inputs {
            let sorted = x.sort(dim: 0).values.to(.float64).toArray(Double.self)
            XCTAssertEqual(x.median().to(.float64).item(), sorted[(n - 1) / 2], name)
            if x.dtype.isFloatingPoint {
                for q in [0.0, 0.1, 0.5, 0.9, 1.0] {
                    let position = q * Double(n - 1)
                    let lo = sorted[Int(position.rounded(.down))], hi = sorted[Int(position.rounded(.up))]
                    let want = lo + (position - position.rounded(.down)) * (hi - lo)
                    let got = x.quantile(q).to(.float64).item()
                    XCTAssertEqual(got, want, accuracy: Swift.abs(want) * 1e-6 + 1e-6, "\(name) q \(q)")
                }
            }
        }
        // NaNs: median is NaN, nanmedian and nanquantile skip them.
        let withNaN = Tensor.where(random .> 1.5, Double.nan, random)
        XCTAssertTrue(withNaN.median().isnan().item(Bool.self))
        let finite = random.maskedSelect(random .<= 1.5).sort(dim: 0).values.toArray(Float.self)
        XCTAssertEqual(withNaN.nanmedian().item(Float.self), finite[(finite.count - 1) / 2])
        XCTAssertEqual(withNaN.nanquantile(1.0).item(Float.self), finite.last!)
    }
}
