import Torch
import TorchNN
import TorchTestSupport
import XCTest

/// `gridSample`/`affineGrid`, `multiLabelMarginLoss`, `tripletMarginWithDistanceLoss`, and the
/// random layers (`rrelu`, alpha dropout, `gumbelSoftmax`) whose training mode the differential
/// suite cannot compare draw for draw: their distributions and gradients are checked here.
final class SpatialAndRandomLayersTests: XCTestCase {
    func leaf(_ shape: [Int], _ g: Generator, lo: Double = -1.2, hi: Double = 1.2) -> Tensor {
        (Tensor.rand(shape, dtype: .float64, generator: g) * (hi - lo) + lo).requiresGrad_()
    }

    func check(_ name: String, _ inputs: [Tensor], second: Bool = false, _ f: @escaping ([Tensor]) -> Tensor) {
        assertGradcheck(name, inputs, second: second, f)
    }

    func testGridSampleGradientsInInputAndGrid() {
        let g = Generator(seed: 31)
        for padding in [GridSamplePadding.zeros, .border, .reflection] {
            for align in [false, true] {
                check("bilinear \(padding) align=\(align)", [leaf([1, 2, 3, 4], g), leaf([1, 2, 3, 2], g)]) {
                    gridSample($0[0], $0[1], paddingMode: padding, alignCorners: align)
                }
                check("bicubic \(padding) align=\(align)", [leaf([1, 1, 4, 3], g), leaf([1, 2, 2, 2], g)]) {
                    gridSample($0[0], $0[1], mode: .bicubic, paddingMode: padding, alignCorners: align)
                }
            }
        }
        check("trilinear reflection", [leaf([1, 2, 2, 3, 2], g), leaf([1, 1, 2, 2, 3], g)]) {
            gridSample($0[0], $0[1], paddingMode: .reflection)
        }
        let grid = leaf([2, 2, 3, 2], g).detach()
        check("nearest (input)", [leaf([2, 1, 3, 3], g)]) { gridSample($0[0], grid, mode: .nearest) }
        check("affine_grid 2-D", [leaf([2, 2, 3], g)], second: true) { affineGrid($0[0], size: [2, 1, 3, 4]) }
        check("affine_grid 3-D aligned", [leaf([1, 3, 4], g)], second: true) {
            affineGrid($0[0], size: [1, 1, 2, 3, 2], alignCorners: true)
        }
    }

    func testTheIdentityTransformReproducesTheInput() {
        let x = Tensor.randn([2, 3, 5, 4], dtype: .float64)
        let theta = Tensor([[1, 0, 0], [0, 1, 0]] as [[Double]], dtype: .float64).unsqueeze(0).expand([2, 2, 3])
        for align in [false, true] {
            let grid = affineGrid(theta, size: x.shape, alignCorners: align)
            let y = gridSample(x, grid, alignCorners: align)
            XCTAssertLessThan((y - x).abs().max().item(), 1e-12)
        }
        // A shift by one pixel to the right reads the left neighbour, zeros at the edge.
        let shift = Tensor([[1, 0, -0.5], [0, 1, 0]] as [[Double]], dtype: .float64).unsqueeze(0)
        let row = Tensor([[[[1, 2, 3, 4]]]] as [[[[Double]]]], dtype: .float64)
        let y = gridSample(row, affineGrid(shift, size: [1, 1, 1, 4]), mode: .nearest)
        XCTAssertEqual(y.toArray(Double.self), [0, 1, 2, 3])
    }

    func testTheNewLossesGradcheck() {
        let g = Generator(seed: 32)
        let target = Tensor([[3, 0, -1, 1], [1, 2, 3, -1]] as [[Int64]])
        check("multilabel_margin_loss", [leaf([2, 4], g)]) { multiLabelMarginLoss($0[0], target) }
        check("multilabel_margin_loss none", [leaf([2, 4], g)]) {
            multiLabelMarginLoss($0[0], target, reduction: .none)
        }
        check("triplet with cosine distance", [leaf([3, 4], g), leaf([3, 4], g), leaf([3, 4], g)], second: true) {
            tripletMarginWithDistanceLoss(
                $0[0], $0[1], $0[2], distance: { (cosineSimilarity($0, $1) * -1.0) + 1.0 }, margin: 0.5, swap: true)
        }
        // The module holds PyTorch's PairwiseDistance child and gives the function's value.
        let criterion = TripletMarginWithDistanceLoss()
        XCTAssertEqual("\(criterion)", "TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)")
        let (a, p, n) = (Tensor.randn([4, 3]), Tensor.randn([4, 3]), Tensor.randn([4, 3]))
        XCTAssertEqual(criterion(a, p, n).item(), tripletMarginLoss(a, p, n).item(), accuracy: 1e-6)
        XCTAssertEqual("\(MultiLabelMarginLoss())", "MultiLabelMarginLoss()")
        XCTAssertEqual(
            MultiLabelMarginLoss(reduction: .sum)(
                Tensor([[0.1, 0.2, 0.4, 0.8]]), Tensor([[3, 0, -1, 1]] as [[Int64]])
            )
            .item(), 0.85, accuracy: 1e-6)
    }

    func testRReLUDrawsItsSlopesInTrainingAndUsesTheirMeanInEvaluation() {
        let g = Generator(seed: 33)
        let x = (Tensor.rand([4000], dtype: .float64, generator: g) * -2.0 - 0.01).requiresGrad_()
        let y = rrelu(x, lower: 0.1, upper: 0.3, training: true, generator: g)
        let slopes = (y / x).detach()
        XCTAssertGreaterThanOrEqual(slopes.min().item(), 0.1)
        XCTAssertLessThanOrEqual(slopes.max().item(), 0.3)
        XCTAssertEqual(slopes.mean().item(), 0.2, accuracy: 0.005)
        XCTAssertGreaterThan(slopes.std().item(), 0.05)  // not one slope for all
        y.sum().backward()
        XCTAssertLessThan((x.grad! - slopes).abs().max().item(), 1e-15)
        let module = RReLU(lower: 0.1, upper: 0.3)
        XCTAssertEqual("\(module)", "RReLU(lower=0.1, upper=0.3)")
        XCTAssertEqual("\(RReLU())", "RReLU(lower=0.125, upper=0.3333333333333333)")
        module.eval()
        XCTAssertEqual(module(Tensor([-1.0, 2.0] as [Double], dtype: .float64)).toArray(Double.self), [-0.2, 2.0])
        // In place, in training: the input holds the result.
        let z = Tensor([-1.0, -2.0, 3.0] as [Double])
        _ = rrelu(z, lower: 0.5, upper: 0.5, training: true, inplace: true)
        XCTAssertEqual(z.toArray(Double.self), [-0.5, -1.0, 3.0])
    }

    func testAlphaDropoutKeepsMeanAndVarianceAndDropsToOneValue() {
        let g = Generator(seed: 34)
        let p = 0.3
        let alpha = 1.7580993408473766
        let a = 1 / ((alpha * alpha * p + 1) * (1 - p)).squareRoot()
        let x = Tensor.randn([40000], dtype: .float64, generator: g)
        let y = alphaDropout(x, p: p, training: true, generator: g)
        let kept = x * a + alpha * a * p
        let dropped = alpha * a * (p - 1)
        let isKept = (y - kept).abs() .< 1e-12
        let isDropped = (y - dropped).abs() .< 1e-12
        XCTAssertEqual(isKept.logicalOr(isDropped).all().item(), 1, "every element is kept or dropped")
        XCTAssertEqual(isDropped.to(.float64).mean().item(), p, accuracy: 0.01)
        XCTAssertEqual(y.mean().item(), 0, accuracy: 0.03)
        XCTAssertEqual(y.std().item(), 1, accuracy: 0.03)
        XCTAssertTrue(alphaDropout(x, p: p, training: false) === x)
        // Feature alpha dropout: whole channels share one draw.
        let f = featureAlphaDropout(Tensor.randn([8, 50, 3, 3], dtype: .float64, generator: g), p: 0.5, training: true)
        let channels = (f - dropped).abs().reshape([8, 50, 9]).lt(Tensor(1e-12)).to(.float64).mean(dims: [2])
        XCTAssertEqual(
            channels.eq(Tensor(0.0)).logicalOr(channels.eq(Tensor(1.0))).all().item(), 1, "one draw per channel")
        XCTAssertEqual("\(AlphaDropout(0.2))", "AlphaDropout(p=0.2, inplace=False)")
        XCTAssertEqual("\(FeatureAlphaDropout(0.3))", "FeatureAlphaDropout(p=0.3, inplace=False)")
        let layer = AlphaDropout(0.5)
        layer.eval()
        XCTAssertEqual(layer(x).toArray(Double.self), x.toArray(Double.self))
    }

    func testGumbelSoftmaxSamplesTheCategoricalAndPassesTheSoftGradient() {
        let g = Generator(seed: 35)
        let logits = Tensor([0.0, 1.0, 2.0] as [Double])
        let probabilities = logits.softmax(dim: 0).toArray(Double.self)
        let draws = 30000
        let hard = gumbelSoftmax(logits.expand([draws, 3]), hard: true, generator: g)
        let frequencies = hard.mean(dims: [0]).toArray(Double.self)
        for k in 0..<3 { XCTAssertEqual(frequencies[k], probabilities[k], accuracy: 0.012) }
        XCTAssertEqual(hard.sum(dims: [1]).eq(Tensor(1.0)).all().item(), 1)
        XCTAssertEqual(hard.eq(Tensor(0.0)).logicalOr(hard.eq(Tensor(1.0))).all().item(), 1, "one-hot")
        // Straight through: the hard sample's gradient is the soft sample's, for the same noise.
        let w = Tensor.randn([5, 3], dtype: .float64)
        let l1 = Tensor.randn([5, 3], dtype: .float64).requiresGrad_()
        let l2 = l1.detach().requiresGrad_()
        (gumbelSoftmax(l1, tau: 0.7, generator: Generator(seed: 7)) * w).sum().backward()
        (gumbelSoftmax(l2, tau: 0.7, hard: true, generator: Generator(seed: 7)) * w).sum().backward()
        XCTAssertLessThan((l1.grad! - l2.grad!).abs().max().item(), 1e-12)
        // Half precision: the noise is drawn in double and rounded once, so no sample is infinite.
        let half = gumbelSoftmax(Tensor.zeros([50000, 4], dtype: .float16), generator: g)
        XCTAssertEqual(half.dtype, .float16)
        XCTAssertEqual(half.isfinite().all().item(), 1)
        let soft = gumbelSoftmax(Tensor.randn([4, 6]), tau: 0.5, dim: 0, generator: g)
        XCTAssertLessThan((soft.sum(dims: [0]) - 1.0).abs().max().item(), 1e-5)
    }
}
