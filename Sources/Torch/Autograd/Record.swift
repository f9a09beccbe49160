import TorchBase

/// Every differentiable primitive: the single table of ops that carry their own derivative
/// (PyTorch's derivatives.yaml). Composite ops (softmax, var, norm, ...) get gradients from these.
/// Tests iterate this table so that no primitive escapes gradcheck.
public enum Primitive: String, CaseIterable, Sendable {
    // binary
    case add, sub, mul, div, pow, maximum, minimum, atan2, remainder, fmod
    // unary
    case neg, abs, sign, square, exp, exp2, expm1, log, log2, log10, log1p, sqrt, rsqrt
    case sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, sigmoid, relu, gelu, geluTanh
    case silu, softplus, erf, erfc, floor, ceil, round, trunc, reciprocal
    // structure
    case toDType, toDevice, clone, view, cat, whereSelect, copySlices
    // indexing
    case gatherLinear, scatterAddLinear, scatterDim, scatterAddDim, im2col, col2im
    // reductions
    case sum, prod, amax, amin, cumsum, cumprod, softmax, logSoftmax
    // linear algebra
    case matmul, addmm

    /// The name a node of this primitive carries, as in PyTorch (`MulBackward0`).
    public var nodeName: String {
        let n = rawValue
        return n.prefix(1).uppercased() + n.dropFirst() + "Backward0"
    }
}

extension Tensor {
    /// True when an op on these inputs must record a node: grad mode on and an input requires grad.
    @inline(__always) static func shouldRecord(_ a: Tensor) -> Bool {
        a.needsGradient && GradMode.isEnabled
    }
    @inline(__always) static func shouldRecord(_ a: Tensor, _ b: Tensor) -> Bool {
        (a.needsGradient || b.needsGradient) && GradMode.isEnabled
    }
    static func shouldRecord(_ ts: [Tensor]) -> Bool {
        ts.contains { $0.needsGradient } && GradMode.isEnabled
    }

    /// Runs `forward` without recording, then records one node for `p` whose backward maps the
    /// output gradient to input gradients. `save` lists tensors the backward reads back through
    /// `node.savedTensor(i)` (in that order, the output last when `saveOutput`).
    static func recorded(_ p: Primitive, _ inputs: SmallList<Tensor>, save: SmallList<Tensor> = SmallList(), saveOutput: Bool = false,
                         inputMeta: SmallList<TensorMeta> = SmallList(),
                         file: StaticString, line: UInt, forward: () -> Tensor,
                         backward: @escaping (_ node: FunctionNode, _ grad: Tensor) -> [Tensor?]) -> Tensor {
        recorded(p, inputs, save: save, saveOutput: saveOutput, inputMeta: inputMeta, file: file, line: line,
                 output: Torch.noGrad(forward), backward: backward)
    }

    /// Records a node for `p` over an output already computed by code that records nothing
    /// (a fresh tensor, never one of the inputs).
    static func recorded(_ p: Primitive, _ inputs: SmallList<Tensor>, save: SmallList<Tensor>, saveOutput: Bool,
                         inputMeta: SmallList<TensorMeta> = SmallList(),
                         file: StaticString, line: UInt, output out: Tensor,
                         backward: @escaping (_ node: FunctionNode, _ grad: Tensor) -> [Tensor?]) -> Tensor {
        let node = FunctionNode(primitive: p, inputs: inputs, file: file, line: line, backward1: backward)
        if !inputMeta.isEmpty { node.inputMeta = inputMeta }
        out.creator = node
        if !save.isEmpty || saveOutput {
            var saved = SmallList<SavedTensor>()
            for t in save { saved.append(SavedTensor(t, isOutput: false)) }
            if saveOutput { saved.append(SavedTensor(out, isOutput: true)) }
            node.saved = saved
        }
        return out
    }

    /// Sums a broadcast gradient back to `shape` (the shape of the input it belongs to).
    func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var dims = Array(0..<lead)
        for (i, s) in target.enumerated() where s == 1 && shape[lead + i] != 1 { dims.append(lead + i) }
        if dims.isEmpty { return reshape(target) }
        return sum(dims: dims, keepdim: true).reshape(target)
    }
}

extension FunctionNode {
    /// Whether input `i` needs a gradient (its edge exists).
    func needs(_ i: Int) -> Bool { i < edges.count && edges[i] != nil }
}
