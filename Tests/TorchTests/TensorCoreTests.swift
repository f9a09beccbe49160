import XCTest
import Foundation
import Synchronization
@testable import Torch
import TorchBase
@_spi(Kernels) import TorchCPU
import TorchTestSupport

final class CreationTests: XCTestCase {
    func testNestedArraysAndDTypes() {
        let a = Tensor([[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(a.shape, [2, 3]); XCTAssertEqual(a.dtype, .int64)
        XCTAssertEqual(a.toArray(Int.self), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(Tensor([1.5, 2.5]).dtype, .float32)
        XCTAssertEqual(Tensor([1.5, 2.5], dtype: .float64).dtype, .float64)
        XCTAssertEqual(Tensor([Float16(1), Float16(2)]).dtype, .float16)
        XCTAssertEqual(Tensor([true, false]).dtype, .bool)
        XCTAssertEqual(Tensor([Int32(1)]).dtype, .int32)
        let s = Tensor(3.5)
        XCTAssertEqual(s.shape, []); XCTAssertEqual(s.item(), 3.5)
        XCTAssertEqual(Tensor([[Double]]()).shape, [0])
        XCTAssertEqual(Tensor([[], []] as [[Double]]).shape, [2, 0])
    }

    func testFactories() {
        XCTAssertEqual(Tensor.zeros([2, 2]).scalars, [0, 0, 0, 0])
        XCTAssertEqual(Tensor.ones([3], dtype: .int32).toArray(Int32.self), [1, 1, 1])
        XCTAssertEqual(Tensor.full([2], 7).dtype, .int64)
        XCTAssertEqual(Tensor.full([2], 7.5).scalars, [7.5, 7.5])
        XCTAssertEqual(Tensor.arange(5).toArray(Int.self), [0, 1, 2, 3, 4])
        XCTAssertEqual(Tensor.arange(1, 10, step: 3).toArray(Int.self), [1, 4, 7])
        XCTAssertEqual(Tensor.arange(0.0, 1.0, step: 0.25).scalars, [0, 0.25, 0.5, 0.75])
        XCTAssertEqual(Tensor.arange(0.0, 1.0, step: 0.25).dtype, .float32)
        XCTAssertEqual(Tensor.linspace(0, 1, steps: 5).scalars, [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(Tensor.logspace(0, 2, steps: 3, dtype: .float64).scalars, [1, 10, 100])
        XCTAssertEqual(Tensor.eye(2, 3).scalars, [1, 0, 0, 0, 1, 0])
        let t = Tensor.zeros([2, 3], dtype: .int16)
        XCTAssertEqual(Tensor.onesLike(t).dtype, .int16)
        XCTAssertEqual(Tensor.fullLike(t, 4).toArray(Int.self), [4, 4, 4, 4, 4, 4])
        XCTAssertEqual(Tensor.emptyLike(t).shape, [2, 3])
        XCTAssertEqual(Tensor.zerosLike(t, dtype: .float64).dtype, .float64)
    }

    func testWrappingCallerMemory() {
        var freed = false
        let buf = UnsafeMutablePointer<Float>.allocate(capacity: 6)
        for i in 0..<6 { buf[i] = Float(i) }
        do {
            let t = Tensor(wrapping: buf, shape: [2, 3]) {
                freed = true; buf.deallocate()
            }
            t[0, 0] = Tensor(10.0)
            XCTAssertEqual(buf[0], 10)  // zero-copy: the write lands in the caller's memory
            XCTAssertEqual(t.t().contiguous().scalars, [10, 3, 1, 4, 2, 5])
        }
        XCTAssertTrue(freed)
    }

    func testConversionsAcrossAllDTypes() {
        let values: [Double] = [0, 1, -2, 3.75, 100]
        for dt in DType.allCases {
            let t = Tensor(values, dtype: dt)
            XCTAssertEqual(t.dtype, dt)
            let back = t.to(.float64).scalars
            switch dt {
            case .bool: XCTAssertEqual(back, [0, 1, 1, 1, 1])
            case .uint8: XCTAssertEqual(back, [0, 1, 254, 3, 100])
            case .int8, .int16, .int32, .int64: XCTAssertEqual(back, [0, 1, -2, 3, 100])
            default: XCTAssertEqual(back, values, "\(dt)")
            }
        }
        XCTAssertEqual(BFloat16(Float(1.00390625)).floatValue, 1.0)  // ties to even
        XCTAssertEqual(Tensor([1.0, 2.0], dtype: .bfloat16).to(.float32).scalars, [1, 2])
    }

    func testHalfArithmeticComputesInFloat32() {
        let a = Tensor([1.5, 2.25], dtype: .float16), b = Tensor([0.5, 0.25], dtype: .float16)
        let c = a * b + 1
        XCTAssertEqual(c.dtype, .float16)
        XCTAssertEqual(c.scalars, [1.75, 1.5625])
        let bf = Tensor([2.0, 3.0], dtype: .bfloat16)
        XCTAssertEqual((bf + a).dtype, .float32)
        XCTAssertEqual(bf.exp().dtype, .bfloat16)
        XCTAssertEqual(bf.sum().item(), 5)
    }

    func testItemAndScalars() {
        let t = Tensor([[1.5]])
        XCTAssertEqual(t.item(Float.self), 1.5)
        XCTAssertEqual(Tensor([7]).item(Int.self), 7)
        XCTAssertEqual(Tensor([1, 2]).scalars, [1, 2])
    }
}

final class ViewTests: XCTestCase {
    /// Random shapes: every view op agrees with the same op on a contiguous copy, and writes through
    /// the view land in the base.
    func testViewAlgebraProperties() {
        let g = Generator(seed: 7)
        for trial in 0..<60 {
            let rank = 1 + trial % 4
            let shape = (0..<rank).map { _ in 1 + Int(Tensor.randint(0, 4, [1], generator: g).item(Int.self)) }
            let base = Tensor.arange(0, shape.product, dtype: .float64).reshape(shape)
            let perm = Array((0..<rank).reversed())
            let p = base.permute(perm)
            XCTAssertEqual(p.shape, perm.map { shape[$0] })
            XCTAssertEqual(p.contiguous().permute(perm).scalars, base.scalars)  // permute twice = identity
            XCTAssertEqual(p.reshape([-1]).count, base.count)
            // transpose = permute swapping two dims
            if rank >= 2 {
                XCTAssertEqual(
                    base.transpose(0, rank - 1).contiguous().scalars,
                    base.permute([rank - 1] + Array(1..<(rank - 1)) + [0]).contiguous().scalars)
            }
            // flatten/unflatten round trip
            XCTAssertEqual(base.flatten().unflatten(0, shape).shape, shape)
            // narrow of the last dim equals slicing
            let last = shape[rank - 1]
            let nar = base.narrow(-1, start: last - 1, length: 1)
            XCTAssertEqual(nar.shape.last, 1)
            // unsqueeze/squeeze round trip
            XCTAssertEqual(base.unsqueeze(0).squeeze(0).shape, shape)
            // a write through a non-contiguous view is seen in the base
            let v = base.permute(perm)
            let before = base.version
            v.fill_(-1)
            XCTAssertTrue(base.scalars.allSatisfy { $0 == -1 })
            XCTAssertGreaterThan(base.version, before)
        }
    }

    func testViewsShareStorage() {
        let x = Tensor.arange(0, 12, dtype: .float32).reshape([3, 4])
        let v = x[..., 1..<3]
        XCTAssertTrue(v.sharesStorage(with: x))
        XCTAssertFalse(v.isContiguous)
        v += 100
        XCTAssertEqual(x.scalars, [0, 101, 102, 3, 4, 105, 106, 7, 8, 109, 110, 11])
        XCTAssertEqual(x.t().shape, [4, 3])
        XCTAssertEqual(x.mT.strides, [1, 4])
        XCTAssertEqual(x.select(1, -1).scalars, [3, 7, 11])
        XCTAssertEqual(x.diagonal().scalars, [0, 105, 110])
        XCTAssertEqual(x.diagonal(offset: 1).scalars, [101, 106, 11])
        XCTAssertEqual(x.diagonal(offset: -1).scalars, [4, 109])
        XCTAssertEqual(Tensor.arange(6).unfold(0, size: 3, step: 2).toArray(Int.self), [0, 1, 2, 2, 3, 4])
        XCTAssertEqual(x.chunk(2, dim: 1).map { $0.shape }, [[3, 2], [3, 2]])
        XCTAssertEqual(Tensor.arange(7).chunk(3).map { $0.count }, [3, 3, 1])
        XCTAssertEqual(Tensor.arange(7).split(sizes: [2, 5]).map { $0.count }, [2, 5])
        XCTAssertEqual(x.unbind(1).count, 4)
        XCTAssertEqual(x.expand([2, 3, 4]).strides, [0, 4, 1])
        XCTAssertEqual(
            Tensor([1, 2]).unsqueeze(1).expandAs(Tensor.zeros([2, 3])).toArray(Int.self), [1, 1, 1, 2, 2, 2])
        let s = Tensor.arange(10).asStrided([3, 2], [2, 1], storageOffset: 1)
        XCTAssertEqual(s.toArray(Int.self), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(x.view(-1).shape, [12])
        XCTAssertTrue(x.t().reshape([12]).isContiguous)  // reshape copies when it must
        XCTAssertFalse(x.t().reshape([12]).sharesStorage(with: x))
        XCTAssertTrue(x.reshape([2, 6]).sharesStorage(with: x))
    }

    func testContiguityRules() {
        XCTAssertTrue(Layout(shape: [2, 1, 3], strides: [3, 99, 1]).isContiguous)
        XCTAssertFalse(Layout(shape: [2, 3], strides: [1, 2]).isContiguous)
        XCTAssertTrue(Layout(shape: [0, 3], strides: [5, 7]).isContiguous)
        XCTAssertEqual(Layout(shape: [2, 3, 4]).strides, [12, 4, 1])
        XCTAssertEqual(Checks.viewStrides(Layout(shape: [4, 3], strides: [1, 4]), [2, 2, 3]), [2, 1, 4])
        XCTAssertNil(Checks.viewStrides(Layout(shape: [4, 3], strides: [1, 4]), [12]))
    }
}

final class IndexingTests: XCTestCase {
    func testBasicSubscripts() {
        let x = Tensor.arange(0, 24).reshape([2, 3, 4])
        XCTAssertEqual(x[1].shape, [3, 4])
        XCTAssertEqual(x[-1, -1].toArray(Int.self), [20, 21, 22, 23])
        XCTAssertEqual(x[0, 1..<3, 2].toArray(Int.self), [6, 10])
        XCTAssertEqual(x[0, 1...2, 2].toArray(Int.self), [6, 10])
        XCTAssertEqual(x[0, 1..., 0].toArray(Int.self), [4, 8])
        XCTAssertEqual(x[0, ..<1, 0].toArray(Int.self), [0])
        XCTAssertEqual(x[0, ...0, 0].toArray(Int.self), [0])
        XCTAssertEqual(x[TensorIndex.ellipsis, 0].shape, [2, 3])
        XCTAssertEqual(x[0, TensorIndex.newAxis].shape, [1, 3, 4])
        XCTAssertEqual(x[..., 0].shape, [2, 4])  // Swift's ... is Python's :
        XCTAssertEqual(x[0, stride(from: 0, to: 4, by: 2)].shape, [2, 4])
        XCTAssertEqual(x[0, 0, stride(from: 1, to: 4, by: 2)].toArray(Int.self), [1, 3])
        XCTAssertEqual(x[0, 0, TensorIndex.slice(-3, nil, step: 2)].toArray(Int.self), [1, 3])
        XCTAssertEqual(x[0, 0, 10...].count, 0)
    }

    func testSubscriptAssignment() {
        let x = Tensor.zeros([3, 4])
        x[1] = Tensor(5.0)
        x[..., 0] = Tensor([1.0, 2.0, 3.0])
        XCTAssertEqual(x.scalars, [1, 0, 0, 0, 2, 5, 5, 5, 3, 0, 0, 0])
        x[x .> 4] = Tensor(-1.0)
        XCTAssertEqual(x.scalars, [1, 0, 0, 0, 2, -1, -1, -1, 3, 0, 0, 0])
        x[Tensor([0, 2]), Tensor([3, 3])] = Tensor([7.0, 8.0])
        XCTAssertEqual(x[..., 3].scalars, [7, -1, 8])
        let acc = Tensor.zeros([3])
        acc.indexPut_([Tensor([0, 0, 2])], Tensor([1.0, 2.0, 3.0]), accumulate: true)
        XCTAssertEqual(acc.scalars, [3, 0, 3])
    }

    func testMaskedAndWhere() {
        let x = Tensor([[1.0, -2.0], [3.0, -4.0]])
        XCTAssertEqual(x.maskedFill(x .< 0, 0).scalars, [1, 0, 3, 0])
        XCTAssertEqual(Tensor.where(x .> 0, x, 0.0).scalars, [1, 0, 3, 0])
        x.maskedFill_(x .> 2, 9)
        XCTAssertEqual(x.scalars, [1, -2, 9, -4])
        XCTAssertEqual(Tensor([0, 3, 0]).nonzero().toArray(Int.self), [1])
        XCTAssertEqual(Tensor(true).nonzero().shape, [1, 0])
    }
}

final class MathTests: XCTestCase {
    func testInPlaceAndCompound() {
        let x = Tensor([1.0, 2.0, 3.0])
        x += 1; x *= 2; x -= Tensor([1.0, 1.0, 1.0]); x /= 2
        XCTAssertEqual(x.scalars, [1.5, 2.5, 3.5])
        x.exp_().log_()
        XCTAssertEqual(x.scalars[0], 1.5, accuracy: 1e-6)
        x.zero_()
        XCTAssertEqual(x.scalars, [0, 0, 0])
        x.copy_(Tensor([4, 5, 6]))
        XCTAssertEqual(x.scalars, [4, 5, 6])
        x.clamp_(min: 4.5, max: 5.5)
        XCTAssertEqual(x.scalars, [4.5, 5, 5.5])
        let i = Tensor([5, -5])
        i += 2
        XCTAssertEqual(i.toArray(Int.self), [7, -3])
    }

    func testMiscOps() {
        let a = Tensor([1.0, 4.0]), b = Tensor([3.0, 2.0])
        XCTAssertEqual(a.lerp(b, weight: 0.5).scalars, [2, 3])
        XCTAssertEqual(a.clamp(min: 2).scalars, [2, 4])
        XCTAssertEqual(Tensor([7, -7]).div(Tensor([2, 2]), roundingMode: .trunc).toArray(Int.self), [3, -3])
        XCTAssertEqual(Tensor([7, -7]).div(Tensor([2, 2]), roundingMode: .floor).toArray(Int.self), [3, -4])
        XCTAssertEqual(
            Tensor([Double.nan, .infinity, -.infinity, 1], dtype: .float64).nanToNum().scalars,
            [0, Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, 1])
        XCTAssertEqual(Tensor([Double.nan, 1]).isnan().toArray(Bool.self), [true, false])
        XCTAssertEqual(Tensor([Double.infinity, 1]).isinf().toArray(Bool.self), [true, false])
        XCTAssertEqual(Tensor([Double.infinity, 1]).isfinite().toArray(Bool.self), [false, true])
        XCTAssertEqual((Tensor([true, false]) & Tensor([true, true])).toArray(Bool.self), [true, false])
        XCTAssertEqual((~Tensor([true, false])).toArray(Bool.self), [false, true])
        XCTAssertEqual((Tensor([6]) ^ Tensor([3])).toArray(Int.self), [5])
        XCTAssertEqual(Tensor([1, 0]).logicalNot().toArray(Bool.self), [false, true])
        XCTAssertEqual(Tensor([0.0, 1.0]).gelu(approximate: .tanh).scalars[1], 0.841192, accuracy: 1e-5)
        XCTAssertEqual(
            Tensor.addmm(Tensor.ones([2, 2]), Tensor.eye(2), Tensor.eye(2), beta: 2, alpha: 3).scalars, [5, 2, 2, 5])
        XCTAssertEqual(Tensor([1.0, 2.0]).outer(Tensor([3.0, 4.0])).scalars, [3, 4, 6, 8])
        XCTAssertEqual(Tensor([1.0, 2.0]).dot(Tensor([3.0, 4.0])).item(), 11)
        XCTAssertEqual(Tensor.eye(2).mv(Tensor([3.0, 4.0])).scalars, [3, 4])
        XCTAssertEqual(Tensor.ones([2, 2, 3]).bmm(Tensor.ones([2, 3, 1])).scalars, [3, 3, 3, 3])
    }

    func testLargeParallelElementwiseAndReductions() {
        let n = 300_001
        let x = Tensor.arange(0, n, dtype: .float64)
        XCTAssertEqual((x * 2).sum().item(), Double(n) * Double(n - 1))
        XCTAssertEqual(x.amax().item(), Double(n - 1))
        XCTAssertEqual(x.argmax().item(Int.self), n - 1)
        let m = x.reshape([1, n]).expand([3, n])
        XCTAssertEqual(m.sum(dim: 1).scalars, [Double](repeating: Double(n) * Double(n - 1) / 2, count: 3))
        XCTAssertEqual((m + m).sum().item(), 3 * Double(n) * Double(n - 1))
    }
}

final class RandomTests: XCTestCase {
    func testSameSeedSameNumbers() {
        Torch.manualSeed(42)
        let a = Tensor.rand([5]).scalars, b = Tensor.randn([5]).scalars
        Torch.manualSeed(42)
        XCTAssertEqual(Tensor.rand([5]).scalars, a)
        XCTAssertEqual(Tensor.randn([5]).scalars, b)
        Torch.manualSeed(43)
        XCTAssertNotEqual(Tensor.rand([5]).scalars, a)
    }

    func testDistributions() {
        let g = Generator(seed: 1)
        let u = Tensor.rand([100_000], dtype: .float64, generator: g)
        XCTAssertEqual(u.mean().item(), 0.5, accuracy: 0.01)
        XCTAssertTrue(u.amin().item() >= 0 && u.amax().item() < 1)
        let n = Tensor.randn([100_000], dtype: .float64, generator: g)
        XCTAssertEqual(n.mean().item(), 0, accuracy: 0.02)
        XCTAssertEqual(n.std().item(), 1, accuracy: 0.02)
        let nm = Tensor.normal(mean: 3, std: 2, [50_000], dtype: .float64, generator: g)
        XCTAssertEqual(nm.mean().item(), 3, accuracy: 0.05)
        let r = Tensor.randint(-3, 4, [10_000], generator: g)
        XCTAssertEqual(r.amin().item(Int.self), -3); XCTAssertEqual(r.amax().item(Int.self), 3)
        let p = Tensor.randperm(50, generator: g).toArray(Int.self)
        XCTAssertEqual(p.sorted(), Array(0..<50))
        let bern = Tensor.full([20_000], 0.25).bernoulli(generator: g)
        XCTAssertEqual(bern.mean().item(), 0.25, accuracy: 0.02)
        let w = Tensor([0.0, 1.0, 3.0])
        let s = w.multinomial(10_000, replacement: true, generator: g).toArray(Int.self)
        XCTAssertFalse(s.contains(0))
        XCTAssertEqual(Double(s.filter { $0 == 2 }.count) / 10_000, 0.75, accuracy: 0.03)
        let noRep = Tensor.ones([2, 5]).multinomial(5, generator: g)
        for row in noRep.unbind(0) { XCTAssertEqual(Set(row.toArray(Int.self)).count, 5) }
    }

    /// float32 normals (Note [float32 normals]) against Box-Muller in Double over the same Philox
    /// words: the vectorised log and sin/cos keep every value within a few float ulps.
    func testFloat32NormalsAreBoxMullerOfThePhiloxStream() {
        let n = 4099  // not a multiple of 4: the tail block is used in part
        let g = Generator(seed: 77)
        let x = Tensor.randn([n], generator: g).toArray(Float.self)
        XCTAssertEqual(g.stateWords.offset, UInt64((n + 1) / 2), "the stream advances as a double stream would")
        var worst = 0.0
        for b in 0..<((n + 3) / 4) {
            let w = Generator.philox(UInt64(b), 77)
            for pair in 0..<2 {
                let u1 = 1 - Double(w[2 * pair] >> 8) * 0x1p-24, u2 = Double(w[2 * pair + 1] >> 8) * 0x1p-24
                let r = (-2 * Foundation.log(u1)).squareRoot(), t = 2 * Double.pi * u2
                for (j, ref) in [r * Foundation.cos(t), r * Foundation.sin(t)].enumerated() {
                    let i = 4 * b + 2 * pair + j
                    guard i < n else { continue }
                    XCTAssertFalse(x[i].isNaN || x[i].isInfinite)
                    worst = Swift.max(worst, Swift.abs(Double(x[i]) - ref) / Swift.max(1, Swift.abs(ref)))
                }
            }
        }
        XCTAssertLessThan(worst, 2e-6)
        // Its moments.
        let big = Tensor.randn([200_000], generator: g)
        XCTAssertEqual(big.mean().item(), 0, accuracy: 0.01)
        XCTAssertEqual(big.std().item(), 1, accuracy: 0.01)
    }
}

final class PrintingTests: XCTestCase {
    func testFormats() {
        XCTAssertEqual(Tensor([1.0, 2.0]).description, "tensor([1., 2.])")
        XCTAssertEqual(Tensor([0.5, 2.25]).description, "tensor([0.5000, 2.2500])")
        XCTAssertEqual(Tensor([[1, 2], [3, 4]]).description, "tensor([[1, 2],\n        [3, 4]])")
        XCTAssertEqual(Tensor([1.0], dtype: .float64).description, "tensor([1.], dtype: .float64)")
        XCTAssertEqual(Tensor([true, false]).description, "tensor([ True, False])")
        XCTAssertEqual(Tensor(3.5).description, "tensor(3.5000)")
        XCTAssertEqual(Tensor([1e-5, 1.0]).description, "tensor([1.0000e-05, 1.0000e+00])")
        XCTAssertEqual(Tensor([1, 2], dtype: .int32).description, "tensor([1, 2], dtype: .int32)")
        let big = Tensor.arange(0, 2000).description
        XCTAssertEqual(big, "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])")
    }
}
