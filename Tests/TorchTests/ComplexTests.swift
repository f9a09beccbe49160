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

    static func weights(_ out: Tensor) -> Tensor {
        let parts = out.isComplex ? out.viewAsReal() : out
        let k = Tensor.arange(parts.count, dtype: .float64)
        return (k * 0.7 + 0.3).cos().reshape(parts.shape).to(parts.dtype)
    }

    func testAgainstPyTorch() {
        var checked = 0, grads = 0
        for c in Fixtures.load("complex.json") {
            let name = c["name"] as! String, op = c["op"] as! String
            guard let f = ComplexTests.ops[op] else { continue }
            let inputs = (c["inputs"] as! [[String: Any]]).map(Fixtures.tensor)
            let expected = Fixtures.tensor(c["output"] as! [String: Any])
            let single = expected.dtype == .complex64 || expected.dtype == .float32
            let tol = single ? 1e-5 : 1e-10
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
        XCTAssertGreaterThanOrEqual(checked, 88)
        XCTAssertGreaterThan(grads, 60)
    }
}
