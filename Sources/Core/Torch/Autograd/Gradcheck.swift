import TorchBase

/// The outcome of `gradcheck`: whether analytic and numeric Jacobians agree, and where not.
public struct GradcheckResult: CustomStringConvertible {
    /// Whether every analytical derivative matched its finite difference.
    public let passed: Bool
    /// The first mismatch (empty when passed).
    public let message: String
    /// A one-line verdict with the mismatch.
    public var description: String { passed ? "gradcheck passed" : "gradcheck failed: \(message)" }
}

extension Torch {
    /// Compares the Jacobian from backward with central finite differences (PyTorch's
    /// `gradcheck`, same defaults). Inputs should be float64; those with `requiresGrad` are checked.
    ///
    /// ```swift
    /// let x = Tensor.randn([3], dtype: .float64).requiresGrad_()
    /// Torch.gradcheck({ $0[0].tanh().sum() }, [x]).passed   // true
    /// ```
    public static func gradcheck(
        _ f: ([Tensor]) -> Tensor, _ inputs: [Tensor], eps: Double = 1e-6,
        atol: Double = 1e-5, rtol: Double = 1e-3
    ) -> GradcheckResult {
        let out0 = f(inputs)
        if inputs.contains(where: { $0.isComplex }) || out0.isComplex {
            return withoutActuallyEscaping(f) { ef in
                let (g, xs) = realified(ef, inputs)
                return gradcheck(g, xs, eps: eps, atol: atol, rtol: rtol)
            }
        }
        let checked = inputs.indices.filter { inputs[$0].requiresGrad }
        let m = out0.count
        // Analytic: one backward per output element.
        var analytic: [[Double]] = checked.map { [Double](repeating: 0, count: inputs[$0].count * m) }
        if out0.requiresGrad {
            for j in 0..<m {
                let v = Tensor.zeros(out0.shape, dtype: out0.dtype)
                Torch.noGrad { v.reshape([-1])[j] = Tensor(1.0, dtype: out0.dtype) }
                let out = f(inputs)
                let grads = Torch.grad(
                    outputs: [out], inputs: checked.map { inputs[$0] }, gradOutputs: [v], allowUnused: true)
                for (k, g) in grads.enumerated() {
                    guard let g else { continue }
                    let vals = g.to(.float64).scalars
                    for i in 0..<vals.count { analytic[k][i * m + j] = vals[i] }
                }
            }
        }
        // Numeric: central differences, one input element at a time.
        for (k, idx) in checked.enumerated() {
            let x = inputs[idx]
            let n = x.count
            for i in 0..<n {
                func evaluate(_ delta: Double) -> [Double] {
                    // Fresh leaves with the same requiresGrad flags (f may differentiate inside).
                    let xs = inputs.enumerated().map { (p, t) -> Tensor in
                        let c = Torch.noGrad { t.detach().to(.float64).contiguous().clone() }
                        if p == idx { c.storagePointer(Double.self)[i] += delta }
                        return Torch.noGrad { c.to(t.dtype) }.detach().requiresGrad_(t.requiresGrad)
                    }
                    return f(xs).detach().to(.float64).scalars
                }
                let plus = evaluate(eps), minus = evaluate(-eps)
                for j in 0..<m {
                    let numeric = (plus[j] - minus[j]) / (2 * eps)
                    let a = analytic[k][i * m + j]
                    if !Checks.isClose(a, numeric, atol: atol, rtol: rtol) {
                        return GradcheckResult(
                            passed: false,
                            message:
                                "Jacobian mismatch for output \(j) with respect to input \(idx), element \(i): "
                                + "numerical \(numeric), analytical \(a)"
                        )
                    }
                }
            }
        }
        return GradcheckResult(passed: true, message: "")
    }

    /// Checks second derivatives: gradcheck of the first-order gradients (computed with
    /// `createGraph`) contracted with a fixed random output gradient (PyTorch's `gradgradcheck`).
    public static func gradgradcheck(
        _ f: ([Tensor]) -> Tensor, _ inputs: [Tensor], eps: Double = 1e-6,
        atol: Double = 1e-5, rtol: Double = 1e-3
    ) -> GradcheckResult {
        let out = f(inputs)
        if inputs.contains(where: { $0.isComplex }) || out.isComplex {
            return withoutActuallyEscaping(f) { ef in
                let (g, xs) = realified(ef, inputs)
                return gradgradcheck(g, xs, eps: eps, atol: atol, rtol: rtol)
            }
        }
        let v = Tensor.randn(out.shape, dtype: .float64, generator: Generator(seed: 1234)).to(out.dtype)
        let checked = inputs.filter { $0.requiresGrad }
        return gradcheck(
            { xs in
                let o = f(xs)
                let ins = xs.filter { $0.requiresGrad }
                let grads = Torch.grad(
                    outputs: [o], inputs: ins, gradOutputs: [v], createGraph: true, allowUnused: true)
                let parts = zip(grads, ins).map { (g, x) in (g ?? Tensor.zerosLike(x)).reshape([-1]) }
                return Tensor.cat(parts)
            }, inputs, eps: eps, atol: atol, rtol: rtol
        ).withContext(checked.isEmpty ? "no input requires grad" : nil)
    }
}

extension Torch {
    /// For a function with complex inputs or output: the same function on real views (a complex
    /// input becomes its [..., 2] parts, a complex output is returned as its parts), whose
    /// Jacobian is the complex one in PyTorch's convention (∂/∂Re and ∂/∂Im of each part).
    static func realified(_ f: @escaping ([Tensor]) -> Tensor, _ inputs: [Tensor]) -> (([Tensor]) -> Tensor, [Tensor]) {
        let complexIn = inputs.map { $0.isComplex }
        let xs = zip(inputs, complexIn).map { (t, c) -> Tensor in
            guard c else { return t }
            return Torch.noGrad { t.detach().viewAsReal().clone() }.requiresGrad_(t.requiresGrad)
        }
        let g: ([Tensor]) -> Tensor = { ys in
            let o = f(zip(ys, complexIn).map { $1 ? $0.viewAsComplex() : $0 })
            return o.isComplex ? o.viewAsReal() : o
        }
        return (g, xs)
    }
}

extension GradcheckResult {
    func withContext(_ s: String?) -> GradcheckResult {
        guard let s else { return self }
        return GradcheckResult(passed: false, message: s)
    }
}
