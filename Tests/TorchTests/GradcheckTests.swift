import XCTest
@testable import Torch
import TorchBase
import TorchTestSupport

/// Every primitive in the registry passes a float64 finite-difference gradcheck on ordinary,
/// broadcast, non-contiguous and size-1 inputs, and gradgradcheck where it has a second derivative.
final class GradcheckTests: XCTestCase {
    typealias Case = (name: String, f: ([Tensor]) -> Tensor, inputs: [Tensor])

    static let g = Generator(seed: 99)

    /// A complex128 leaf whose parts are uniform in [lo, hi).
    static func cleaf(_ shape: [Int], lo: Double = -2, hi: Double = 2) -> Tensor {
        (Tensor.rand(shape + [2], dtype: .float64, generator: g) * (hi - lo) + lo).viewAsComplex().detach()
            .requiresGrad_()
    }
    static func leaf(_ shape: [Int], lo: Double = -2, hi: Double = 2) -> Tensor {
        (Tensor.rand(shape, dtype: .float64, generator: g) * (hi - lo) + lo).requiresGrad_()
    }
    /// A non-contiguous leaf: the transpose of a contiguous one (as a leaf in its own right).
    static func leafT(_ shape: [Int], lo: Double = -2, hi: Double = 2) -> Tensor {
        let base = Tensor.rand(Array(shape.reversed()), dtype: .float64, generator: g) * (hi - lo) + lo
        let t = base.permute(Array((0..<shape.count).reversed()))
        XCTAssertFalse(t.isContiguous || shape.count < 2 && false)
        return t.requiresGrad_()
    }

    static func unaryCases(_ op: String) -> [Case] {
        let d = Tensor.unaryDomain(op)!
        let (lo, hi) = (d.lowerBound, d.upperBound)
        let f: ([Tensor]) -> Tensor = { $0[0].unary(named: op)! }
        return [
            ("\(op)", f, [leaf([3, 4], lo: lo, hi: hi)]),
            ("\(op) non-contiguous", f, [leafT([3, 4], lo: lo, hi: hi)]),
            ("\(op) size-1", f, [leaf([1, 1], lo: lo, hi: hi)]),
            ("\(op) 0-d", f, [leaf([], lo: lo, hi: hi)]),
        ]
    }

    static func binaryCases(_ op: String, lo: Double = -2, hi: Double = 2, blo: Double = -2, bhi: Double = 2)
        -> [Case]
    {
        let f: ([Tensor]) -> Tensor = { Tensor.binary(named: op, $0[0], $0[1])! }
        return [
            ("\(op)", f, [leaf([3, 4], lo: lo, hi: hi), leaf([3, 4], lo: blo, hi: bhi)]),
            ("\(op) broadcast", f, [leaf([3, 4], lo: lo, hi: hi), leaf([4], lo: blo, hi: bhi)]),
            ("\(op) broadcast both", f, [leaf([3, 1], lo: lo, hi: hi), leaf([1, 4], lo: blo, hi: bhi)]),
            ("\(op) non-contiguous", f, [leafT([3, 4], lo: lo, hi: hi), leaf([3, 4], lo: blo, hi: bhi)]),
            ("\(op) size-1", f, [leaf([1], lo: lo, hi: hi), leaf([1], lo: blo, hi: bhi)]),
        ]
    }

    static func cases(_ p: Primitive) -> [Case] {
        switch p {
        case .add: return binaryCases("add")
        case .sub: return binaryCases("sub")
        case .mul: return binaryCases("mul")
        case .div: return binaryCases("div", blo: 0.5, bhi: 2)
        case .pow: return binaryCases("pow", lo: 0.5, hi: 2)
        case .powScalar:
            return [
                ("pow scalar 0.5", { $0[0].pow(0.5) }, [leaf([3, 4], lo: 0.5, hi: 2)]),
                ("pow scalar -0.5", { $0[0].pow(-0.5) }, [leafT([3, 4], lo: 0.5, hi: 2)]),
                ("pow scalar 3", { $0[0].pow(3.0) }, [leaf([2, 3])]),
            ]
        case .addcmul:
            return [
                (
                    "addcmul broadcast", { $0[0].addcmul($0[1], $0[2], value: -0.5) },
                    [leaf([2, 1]), leaf([3]), leafT([2, 3])]
                ),
                ("addcmul complex", { $0[0].addcmul($0[1], $0[2], value: 2) }, [cleaf([3]), cleaf([3]), cleaf([3])]),
            ]
        case .addcdiv:
            return [
                (
                    "addcdiv broadcast", { $0[0].addcdiv($0[1], $0[2], value: 3) },
                    [leaf([2, 3]), leaf([2, 3]), leaf([3], lo: 0.5, hi: 2)]
                )
            ]
        case .maximum: return binaryCases("maximum")
        case .minimum: return binaryCases("minimum")
        case .atan2: return binaryCases("atan2", blo: 0.5, bhi: 2)
        case .remainder: return binaryCases("remainder", blo: 0.7, bhi: 2)
        case .fmod: return binaryCases("fmod", blo: 0.7, bhi: 2)
        case .hypot: return binaryCases("hypot", lo: 0.5, hi: 2)
        case .fmax: return binaryCases("fmax")
        case .fmin: return binaryCases("fmin")
        case .copysign: return binaryCases("copysign", lo: 0.5, hi: 2, blo: -2, bhi: -0.5)
        case .logaddexp: return binaryCases("logaddexp")
        case .logaddexp2: return binaryCases("logaddexp2")
        case .ldexp: return binaryCases("ldexp")
        case .xlogy: return binaryCases("xlogy", blo: 0.5, bhi: 2)
        case .xlog1py: return binaryCases("xlog1py", blo: -0.5, bhi: 2)
        case .zeta:
            // Differentiable in q only, as PyTorch.
            let s = Tensor.full([3, 4], 3.0, dtype: .float64)
            return [
                ("zeta", { Special.zeta(s, $0[0]) }, [leaf([3, 4], lo: 0.5, hi: 2)]),
                (
                    "zeta broadcast s", { Special.zeta(Tensor.scalar(2.5, dtype: .float64), $0[0]) },
                    [leafT([3, 4], lo: 0.5, hi: 2)]
                ),
            ]
        case .linalgInv:
            return [
                ("inv", { Linalg.inv($0[0] + GradcheckTests.eye3) }, [leaf([3, 3])]),
                ("inv batched", { Linalg.inv($0[0] + GradcheckTests.eye3) }, [leafT([2, 3, 3])]),
            ]
        case .linalgDet: return [("det", { Linalg.det($0[0] + GradcheckTests.eye3) }, [leaf([2, 3, 3])])]
        case .linalgSlogdet:
            return [("slogdet", { Linalg.slogdet($0[0] + GradcheckTests.eye3).logabsdet }, [leaf([3, 3])])]
        case .linalgSolve:
            return [
                ("solve", { Linalg.solve($0[0] + GradcheckTests.eye3, $0[1]) }, [leaf([3, 3]), leaf([3, 2])]),
                (
                    "solve vector broadcast", { Linalg.solve($0[0] + GradcheckTests.eye3, $0[1]) },
                    [leaf([2, 3, 3]), leaf([3])]
                ),
            ]
        case .linalgCholesky:
            return [
                ("cholesky", { Linalg.cholesky($0[0].matmul($0[0].mT) + GradcheckTests.eye3) }, [leaf([3, 3])])
            ]
        case .linalgEigh:
            return [
                (
                    "eigh",
                    { x in
                        let r = Linalg.eigh(x[0] + x[0].mT)
                        return r.eigenvalues.unsqueeze(-1) * (r.eigenvectors * r.eigenvectors)
                    }, [leaf([3, 3])]
                )
            ]
        case .linalgSvdvals: return [("svdvals", { Linalg.svdvals($0[0]) }, [leaf([2, 4, 3])])]
        case .scatterReduce:
            let index = Tensor([[0, 1, 0], [1, 1, 0]] as [[Int64]])
            return [
                (
                    "scatter_reduce prod", { $0[0].scatterReduce(0, index, $0[1], reduce: .prod) },
                    [leaf([2, 3]), leaf([2, 3])]
                ),
                (
                    "scatter_reduce amax", { $0[0].scatterReduce(0, index, $0[1], reduce: .amax) },
                    [leaf([2, 3]), leaf([2, 3])]
                ),
                (
                    "scatter_reduce amin without self",
                    {
                        $0[0].scatterReduce(0, index, $0[1], reduce: .amin, includeSelf: false)
                    }, [leaf([2, 3]), leaf([2, 3])]
                ),
                (
                    "index_reduce prod", { $0[0].indexReduce(1, Tensor([2, 0] as [Int64]), $0[1], reduce: .prod) },
                    [leaf([2, 3]), leaf([2, 2])]
                ),
            ]
        case .linalgQr:
            return [
                (
                    "qr tall",
                    { x in
                        let r = Linalg.qr(x[0]); return r.q.matmul(r.r.square())
                    }, [leaf([4, 3])]
                ),
                (
                    "qr wide",
                    { x in
                        let r = Linalg.qr(x[0]); return r.q * 2 + r.r.sum(dims: [-1], keepdim: true)
                    },
                    [leafT([2, 3, 5])]
                ),
                ("qr complete square", { Linalg.qr($0[0], mode: .complete).r.exp() }, [leaf([3, 3])]),
            ]
        case .linalgLuFactor:
            return [
                ("lu_factor", { Linalg.luFactor($0[0] + GradcheckTests.eye3).lu }, [leaf([3, 3])]),
                (
                    "lu tall",
                    { x in
                        let r = Linalg.lu(x[0]); return r.l.matmul(r.u.square())
                    }, [leaf([2, 4, 3])]
                ),
                (
                    "lu wide",
                    { x in
                        let r = Linalg.lu(x[0]); return r.u * 3 + r.l.sum()
                    }, [leafT([3, 5])]
                ),
                (
                    "lu_solve",
                    { x in
                        let f = Linalg.luFactor(x[0] + GradcheckTests.eye3)
                        return Linalg.luSolve(f.lu, f.pivots, x[1], adjoint: true)
                    }, [leaf([3, 3]), leaf([3, 2])]
                ),
            ]
        case .linalgSvd:
            return [
                (
                    "svd tall",
                    { x in
                        let r = Linalg.svd(x[0], fullMatrices: false); return r.u * r.u + r.s.sum()
                    },
                    [leaf([4, 3])]
                ),
                (
                    "svd wide",
                    { x in
                        let r = Linalg.svd(x[0], fullMatrices: false); return (r.vh * r.vh).sum(dims: [0])
                    },
                    [leafT([2, 3, 5])]
                ),
                (
                    "svd full",
                    { x in
                        let r = Linalg.svd(x[0]); return r.u.narrow(-1, start: 0, length: 3).square()
                    },
                    [leaf([4, 3])]
                ),
            ]
        case .linalgPinv:
            return [
                ("pinv tall", { Linalg.pinv($0[0]) }, [leaf([4, 3])]),
                ("pinv wide", { Linalg.pinv($0[0]) }, [leafT([2, 3, 5])]),
            ]
        case .linalgLstsq:
            return [
                ("lstsq", { Linalg.lstsq($0[0], $0[1]).solution }, [leaf([5, 3]), leaf([5, 2])]),
                (
                    "lstsq residuals",
                    { x in
                        let r = Linalg.lstsq(x[0], x[1], driver: .gelsd); return r.residuals * 2
                    },
                    [leaf([2, 5, 3]), leaf([2, 5])]
                ),
            ]
        case .toDType:
            return [("to float32 and back", { $0[0].to(.float32).to(.float64) * 1.0 }, [leaf([3, 4])])]
        case .toDevice:
            // Exercised on the GPU machine (torch-gpu-check); on the CPU the transfer is the identity.
            return [
                (
                    "to(device:) round trip",
                    { Torch.CUDA.isAvailable ? $0[0].cuda().cpu() * 2 : $0[0].to(device: .cpu) * 2 }, [leaf([3])]
                )
            ]
        case .clone: return [("clone", { $0[0].clone() }, [leafT([3, 4])])]
        case .viewAsReal:
            return [
                ("view_as_real of a complex leaf", { ($0[0].viewAsReal() * 1.5).sum(dim: -1) }, [cleaf([3, 2])]),
                ("view_as_real of exp", { $0[0].exp().viewAsReal() }, [cleaf([4])]),
            ]
        case .viewAsComplex:
            return [
                ("view_as_complex times a complex", { $0[0].viewAsComplex() * $0[1] }, [leaf([3, 2]), cleaf([3])]),
                ("complex products and quotients", { ($0[0] * $0[1] / ($0[1] + 3)).abs() }, [cleaf([4]), cleaf([4])]),
                (
                    "complex log, sqrt, sin, matmul", { ($0[0].log() + $0[0].sqrt().sin()).matmul($0[1]) },
                    [cleaf([2, 3], lo: 0.5), cleaf([3, 2])]
                ),
                (
                    "complex sum, mean, prod, pow",
                    { ($0[0].sum(dim: 0) + $0[0].mean() + $0[0].prod(dim: 1).pow($0[1])) },
                    [cleaf([3, 3], lo: 0.5), cleaf([3], lo: 0.5, hi: 1)]
                ),
            ]
        case .linalgEig:
            // Losses invariant to the order of the eigenvalues and to each eigenvector's phase.
            let b = Tensor.randn([3, 3], dtype: .float64, generator: g)
            return [
                ("eigvals", { Linalg.eigvals($0[0]).pow(2).sum().real }, [leaf([3, 3])]),
                (
                    "eig vectors (v^H B v)",
                    { x in
                        let (_, v) = Linalg.eig(x[0])
                        return v.mT.conj().matmul(b.to(.complex128)).matmul(v).diagonal(dim1: -2, dim2: -1).abs().sum()
                    }, [leaf([3, 3])]
                ),
            ]
        case .fftC2C:
            return [
                ("fft of a complex leaf", { Torch.fft.fft($0[0]) }, [cleaf([3, 5])]),
                ("ifft ortho, n padded", { Torch.fft.ifft($0[0], n: 6, dim: 0, norm: .ortho) }, [cleaf([4, 2])]),
                ("fft2 of a real leaf", { Torch.fft.fft2($0[0]).abs() }, [leaf([4, 3])]),
            ]
        case .fftR2C:
            return [
                ("rfft even", { Torch.fft.rfft($0[0]) }, [leaf([2, 8])]),
                ("rfft odd, forward norm", { Torch.fft.rfft($0[0], dim: 0, norm: .forward) }, [leaf([7, 2])]),
                ("ihfft", { Torch.fft.ihfft($0[0]) }, [leaf([6])]),
            ]
        case .fftC2R:
            return [
                ("irfft even", { Torch.fft.irfft($0[0]) }, [cleaf([2, 5])]),
                ("irfft odd n", { Torch.fft.irfft($0[0], n: 7) }, [cleaf([4])]),
                ("irfftn", { Torch.fft.irfftn($0[0], s: [3, 6]) }, [cleaf([3, 4])]),
                ("hfft", { Torch.fft.hfft($0[0], n: 5) }, [cleaf([3])]),
            ]
        case .view:
            return [
                ("reshape", { $0[0].reshape([4, 3]) * 2 }, [leaf([3, 4])]),
                ("transpose", { $0[0].t() * Tensor.arange(0.0, 3.0, dtype: .float64) }, [leaf([3, 4])]),
                ("slice", { $0[0][..., 1..<3] }, [leaf([3, 4])]),
                ("strided slice of transposed", { $0[0][TensorIndex.slice(nil, nil, step: 2)] }, [leafT([4, 3])]),
                ("expand", { $0[0].expand([2, 3, 4]) * Tensor.arange(0.0, 4.0, dtype: .float64) }, [leaf([3, 1])]),
                ("select/narrow", { $0[0].select(0, 1).narrow(0, start: 1, length: 2) }, [leaf([3, 4])]),
                (
                    "split pieces, one unused",
                    { x in
                        let p = x[0].split(sizes: [1, 2, 1], dim: 1)
                        return p[0] * 2 + p[2] * p[0]
                    }, [leaf([3, 4])]
                ),
                (
                    "unbind steps",
                    { x in
                        let p = x[0].unbind(0)
                        return p[0] * p[2] + p[1].exp()
                    }, [leafT([3, 4])]
                ),
                ("diagonal", { $0[0].diagonal(offset: 1) }, [leaf([3, 4])]),
                ("unfold (overlapping)", { $0[0].unfold(0, size: 3, step: 1) }, [leaf([5])]),
                (
                    "flip", { $0[0].flip([0, 1]) * Tensor.arange(0.0, 12.0, dtype: .float64).reshape([3, 4]) },
                    [leaf([3, 4])]
                ),
                (
                    "permute",
                    { $0[0].permute([2, 0, 1]).contiguous().view(-1) * Tensor.arange(0.0, 24.0, dtype: .float64) },
                    [leaf([2, 3, 4])]
                ),
                ("asStrided", { $0[0].asStrided([2, 2], [1, 2]) }, [leaf([6])]),
                ("squeeze/unsqueeze", { $0[0].unsqueeze(0).squeeze() }, [leaf([1, 3])]),
            ]
        case .cat:
            return [
                ("cat", { Tensor.cat([$0[0], $0[1]], dim: 1) }, [leaf([2, 3]), leaf([2, 2])]),
                ("stack", { Tensor.stack([$0[0], $0[1]], dim: 0) }, [leafT([2, 3]), leaf([2, 3])]),
                ("pad constant", { $0[0].pad([1, 2, 0, 1], value: 0.5) }, [leaf([2, 3])]),
            ]
        case .whereSelect:
            return [("where", { Tensor.where($0[0] .> 0, $0[0], $0[1]) }, [leaf([3, 4]), leaf([4])])]
        case .gatherLinear:
            return [
                ("gather", { $0[0].gather(1, Tensor([[0, 0, 2], [1, 3, 3], [2, 1, 0]])) }, [leaf([3, 4])]),
                ("max(dim) values", { $0[0].max(dim: 1).values }, [leaf([3, 4])]),
                ("sort values", { $0[0].sort(dim: 0).values }, [leaf([3, 4])]),
                ("topk", { $0[0].topk(2).values }, [leaf([3, 4])]),
                ("advanced index", { $0[0][Tensor([2, 0, 2])] }, [leaf([3, 4])]),
                ("mask", { $0[0][$0[0].detach() .> 0] }, [leaf([3, 4])]),
                ("pair index", { $0[0][Tensor([0, 2]), Tensor([1, 3])] }, [leafT([3, 4])]),
                ("indexSelect", { $0[0].indexSelect(1, Tensor([3, 0, 3])) }, [leaf([3, 4])]),
                ("pad reflect", { $0[0].pad([2, 1], mode: .reflect) }, [leaf([2, 4])]),
            ]
        case .scatterAddLinear:
            return [("indexAdd", { $0[0].indexAdd(1, Tensor([1, 3, 1]), $0[1]) }, [leaf([3, 4]), leaf([3, 3])])]
        case .im2col:
            return [
                ("im2col", { $0[0].im2col(kh: 2, kw: 3) }, [leaf([2, 2, 4, 5])]),
                (
                    "im2col stride 2", { $0[0].im2col(kh: 3, kw: 3, stride: 2) },
                    [Tensor.rand([5, 5, 2, 1], dtype: .float64, generator: g).permute([3, 2, 0, 1]).requiresGrad_()]
                ),
                (
                    "im2col 3-d strided dilated",
                    { $0[0].im2col(WindowGeometry(kernel: [2, 1, 2], stride: [1, 2, 1], dilation: [2, 1, 1])) },
                    [leaf([1, 2, 5, 3, 4])]
                ),
                (
                    "im2col 1-d", { $0[0].im2col(WindowGeometry(kernel: [3], stride: [2], dilation: [1])) },
                    [leaf([2, 3, 7])]
                ),
            ]
        case .convolution:
            // The stride-1 convolution primitive (its float64 forward is the composite's).
            let conv = { (pad: [Int], dil: [Int]) -> (([Tensor]) -> Tensor) in
                { Tensor.convolution2d($0[0], $0[1], $0.count > 2 ? $0[2] : nil, padding: pad, dilation: dil) }
            }
            return [
                ("convolution", conv([1, 1, 0, 1], [1, 1]), [leaf([2, 3, 4, 5]), leaf([4, 3, 3, 2]), leaf([4])]),
                ("convolution dilated", conv([2, 0, 1, 1], [2, 1]), [leaf([1, 2, 6, 4]), leaf([3, 2, 2, 3])]),
                (
                    "convolution 1x1", conv([0, 0, 0, 0], [1, 1]),
                    [leaf([2, 2, 3, 3]), leaf([5, 2, 1, 1]), leaf([5])]
                ),
            ]
        case .scatterDim:
            return [
                (
                    "scatter", { $0[0].scatter(1, Tensor([[0, 2], [3, 1], [1, 0]]), $0[1]) },
                    [leaf([3, 4]), leaf([3, 2])]
                )
            ]
        case .scatterAddDim:
            return [
                (
                    "scatterAdd", { $0[0].scatterAdd(0, Tensor([[0, 1, 2, 0], [2, 2, 0, 1]]), $0[1]) },
                    [leaf([3, 4]), leaf([2, 4])]
                )
            ]
        case .sum:
            return [
                ("sum all", { $0[0].sum() }, [leaf([3, 4])]),
                ("sum dims keepdim", { $0[0].sum(dims: [0, 2], keepdim: true) }, [leafT([2, 3, 4])]),
                ("mean", { $0[0].mean(dim: 1) }, [leaf([3, 4])]),
                ("var", { $0[0].variance(dims: [1]) }, [leaf([3, 4])]),
                ("norm", { $0[0].norm(dims: [1]) }, [leaf([3, 4])]),
                ("logsumexp", { $0[0].logsumexp(dims: [1]) }, [leaf([3, 4])]),
            ]
        case .prod:
            return [
                ("prod", { $0[0].prod(dim: 1) }, [leaf([3, 4])]),
                ("prod with a zero", { ($0[0] * Tensor([1.0, 0.0, 1.0], dtype: .float64)).prod() }, [leaf([3])]),
                ("prod all", { $0[0].prod() }, [leafT([2, 3])]),
            ]
        case .amax:
            return [
                ("amax", { $0[0].amax(dims: [1]) }, [leaf([3, 4])]), ("max all", { $0[0].max() }, [leaf([2, 3])]),
            ]
        case .amin: return [("amin", { $0[0].amin(dims: [0], keepdim: true) }, [leaf([3, 4])])]
        case .softmax:
            return [
                ("softmax", { $0[0].softmax(dim: 1) * Tensor.arange(0.0, 4.0, dtype: .float64) }, [leaf([3, 4])]),
                (
                    "softmax dim 0 non-contiguous",
                    { $0[0].softmax(dim: 0) * Tensor.arange(0.0, 4.0, dtype: .float64) }, [leafT([3, 4])]
                ),
            ]
        case .logSoftmax:
            return [
                ("logSoftmax", { $0[0].logSoftmax(dim: 1) }, [leaf([3, 4])]),
                ("logSoftmax dim 0", { $0[0].logSoftmax(dim: 0) }, [leafT([3, 4])]),
            ]
        case .cumsum:
            return [
                ("cumsum", { $0[0].cumsum(dim: 1) }, [leaf([3, 4])]),
                ("cumsum dim 0", { $0[0].cumsum(dim: 0) }, [leafT([3, 4])]),
            ]
        case .cumprod:
            return [
                ("cumprod", { $0[0].cumprod(dim: 1) }, [leaf([3, 4], lo: 0.5, hi: 2)]),
                (
                    "cumprod with a zero", { ($0[0] * Tensor([1.0, 0.0, 1.0, 1.0], dtype: .float64)).cumprod(dim: 0) },
                    [leaf([4])]
                ),
            ]
        case .col2im:
            let g1 = WindowGeometry(kernel: [2, 3], stride: [1, 1], dilation: [1, 1])
            let g2 = WindowGeometry(kernel: [2, 2], stride: [2, 1], dilation: [1, 2])
            return [
                ("col2im", { Tensor.col2im($0[0], shape: [2, 2, 4, 5], g1) }, [leaf([12, 18])]),
                ("col2im strided dilated", { Tensor.col2im($0[0], shape: [1, 2, 5, 5], g2) }, [leafT([8, 6])]),
            ]
        case .copySlices:
            return [
                (
                    "in-place mul on a slice of a non-leaf",
                    { x in
                        let b = x[0] * 1.0
                        b[1..<3].mul_(x[1])
                        return b * x[0]
                    }, [leaf([4]), leaf([2])]
                ),
                (
                    "copy into a column of a non-contiguous base",
                    { x in
                        let b = x[0].t() * 1.0
                        b[..., 1].copy_(x[1].exp())
                        return b
                    }, [leaf([3, 2]), leaf([2])]
                ),
                (
                    "index_put with tensor indices",
                    { x in
                        let b = x[0] * 2.0
                        b[Tensor([0, 2])] = x[1] * x[1]
                        return b
                    }, [leaf([4]), leaf([2])]
                ),
                (
                    "index_put accumulate",
                    { x in
                        let b = x[0] * 1.0
                        b.indexPut_([Tensor([0, 0, 3])], x[1], accumulate: true)
                        return b * b
                    }, [leaf([4]), leaf([3])]
                ),
                (
                    "fill_ on a row",
                    { x in
                        let b = x[0] * 2.0
                        b[1].fill_(2.0)
                        return b * x[0]
                    }, [leaf([2, 3])]
                ),
            ]
        case .addmm:
            return [
                ("addmm row bias", { Tensor.addmm($0[0], $0[1], $0[2]) }, [leaf([4]), leaf([3, 5]), leaf([5, 4])]),
                (
                    "addmm column bias, transposed operands", { Tensor.addmm($0[0], $0[1].t(), $0[2]) },
                    [leaf([3, 1]), leafT([5, 3]), leaf([5, 4])]
                ),
                (
                    "addmm full bias", { Tensor.addmm($0[0], $0[1], $0[2]) },
                    [leaf([2, 2]), leaf([2, 3]), leafT([3, 2])]
                ),
            ]
        case .matmul:
            return [
                ("mm", { $0[0].matmul($0[1]) }, [leaf([3, 4]), leaf([4, 2])]),
                ("batched broadcast", { $0[0].matmul($0[1]) }, [leaf([2, 1, 3, 4]), leaf([3, 4, 2])]),
                ("dot", { $0[0].matmul($0[1]) }, [leaf([4]), leaf([4])]),
                ("mv", { $0[0].matmul($0[1]) }, [leafT([3, 4]), leaf([4])]),
                ("vm", { $0[0].matmul($0[1]) }, [leaf([4]), leaf([2, 4, 3])]),
            ]
        default:
            // The element-wise primitives: cases from their definitions' domains.
            return Tensor.unaryDomain(p.name) == nil ? [] : unaryCases(p.name)
        }
    }

    /// 3·I in float64, to keep the linear-algebra cases well conditioned.
    static let eye3 = Tensor.eye(3, dtype: .float64) * 3.0

    /// Primitives whose derivative is zero or piecewise constant: no second-order check needed.
    static let firstOrderOnly: Set<Primitive> = Set(
        [.maximum, .minimum, .remainder, .fmod, .toDType, .fmax, .fmin, .copysign, .scatterReduce]
            + UnaryPrimitives.all.filter { !$0.hasSecondDerivative }.map { Primitive($0.name) })

    /// Every registered primitive has gradcheck cases, and some case of it really records that
    /// primitive (its graph holds a node of it): a registry entry no op records fails here.
    func testEveryPrimitiveHasAGradcheckThatRecordsIt() {
        for p in Primitive.allCases {
            let cases = GradcheckTests.cases(p)
            XCTAssertFalse(cases.isEmpty, "\(p) has no gradcheck case")
            // Moving between devices records only when there is a second device.
            if p == .toDevice && !Torch.CUDA.isAvailable { continue }
            let recorded = cases.contains { c in GradcheckTests.primitives(in: c.f(c.inputs)).contains(p) }
            XCTAssertTrue(recorded, "no gradcheck case of \(p) records a \(p) node")
        }
    }

    /// The primitives of the nodes reachable from `t`'s creator.
    static func primitives(in t: Tensor) -> Set<Primitive> {
        var seen = Set<ObjectIdentifier>(), found = Set<Primitive>()
        var stack: [Node] = t.creator.map { [$0] } ?? []
        while let n = stack.popLast() {
            guard seen.insert(ObjectIdentifier(n)).inserted else { continue }
            if let p = n.primitive { found.insert(p) }
            stack += n.nextEdges.compactMap { $0?.node }
        }
        return found
    }

    func testRecordedPrimitiveCheckFailsOnAnUnrecordedOne() {
        // The check above must be able to fail: `x * 2` records mul, not exp.
        let x = GradcheckTests.leaf([2])
        XCTAssertFalse(GradcheckTests.primitives(in: x * 2).contains(Primitive("exp")))
        XCTAssertTrue(GradcheckTests.primitives(in: x * 2).contains(.mul))
    }

    func testGradcheckAllPrimitives() {
        var count = 0
        for p in Primitive.allCases {
            for c in GradcheckTests.cases(p) {
                let tol: Double = p == .toDType ? 1e-2 : 1e-5
                let r = Torch.gradcheck(c.f, c.inputs, eps: p == .toDType ? 1e-3 : 1e-6, atol: tol)
                XCTAssertTrue(r.passed, "\(p) / \(c.name): \(r.message)")
                count += 1
            }
        }
        XCTAssertGreaterThan(count, 150)
    }

    func testGradgradcheck() {
        for p in Primitive.allCases where !GradcheckTests.firstOrderOnly.contains(p) {
            for c in GradcheckTests.cases(p).prefix(2) where !c.name.contains("with a zero") {
                let r = Torch.gradgradcheck(c.f, c.inputs)
                XCTAssertTrue(r.passed, "gradgrad \(p) / \(c.name): \(r.message)")
            }
        }
    }

    func testGradcheckDetectsAWrongDerivative() {
        let x = GradcheckTests.leaf([3])
        let wrong = Torch.gradcheck(
            { xs in
                Torch.customFunction("Wrong", xs, forward: { _, t in t[0] * t[0] }, backward: { _, g in [g * 3] })
            }, [x])
        XCTAssertFalse(wrong.passed)
    }
}
