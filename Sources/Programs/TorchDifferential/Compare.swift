import Torch
import TorchBase

/// Why the outputs (and gradients) of a case differ from PyTorch's, or nil when they match:
/// same count, shapes and dtypes; values within the case's tolerances with NaN equal only to NaN
/// at the same place and infinities exact (`Checks.isClose`).
func compare(_ c: DiffCase, _ outs: [Tensor], _ leaves: [Tensor]) -> String? {
    if outs.count != c.outputs.count { return "\(outs.count) outputs, PyTorch gives \(c.outputs.count)" }
    for (k, (o, e)) in zip(outs, c.outputs).enumerated() {
        if let why = differ(o, e.expected, rtol: e.rtol, atol: e.atol) { return "output \(k): \(why)" }
    }
    guard !c.grads.isEmpty else { return nil }
    let differentiable = outs.filter { $0.requiresGrad }
    if differentiable.count != c.gradOutputs.count {
        return "\(differentiable.count) differentiable outputs, PyTorch has \(c.gradOutputs.count)"
    }
    let wanted = zip(leaves, c.inputs).filter { $0.1.grad }.map { $0.0 }
    let grads = Torch.grad(outputs: differentiable, inputs: wanted, gradOutputs: c.gradOutputs, allowUnused: true)
    for (k, (g, e)) in zip(grads, c.grads).enumerated() {
        let got = g ?? Tensor.zerosLike(wanted[k])
        if let why = differ(got, e, rtol: 1e-7, atol: 1e-7) { return "gradient \(k): \(why)" }
    }
    return nil
}

/// Why `actual` differs from `expected`, or nil.
func differ(_ actual: Tensor, _ expected: Tensor, rtol: Double, atol: Double) -> String? {
    if actual.shape != expected.shape { return "shape \(actual.shape), PyTorch \(expected.shape)" }
    if actual.dtype != expected.dtype { return "dtype \(actual.dtype), PyTorch \(expected.dtype)" }
    if !actual.dtype.isFloatingPoint {
        let a = actual.toArray(Int64.self), e = expected.toArray(Int64.self)
        guard let i = a.indices.first(where: { a[$0] != e[$0] }) else { return nil }
        return "element \(i) is \(a[i]), PyTorch \(e[i])"
    }
    let a = actual.to(.float64).scalars, e = expected.to(.float64).scalars
    var bad = 0, first = -1
    for i in 0..<a.count where !Checks.isClose(a[i], e[i], atol: atol, rtol: rtol) {
        if first < 0 { first = i }
        bad += 1
    }
    if bad == 0 { return nil }
    return "element \(first) is \(a[first]), PyTorch \(e[first]) (\(bad) of \(a.count) differ)"
}
