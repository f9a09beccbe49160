import Foundation
import XCTest
import Torch
import TorchBase
import TorchTestSupport

/// Complex tensors against PyTorch (Fixtures/complex.json from generate_complex.py): values, and
/// the gradients of the real loss sum(viewAsReal(out)·W) with respect to every input.
final class ComplexTests: XCTestCase {
    typealias Op = ([Tensor], [String: Any]) -> Tensor

    static let ops: [String: Op] = [
        "add": { x, _ in x[0] + x[1] }, "sub": { x, _ in x[0] - x[1] }, "mul": { x, _ in x[0] * x[1] },
        "div": { x, _ in x[0] / x[1] }, "pow": { x, _ in x[0].pow(x[1]) },
        "exp": { x, _ in x[0].exp() }, "log": { x, _ in x[0].log() }, "sqrt": { x, _ in x[0].sqrt() },
        "sin": { x, _ in x[0].sin() }, "cos": { x, _ in x[0].cos() }, "tan": { x, _ in x[0].tan() },
        "sinh": { x, _ in x[0].sinh() }, "cosh": { x, _ in x[0].cosh() }, "tanh": { x, _ in x[0].tanh() },
        "reciprocal": { x, _ in x[0].reciprocal() }, "neg": { x, _ in -x[0] }, "abs": { x, _ in x[0].abs() },
        "angle": { x, _ in x[0].angle() }, "conj": { x, _ in x[0].conj() }, "sgn": { x, _ in x[0].sgn() },
        "square": { x, _ in x[0].square() },
        "mul_scalar_1j": { x, _ in x[0] * Complex(0.0, 1.0) },
        "add_scalar_complex": { x, _ in x[0] + Complex(2.0, -1.0) },
        "pow_scalar_2": { x, _ in x[0].pow(2) }, "pow_scalar_half": { x, _ in x[0].pow(0.5) },
        "isnan": { x, _ in x[0].isnan() }, "isinf": { x, _ in x[0].isinf() },
        "isfinite": { x, _ in x[0].isfinite() }, "eq": { x, _ in x[0] .== x[1] }, "ne": { x, _ in x[0] .!= x[1] },
        "real": { x, _ in x[0].real }, "imag": { x, _ in x[0].imag },
        "view_as_real": { x, _ in x[0].viewAsReal() }, "view_as_complex": { x, _ in x[0].viewAsComplex() },
        "complex": { x, _ in Tensor.complex(x[0], x[1]) }, "polar": { x, _ in Tensor.polar(x[0], x[1]) },
        "to_complex128": { x, _ in x[0].to(.complex128) }, "to_float64": { x, _ in x[0].real.to(.float64) },
        "sum": { x, _ in x[0].sum() }, "sum_dim1": { x, _ in x[0].sum(dim: 1) },
        "sum_dim_neg_keep": { x, _ in x[0].sum(dim: -2, keepdim: true) },
        "mean": { x, _ in x[0].mean() }, "mean_dim0": { x, _ in x[0].mean(dim: 0) },
        "prod": { x, _ in x[0].prod() }, "prod_dim0": { x, _ in x[0].prod(dim: 0) },
        "matmul": { x, _ in x[0].matmul(x[1]) }, "cat": { x, _ in Tensor.cat([x[0], x[1]], dim: 0) },
        "transpose_contiguous": { x, _ in x[0].t().contiguous() },
        "where": { x, _ in Tensor.where(x[0].real .> 0, x[0], x[1]) },
        "index_select": { x, _ in x[0].indexSelect(0, Tensor([2, 0])) },
    ]

    static func int(_ a: [String: Any], _ k: String) -> Int { (a[k] as! NSNumber).intValue }
    static func ints(_ a: [String: Any], _ k: String) -> [Int] { (a[k] as! [NSNumber]).map { $0.intValue } }
    static func norm(_ a: [String: Any]) -> FFTNorm { FFTNorm(rawValue: a["norm"] as! String)! }

    /// The torch.fft cases, by the generator's names.
    static let fftOps: [String: Op] = [
        "fft": { x, _ in Torch.fft.fft(x[0]) }, "ifft": { x, _ in Torch.fft.ifft(x[0]) },
        "rfft": { x, _ in Torch.fft.rfft(x[0]) }, "irfft_n": { x, a in Torch.fft.irfft(x[0], n: int(a, "n")) },
        "fft_norm": { x, a in Torch.fft.fft(x[0], norm: norm(a)) },
        "ifft_norm": { x, a in Torch.fft.ifft(x[0], norm: norm(a)) },
        "rfft_norm": { x, a in Torch.fft.rfft(x[0], norm: norm(a)) },
        "irfft_norm": { x, a in Torch.fft.irfft(x[0], norm: norm(a)) },
        "hfft_norm": { x, a in Torch.fft.hfft(x[0], norm: norm(a)) },
        "ihfft_norm": { x, a in Torch.fft.ihfft(x[0], norm: norm(a)) },
        "fftn_norm": { x, a in Torch.fft.fftn(x[0], norm: norm(a)) },
        "irfftn_norm": { x, a in Torch.fft.irfftn(x[0], norm: norm(a)) },
        "fft_n_dim": { x, a in
            let t = x[0].shape == [6, 4] ? x[0].transpose(0, 1) : x[0]
            return Torch.fft.fft(t, n: int(a, "n"), dim: int(a, "dim"))
        },
        "rfft_n_dim": { x, a in Torch.fft.rfft(x[0], n: int(a, "n"), dim: int(a, "dim")) },
        "irfft_dim": { x, a in Torch.fft.irfft(x[0], dim: int(a, "dim")) },
        "hfft_n": { x, a in Torch.fft.hfft(x[0], n: int(a, "n")) },
        "fft2": { x, _ in Torch.fft.fft2(x[0]) }, "ifft2": { x, _ in Torch.fft.ifft2(x[0]) },
        "rfft2": { x, _ in Torch.fft.rfft2(x[0]) }, "irfft2": { x, _ in Torch.fft.irfft2(x[0]) },
        "fft2_s": { x, a in Torch.fft.fft2(x[0], s: ints(a, "s")) },
        "irfft2_s": { x, a in Torch.fft.irfft2(x[0], s: ints(a, "s")) },
        "fftn_dims": { x, a in Torch.fft.fftn(x[0], dim: ints(a, "dim")) },
        "ifftn_s": { x, a in Torch.fft.ifftn(x[0], s: ints(a, "s")) },
        "rfftn": { x, _ in Torch.fft.rfftn(x[0]) },
        "rfftn_dims": { x, a in Torch.fft.rfftn(x[0], dim: ints(a, "dim")) },
        "irfftn_s": { x, a in Torch.fft.irfftn(x[0], s: ints(a, "s")) },
        "fftfreq": { _, a in Torch.fft.fftfreq(int(a, "n"), d: a["d"] as! Double, dtype: .float64) },
        "rfftfreq": { _, a in Torch.fft.rfftfreq(int(a, "n"), d: a["d"] as! Double, dtype: .float64) },
        "fftshift": { x, _ in Torch.fft.fftshift(x[0]) }, "ifftshift": { x, _ in Torch.fft.ifftshift(x[0]) },
        "fftshift_dim": { x, a in Torch.fft.fftshift(x[0], dim: ints(a, "dim")) },
    ]

    /// linalg.eig through order- and phase-invariant outputs (as the generator's).
    static let eigOps: [String: Op] = [
        "eigvals_pow": { x, _ in Linalg.eigvals(x[0]).pow(2).sum(dim: -1) },
        "eigvals_sorted": { x, _ in
            let l = Linalg.eigvals(x[0])
            let key = l.real * 1000 + l.imag
            return l.gather(-1, key.argsort(dim: -1))
        },
        "eig_vhbv": { x, _ in
            let v = Linalg.eig(x[0]).eigenvectors
            let b = x[1].to(.complex128)
            return v.mT.conj().matmul(b).matmul(v).diagonal(dim1: -2, dim2: -1).abs().sum(dim: -1)
        },
    ]

    static func weights(_ out: Tensor) -> Tensor {
        let parts = out.isComplex ? out.viewAsReal() : out
        let k = Tensor.arange(parts.count, dtype: .float64)
        return (k * 0.7 + 0.3).cos().reshape(parts.shape).to(parts.dtype)
    }

    func testAgainstPyTorch() {
        var checked = 0, grads = 0
        for c in Fixtures.load("complex.json") {
            let name = c["name"] as! String, op = c["op"] as! String
            guard let f = ComplexTests.ops[op] ?? ComplexTests.fftOps[op] ?? ComplexTests.eigOps[op] else {
                XCTFail("\(name): no op \(op) in the test's table")
                continue
            }
            let inputs = (c["inputs"] as! [[String: Any]]).map(Fixtures.tensor)
            let expected = Fixtures.tensor(c["output"] as! [String: Any])
            let single = expected.dtype == .complex64 || expected.dtype == .float32
            // FFT outputs sum n terms: tolerances scale with log n, as the transforms' own error.
            let isFFT = ComplexTests.fftOps[op] != nil
            let tol = single ? (isFFT ? 2e-5 : 1e-5) : (isFFT ? 1e-9 : 1e-10)
            assertMatches(f(inputs, c["args"] as! [String: Any]), expected, name, rtol: tol, atol: tol)
            checked += 1
            guard let g = c["grads"] as? [[String: Any]] else { continue }
            let leaves = inputs.map { $0.detach().requiresGrad_($0.isComplex || $0.dtype.isFloatingPoint) }
            let out = f(leaves, c["args"] as! [String: Any])
            let parts = out.isComplex ? out.viewAsReal() : out
            (parts * ComplexTests.weights(out)).sum().backward()
            let needing = leaves.filter { $0.requiresGrad }
            for (leaf, e) in zip(needing, g.map(Fixtures.tensor)) {
                let actual = leaf.grad ?? Tensor.zerosLike(leaf)
                assertMatches(actual, e, "\(name) gradient", rtol: single ? 1e-4 : 1e-9, atol: single ? 1e-5 : 1e-10)
                grads += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 256)
        XCTAssertGreaterThan(grads, 60)
    }
}

/// Printing, promotion and refusals of complex tensors.
final class ComplexBehaviourTests: XCTestCase {
    /// The strings PyTorch 2.15 prints for the same tensors (`dtype=torch.complex128` spelled the Swift way).
    func testPrintsLikePyTorch() {
        XCTAssertEqual(Tensor([Complex(Float(1), 2), Complex(3, -4)]).description, "tensor([1.+2.j, 3.-4.j])")
        let m = Tensor([[Complex(Float(0.5), 1), Complex(-2.25, -0.125)], [Complex(1e-5, 3), Complex(0, 0)]])
        XCTAssertEqual(
            m.description,
            "tensor([[ 5.0000e-01+1.0000j, -2.2500e+00-0.1250j],\n        [ 1.0000e-05+3.0000j,  0.0000e+00+0.0000j]])")
        XCTAssertEqual(Tensor(Complex(Float(1.5), -2)).description, "tensor(1.5000-2.j)")
        XCTAssertEqual(Tensor([Complex(1.0, 2.0)]).description, "tensor([1.+2.j], dtype: .complex128)")
        XCTAssertEqual(
            Tensor([Complex(Float.nan, 1), Complex(Float.infinity, -Float.infinity)]).description,
            "tensor([nan+1.j, inf-infj])")
    }

    func testPromotion() {
        XCTAssertEqual(promoteTypes(.float64, .complex64), .complex128)
        XCTAssertEqual(promoteTypes(.int64, .complex64), .complex64)
        XCTAssertEqual(promoteTypes(.float16, .complex128), .complex128)
        XCTAssertEqual((Tensor.ones([2], dtype: .float64) * Complex(0.0, 1.0)).dtype, .complex128)
        XCTAssertEqual((Tensor.ones([2]) * Complex(0.0, 1.0)).dtype, .complex64)
        XCTAssertEqual((Tensor.ones([2], dtype: .int32) + Complex(1.0, 1.0)).dtype, .complex64)
        // A 0-d complex128 tensor makes a float32 tensor complex64, as PyTorch's category rule.
        XCTAssertEqual((Tensor.ones([2]) + Tensor(Complex(1.0, 1.0))).dtype, .complex64)
        XCTAssertEqual((Tensor.ones([2], dtype: .complex64) + Tensor(2.0, dtype: .float64)).dtype, .complex64)
    }

    /// Complex randn has unit variance in all (each part 1/2), as PyTorch's; rand draws both parts
    /// from [0, 1). 200 000 draws: the variance estimates are within 0.01 (σ ≈ 0.0016).
    func testComplexRandomNumbers() {
        let z = Tensor.randn([200_000], dtype: .complex128, generator: Generator(seed: 3))
        XCTAssertEqual(z.dtype, .complex128)
        XCTAssertEqual(z.real.variance().item(), 0.5, accuracy: 0.01)
        XCTAssertEqual(z.imag.variance().item(), 0.5, accuracy: 0.01)
        XCTAssertEqual(z.abs().square().mean().item(), 1, accuracy: 0.01)
        let u = Tensor.rand([1000], dtype: .complex64, generator: Generator(seed: 4)).viewAsReal()
        XCTAssertGreaterThanOrEqual(u.min().item(), 0)
        XCTAssertLessThan(u.max().item(), 1)
        XCTAssertEqual(u.mean().item(), 0.5, accuracy: 0.05)
    }

    func testViewsShareMemory() {
        let z = Tensor.zeros([3], dtype: .complex64)
        z.real.fill_(2)
        z.imag[1] = Tensor(Float(-1))
        XCTAssertEqual(z.viewAsReal().scalars, [2, 0, 2, -1, 2, 0])
        let parts = Tensor.arange(0, 8, dtype: .float32).reshape([2, 2, 2])
        let c = parts.viewAsComplex()
        XCTAssertEqual(c.shape, [2, 2])
        XCTAssertTrue(c.sharesStorage(with: parts))
        XCTAssertEqual(c[1, 0].item(Complex<Float>.self), Complex(4, 5))
        XCTAssertEqual(c.conj().imag.scalars, [-1, -3, -5, -7])
        XCTAssertFalse(c.isConj())
    }

    /// Lengths past the fixture's: Stockham passes on long inputs, a 5-smooth length, the four-step
    /// split (2^17 and up) and a prime whose Bluestein convolution is itself four-step; bins checked
    /// against a direct sum in double precision, and the round trip.
    func testLongTransformsAgainstTheDefinition() {
        for n in [1 << 15, 40_000, 1 << 19, 262_139] {
            let x = Tensor.randn([n], dtype: .complex128, generator: Generator(seed: UInt64(n)))
            let y = Torch.fft.fft(x)
            let xs = x.viewAsReal().contiguous().scalars, ys = y.viewAsReal().contiguous().scalars
            for k in [0, 1, 7, n / 3, n - 1] {
                var re = 0.0, im = 0.0
                for j in 0..<n {
                    let a = -2 * Double.pi * Double((j * k) % n) / Double(n)
                    let (c, s) = (cos(a), sin(a))
                    re += xs[2 * j] * c - xs[2 * j + 1] * s
                    im += xs[2 * j] * s + xs[2 * j + 1] * c
                }
                XCTAssertEqual(ys[2 * k], re, accuracy: 1e-8 * Double(n).squareRoot(), "n \(n) bin \(k)")
                XCTAssertEqual(ys[2 * k + 1], im, accuracy: 1e-8 * Double(n).squareRoot(), "n \(n) bin \(k)")
            }
            assertMatches(Torch.fft.ifft(y), x, "ifft(fft(x)) n \(n)", rtol: 1e-9, atol: 1e-9)
            let r = x.real.contiguous()
            assertMatches(Torch.fft.irfft(Torch.fft.rfft(r), n: n), r, "irfft(rfft(x)) n \(n)", rtol: 1e-9, atol: 1e-9)
            let f = x.to(.complex64)
            assertMatches(Torch.fft.fft(f), y.to(.complex64), "complex64 n \(n)", rtol: 1e-3, atol: 2e-3)
        }
    }

    func testRefusalsNameTheProblem() {
        let x = Tensor.ones([4], dtype: .float32)
        XCTAssertEqual(
            Checks.viewAsComplexProblem(.float32, Layout(shape: [4])), "Tensor must have a last dimension of size 2")
        XCTAssertEqual(
            Checks.viewAsComplexProblem(.float32, Layout(shape: [3, 2], strides: [1, 3])),
            "Tensor must have a last dimension with stride 1")
        XCTAssertEqual(
            Checks.viewAsComplexProblem(.int64, x.reshape([2, 2]).layout),
            "view_as_complex is only supported for float and double tensors, but got a tensor of scalar type: Long")
        XCTAssertEqual(
            Checks.viewAsComplexProblem(.float32, Layout(shape: [2, 2], strides: [3, 1])),
            "Tensor must have a stride divisible by 2 for all but last dimension")
        XCTAssertNil(Checks.viewAsComplexProblem(.float64, Layout(shape: [5, 2])))
    }
}
