import XCTest
@testable import Torch
import TorchBase
@testable import TorchNN
import TorchTestSupport
@_spi(Kernels) import TorchCPU

/// The direct stride-1 convolution (Note [Direct convolution]) against the im2col composite, on
/// every kernel path the CPU has.
final class DirectConvolutionTests: XCTestCase {
    override func tearDown() { Torch.backends.cpu.setCapability(Torch.backends.cpu.bestCapability) }

    func testDirectAndComposedConvolutionsAgree() {
        let g = Generator(seed: 47)
        // (in channels, out channels, height, width, kernel, padding (top, bottom, left, right), dilation, bias)
        let cases: [(Int, Int, Int, Int, [Int], [Int], [Int], Bool)] = [
            (64, 64, 20, 64, [3, 3], [1, 1, 1, 1], [1, 1], true),  // rows longer than a block, 64 channels
            (5, 13, 9, 11, [3, 3], [0, 0, 0, 0], [1, 1], false),  // 13 = two blocks of 6 and one channel
            (1, 32, 28, 28, [3, 3], [0, 0, 0, 0], [1, 1], true),  // the MNIST example's first layer
            (3, 7, 6, 3, [3, 3], [1, 1, 1, 1], [1, 1], true),  // narrower than a vector
            (4, 6, 17, 30, [5, 5], [2, 2, 2, 2], [2, 1], false),  // dilated
            (2, 5, 8, 9, [2, 4], [0, 1, 1, 2], [1, 1], true),  // 'same' padding of an even filter: uneven
            (6, 12, 7, 7, [1, 1], [0, 0, 0, 0], [1, 1], true),  // 1x1
            (3, 4, 5, 40, [7, 1], [3, 3, 0, 0], [1, 1], false),
            (2, 3, 3, 4, [3, 3], [4, 4, 4, 4], [1, 1], true),  // padding wider than the filter reaches
            (2, 2, 1, 1, [1, 1], [0, 0, 0, 0], [1, 1], true),  // one pixel
        ]
        for cap in CPUCapability.allCases {
            guard Torch.backends.cpu.setCapability(cap) else { continue }
            for (c, o, h, w, k, p, d, hasBias) in cases {
                let x = Tensor.randn([2, c, h, w], generator: g)
                x[0, 0, h / 2, w / 2].fill_(Float.nan)
                x[1, c - 1, h - 1, w - 1].fill_(Float.infinity)
                let weight = Tensor.randn([o, c] + k, generator: g)
                let bias = hasBias ? Tensor.randn([o], generator: g) : nil
                let what = "conv \(c)->\(o) \(h)x\(w) k\(k) p\(p) d\(d) on \(cap)"
                let direct = x.directConv2d(weight: weight, bias: bias, padding: p, dilation: d)
                XCTAssertNotNil(direct, what)
                // With autograd recording, the composite (im2col and a matrix multiply) runs; the
                // reference is that composite in float64, the float32 sums' rounding growing with
                // their length.
                let composed = conv2d(
                    x.pad([p[2], p[3], p[0], p[1]]).to(.float64), weight.to(.float64).requiresGrad_(),
                    bias?.to(.float64), dilation: SizeSpec(d)
                ).detach().to(.float32)
                let atol = 2e-6 * Double(c * k[0] * k[1])
                let viaConv = Torch.noGrad {
                    conv2d(x.pad([p[2], p[3], p[0], p[1]]), weight, bias, dilation: SizeSpec(d))
                }
                guard let direct else { continue }
                XCTAssertEqual(direct.shape, composed.shape, what)
                assertMatches(direct, composed, what, rtol: 1e-5, atol: atol)
                assertMatches(viaConv, composed, what, rtol: 1e-5, atol: atol)
                XCTAssertTrue(composed.isnan().any().item() == 1 && composed.isinf().any().item() == 1, what)
            }
        }
    }

    func testTheDirectKernelRefusesWhatItCannotTake() {
        let g = Generator(seed: 5)
        let x = Tensor.randn([2, 3, 10, 12], generator: g), w = Tensor.randn([8, 3, 3, 3], generator: g)
        let b = Tensor.randn([8], generator: g)
        // 'same' padding, strides, groups and float64 through the layer: each agrees with the composite.
        let composed = conv2d(x, w.detach().requiresGrad_(), b, padding: .same).detach()
        assertMatches(Torch.noGrad { conv2d(x, w, b, padding: .same) }, composed, "same", rtol: 1e-5, atol: 1e-5)
        XCTAssertNil(x.requiresGrad_().directConv2d(weight: w, bias: b, padding: [1, 1, 1, 1], dilation: [1, 1]))
        XCTAssertNil(
            x.detach().to(.float64).directConv2d(
                weight: w.to(.float64), bias: nil, padding: [1, 1, 1, 1], dilation: [1, 1]))
        XCTAssertNil(
            x.detach().directConv2d(
                weight: Tensor.randn([8, 2, 3, 3]), bias: nil, padding: [0, 0, 0, 0], dilation: [1, 1]))
        // A filter larger than the padded input: no kernel, and conv2d refuses as PyTorch.
        XCTAssertNil(
            x.detach().directConv2d(
                weight: Tensor.randn([1, 3, 11, 3]), bias: nil, padding: [0, 0, 0, 0], dilation: [1, 1]))
        // A non-contiguous input (a channels-last view) gives the same values.
        let cl = x.detach().permute([0, 2, 3, 1]).contiguous().permute([0, 3, 1, 2])
        assertMatches(
            Torch.noGrad { conv2d(cl, w, b, padding: 1) }, Torch.noGrad { conv2d(x.detach(), w, b, padding: 1) },
            "channels-last input", rtol: 0, atol: 0)
    }

    /// With autograd, float32 stride-1 convolutions record one convolution node (the direct kernel
    /// forward, the input's gradient a direct convolution too) and their gradients match the
    /// float64 composite's.
    func testTheConvolutionPrimitiveGivesTheCompositesGradients() {
        let g = Generator(seed: 9)
        // (in, out, height, width, kernel, padding (top, bottom, left, right), dilation)
        let cases: [(Int, Int, Int, Int, [Int], [Int], [Int])] = [
            (32, 64, 13, 26, [3, 3], [0, 0, 0, 0], [1, 1]),  // the MNIST example's second layer
            (5, 13, 9, 20, [3, 3], [1, 1, 1, 1], [1, 1]),
            (3, 7, 8, 11, [2, 4], [0, 1, 1, 2], [1, 1]),
            (4, 6, 12, 17, [3, 3], [2, 1, 2, 0], [2, 1]),
        ]
        for cap in CPUCapability.allCases {
            guard Torch.backends.cpu.setCapability(cap) else { continue }
            for (c, o, h, w, k, p, d) in cases {
                let x = Tensor.randn([2, c, h, w], generator: g).requiresGrad_()
                let weight = Tensor.randn([o, c] + k, generator: g).requiresGrad_()
                let bias = Tensor.randn([o], generator: g).requiresGrad_()
                let what = "conv \(c)->\(o) \(h)x\(w) k\(k) p\(p) d\(d) on \(cap)"
                let y = conv2d(x.pad([p[2], p[3], p[0], p[1]]), weight, bias, dilation: SizeSpec(d))
                let y2 = Tensor.convolution2d(x, weight, bias, padding: p, dilation: d)
                XCTAssertEqual(y2.creator?.name, "ConvolutionBackward0", what)
                let upstream = Tensor.randn(y2.shape, generator: g)
                let grads = Torch.grad(outputs: [(y2 * upstream).sum()], inputs: [x, weight, bias]).map { $0! }
                let (x64, w64, b64) = (
                    x.detach().to(.float64).requiresGrad_(), weight.detach().to(.float64).requiresGrad_(),
                    bias.detach().to(.float64).requiresGrad_()
                )
                let y64 = conv2d(x64.pad([p[2], p[3], p[0], p[1]]), w64, b64, dilation: SizeSpec(d))
                XCTAssertNotEqual(y64.creator?.name, "ConvolutionBackward0", what)
                let refs = Torch.grad(outputs: [(y64 * upstream.to(.float64)).sum()], inputs: [x64, w64, b64])
                    .map { $0!.to(.float32) }
                let atol = 4e-6 * Double(c * k[0] * k[1])
                assertMatches(y2, y64.detach().to(.float32), what, rtol: 1e-5, atol: atol)
                assertMatches(y, y64.detach().to(.float32), what, rtol: 1e-5, atol: atol)
                let (gAtol, sAtol) = (4e-6 * Double(o * k[0] * k[1]), 4e-6 * Double(2 * h * w))
                assertMatches(grads[0], refs[0], what + " input grad", rtol: 1e-5, atol: gAtol)
                assertMatches(grads[1], refs[1], what + " weight grad", rtol: 1e-4, atol: sAtol)
                assertMatches(grads[2], refs[2], what + " bias grad", rtol: 1e-5, atol: sAtol)
            }
        }
    }
}

/// The direct kernel's weight gradient (Note [Direct convolution's weight gradient]) against the
/// float64 composite (im2col and one product) on every kernel path; a non-finite input declines
/// the kernel, and the primitive's gradient then keeps the composite's NaN and infinities.
final class DirectConvolutionWeightGradTests: XCTestCase {
    override func tearDown() { Torch.backends.cpu.setCapability(Torch.backends.cpu.bestCapability) }

    func testTheDirectWeightGradientMatchesTheComposite() {
        let g = Generator(seed: 23)
        // (batch, in, out, height, width, kernel, padding (top, bottom, left, right), dilation)
        let cases: [(Int, Int, Int, Int, Int, [Int], [Int], [Int])] = [
            (3, 32, 64, 14, 26, [3, 3], [0, 0, 0, 0], [1, 1]),  // the MNIST example's second layer, narrower
            (2, 5, 13, 9, 20, [3, 3], [1, 1, 1, 1], [1, 1]),  // 13 = two blocks and one channel
            (2, 3, 7, 8, 11, [2, 4], [0, 1, 1, 2], [1, 1]),  // 8 taps: a partial group of three
            (1, 4, 6, 12, 17, [3, 3], [2, 1, 2, 0], [2, 1]),  // dilated, uneven padding
            (2, 1, 4, 5, 3, [5, 3], [2, 2, 1, 1], [1, 1]),  // narrower than a vector
            (1, 2, 3, 6, 40, [1, 7], [0, 0, 3, 3], [1, 1]),
        ]
        for cap in CPUCapability.allCases {
            guard Torch.backends.cpu.setCapability(cap) else { continue }
            for (n, c, o, h, w, k, p, d) in cases {
                let what = "weight grad \(n)x\(c)->\(o) \(h)x\(w) k\(k) p\(p) d\(d) on \(cap)"
                let x = Tensor.randn([n, c, h, w], generator: g)
                let weight = Tensor.randn([o, c] + k, generator: g)
                let y = Torch.noGrad { Tensor.convolution2d(x, weight, nil, padding: p, dilation: d) }
                let upstream = Tensor.randn(y.shape, generator: g)
                let direct = Torch.noGrad {
                    Tensor.directConvWeightGrad(x, upstream, weight, padding: p, dilation: d)
                }
                XCTAssertNotNil(direct, what)
                guard let direct else { continue }
                let w64 = weight.to(.float64).requiresGrad_()
                let y64 = conv2d(x.pad([p[2], p[3], p[0], p[1]]).to(.float64), w64, nil, dilation: SizeSpec(d))
                let ref = Torch.grad(outputs: [(y64 * upstream.to(.float64)).sum()], inputs: [w64])[0]!
                let atol = 4e-6 * Double(n * y.shape[2] * y.shape[3])
                assertMatches(direct, ref.to(.float32), what, rtol: 1e-5, atol: atol)
                // Recording a graph of the backward (double backward) declines the kernel.
                XCTAssertNil(Tensor.directConvWeightGrad(x, upstream, weight, padding: p, dilation: d), what)
            }
        }
    }

    func testANonFiniteInputTakesTheComposite() {
        let g = Generator(seed: 29)
        let x = Tensor.randn([2, 3, 7, 9], generator: g)
        // An infinity in a column no output reaches with this tap only: the kernel would multiply
        // it by a zero of the padded gradient; a NaN inside.
        x[0, 1, 3, 8].fill_(Float.infinity)
        x[1, 2, 2, 2].fill_(Float.nan)
        let weight = Tensor.randn([4, 3, 3, 3], generator: g)
        let upstream = Tensor.randn([2, 4, 5, 7], generator: g)
        XCTAssertNil(
            Torch.noGrad {
                Tensor.directConvWeightGrad(x, upstream, weight, padding: [0, 0, 0, 0], dilation: [1, 1])
            })
        let w = weight.detach().requiresGrad_()
        let y = Tensor.convolution2d(x, w, nil, padding: [0, 0, 0, 0], dilation: [1, 1])
        let grad = Torch.grad(outputs: [(y * upstream).sum()], inputs: [w])[0]!
        let w64 = weight.to(.float64).requiresGrad_()
        let y64 = conv2d(x.to(.float64), w64, nil)
        let ref = Torch.grad(outputs: [(y64 * upstream.to(.float64)).sum()], inputs: [w64])[0]!.to(.float32)
        XCTAssertTrue(ref.isnan().any().item() == 1, "the reference has NaNs")
        assertMatches(grad, ref, "weight grad with a non-finite input", rtol: 1e-5, atol: 1e-4)
    }
}

/// float32 max pooling picks its windows' first maxima in C (vconv.c, with a straight-line body for
/// 2x2 windows of stride 2), float64 in Swift; the gradient goes to the chosen element, so both
/// gradients must be the same one-hot sums, and name the elements `maxPool2dWithIndices` (the
/// window views' maximum) does: NaN counting as the maximum, the first of equal values winning.
final class MaxPoolIndicesTests: XCTestCase {
    func testFloat32IndicesMatchTheGenericLoop() {
        let g = Generator(seed: 17)
        // Small integers make ties common; NaNs in a few places, two in one window.
        let x = (Tensor.randint(0, 4, [2, 3, 9, 12], generator: g)).to(.float32)
        x[0, 0, 0, 0].fill_(Float.nan)
        x[0, 0, 0, 1].fill_(Float.nan)
        x[1, 2, 4, 5].fill_(Float.nan)
        x[1, 1, 8, 11].fill_(-Float.infinity)
        // (kernel, stride, padding, dilation, ceil mode)
        let cases: [([Int], [Int], [Int], [Int], Bool)] = [
            ([2, 2], [2, 2], [0, 0], [1, 1], false), ([2, 2], [2, 2], [1, 1], [1, 1], true),
            ([3, 3], [1, 1], [1, 1], [1, 1], false), ([2, 3], [1, 2], [0, 1], [2, 1], false),
            ([2, 2], [1, 1], [0, 0], [1, 1], false),
        ]
        for (k, s, p, d, ceil) in cases {
            let what = "max pool k\(k) s\(s) p\(p) d\(d) ceil \(ceil)"
            func pooled(_ t: Tensor) -> (Tensor, Tensor) {
                let leaf = t.detach().requiresGrad_()
                let y = maxPool2d(
                    leaf, kernel: SizeSpec(k), stride: SizeSpec(s), padding: SizeSpec(p), dilation: SizeSpec(d),
                    ceilMode: ceil)
                y.sum().backward()
                return (y.detach(), leaf.grad!)
            }
            let (v32, g32) = pooled(x), (v64, g64) = pooled(x.to(.float64))
            assertMatches(v32, v64.to(.float32), what, rtol: 0, atol: 0)
            assertMatches(g32, g64.to(.float32), what + " gradient", rtol: 0, atol: 0)
            let (_, idx) = maxPool2dWithIndices(
                x, kernel: SizeSpec(k), stride: SizeSpec(s), padding: SizeSpec(p), dilation: SizeSpec(d),
                ceilMode: ceil)
            let hits = Tensor.zeros([2, 3, 9 * 12]).scatterAdd(
                2, idx.flatten(startDim: 2), Tensor.ones(Array(idx.shape.prefix(2)) + [idx.shape[2] * idx.shape[3]]))
            assertMatches(g32, hits.view(x.shape), what + " against the window views' indices", rtol: 0, atol: 0)
        }
    }
}

/// bfloat16 convolutions without autograd run their product on AMX tiles where the CPU has them
/// (Note [bfloat16 GEMM]): im2col copies exactly and the product with the bias is rounded once.
final class BFloat16ConvolutionTests: XCTestCase {
    override func tearDown() { Torch.backends.cpu.setCapability(Torch.backends.cpu.bestCapability) }

    func testBFloat16ConvolutionsMatchAFloat64Reference() {
        let g = Generator(seed: 29)
        let x = Tensor.randn([2, 16, 20, 20], generator: g).to(.bfloat16)
        let w = (Tensor.randn([32, 16, 3, 3], generator: g) * 0.2).to(.bfloat16)
        let b = Tensor.randn([32], generator: g).to(.bfloat16)
        let want = conv2d(x.to(.float64), w.to(.float64), b.to(.float64), padding: 1)
        for cap in CPUCapability.allCases {
            guard Torch.backends.cpu.setCapability(cap) else { continue }
            let before = CPUKernels.amxProducts.load(ordering: .relaxed)
            let y = Torch.noGrad { conv2d(x, w, b, padding: 1) }
            XCTAssertEqual(y.dtype, .bfloat16)
            XCTAssertEqual(
                CPUKernels.amxProducts.load(ordering: .relaxed) - before, CPUKernels.bf16GemmAvailable ? 1 : 0, "\(cap)"
            )
            assertMatches(y.to(.float64), want, "bf16 conv on \(cap)", rtol: 1.0 / 128, atol: 1e-3)
            // With autograd the float32 route runs, and agrees.
            let leaf = x.detach().requiresGrad_()
            let z = conv2d(leaf, w, b, padding: 1)
            assertMatches(
                z.detach().to(.float64), want, "bf16 conv with autograd on \(cap)", rtol: 1.0 / 128, atol: 1e-3)
            z.to(.float32).sum().backward()
            XCTAssertEqual(leaf.grad?.dtype, .bfloat16)
            // The same layer as a module, a Linear layer in bfloat16 too.
            let lin = Linear(144, 64, dtype: .bfloat16)
            let h = Tensor.randn([256, 144], generator: g).to(.bfloat16)
            let ref = h.to(.float64).matmul(lin.weight.to(.float64).t()) + lin.bias!.to(.float64)
            assertMatches(
                Torch.noGrad { lin(h) }.to(.float64), ref, "bf16 linear on \(cap)", rtol: 1.0 / 128, atol: 1e-3)
        }
    }
}
