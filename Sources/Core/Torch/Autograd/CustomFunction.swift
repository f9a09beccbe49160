import TorchBase

/// State shared between the forward and backward closures of a custom function.
public final class FunctionContext {
    var toSave: [Tensor] = []
    weak var node: FunctionNode?
    /// Free-form values the forward wants the backward to see (shapes, flags, ...).
    public var values: [String: Any] = [:]

    /// Saves tensors for backward; they are checked against in-place modification.
    public func saveForBackward(_ tensors: Tensor...) { toSave += tensors }

    /// The saved tensors (in the backward closure), reconnected to the graph for double backward.
    public var savedTensors: [Tensor] {
        guard let node else { return toSave }
        return (0..<node.saved.count).map { node.savedTensor($0) }
    }
}

extension Torch {
    /// Defines an op by a forward and a backward closure, usable like any built-in op
    /// (`torch.autograd.Function`). The forward runs without recording; the backward maps the
    /// output gradient to one gradient per input (nil for none). Written with differentiable ops,
    /// the backward can itself be differentiated (`createGraph`).
    ///
    /// ```swift
    /// let y = Torch.customFunction("Cube", [x], forward: { ctx, xs in
    ///     ctx.saveForBackward(xs[0]); return xs[0] * xs[0] * xs[0]
    /// }, backward: { ctx, g in
    ///     let x = ctx.savedTensors[0]; return [g * x * x * 3]
    /// })
    /// ```
    public static func customFunction(
        _ name: String, _ inputs: [Tensor],
        forward: (FunctionContext, [Tensor]) -> Tensor,
        backward: @escaping (FunctionContext, Tensor) -> [Tensor?],
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let ctx = FunctionContext()
        let detached = inputs.map { $0.detach() }
        let out = Torch.noGrad { forward(ctx, detached) }
        guard Tensor.shouldRecord(inputs) else { return out }
        let shapes = inputs.map { $0.shape }
        let node = FunctionNode(name: name + "Backward", inputs: inputs, numOutputs: 1, file: file, line: line) {
            node, grads in
            guard let g = grads[0] else { return [] }
            return checkedGradients(backward(ctx, g), shapes, name, file: file, line: line)
        }
        ctx.node = node
        // The output is a fresh tensor that takes this node as its creator.
        let result = out.autograd == nil && out.creator == nil ? out : out.detach()
        result.creator = node
        // A saved input is saved as the caller's tensor, so that double backward sees its graph.
        node.saved = SmallList(
            ctx.toSave.map { t in
                if let i = detached.firstIndex(where: { $0 === t }) { return SavedTensor(inputs[i], isOutput: false) }
                return SavedTensor(t, isOutput: t === out || t === result)
            })
        return result
    }

    /// A custom function with several outputs (`torch.autograd.Function` returning a tuple): the
    /// backward gets one gradient per output (nil where an output received none) and returns one
    /// per input.
    ///
    /// ```swift
    /// let outs = Torch.customFunction("SumAndProduct", [a, b], forwardOutputs: { _, x in
    ///     [x[0] + x[1], x[0] * x[1]]
    /// }, backwardOutputs: { ctx, g in ... })
    /// ```
    public static func customFunction(
        _ name: String, _ inputs: [Tensor],
        forwardOutputs forward: (FunctionContext, [Tensor]) -> [Tensor],
        backwardOutputs backward: @escaping (FunctionContext, [Tensor?]) -> [Tensor?],
        file: StaticString = #fileID, line: UInt = #line
    ) -> [Tensor] {
        let ctx = FunctionContext()
        let detached = inputs.map { $0.detach() }
        let outs = Torch.noGrad { forward(ctx, detached) }
        guard Tensor.shouldRecord(inputs) else { return outs }
        let shapes = inputs.map { $0.shape }
        let node = FunctionNode(name: name + "Backward", inputs: inputs, numOutputs: outs.count, file: file, line: line)
        { _, grads in
            return checkedGradients(backward(ctx, Array(grads)), shapes, name, file: file, line: line)
        }
        ctx.node = node
        let results = outs.enumerated().map { i, out -> Tensor in
            let r =
                out.autograd == nil && out.creator == nil && !outs[..<i].contains(where: { $0 === out })
                ? out : out.detach()
            r.creator = node
            r.outputNr = i
            return r
        }
        node.saved = SmallList(
            ctx.toSave.map { t in
                if let i = detached.firstIndex(where: { $0 === t }) { return SavedTensor(inputs[i], isOutput: false) }
                return SavedTensor(t, isOutput: outs.contains { $0 === t } || results.contains { $0 === t })
            })
        return results
    }

    /// A custom backward's result, checked: one gradient per input, each of its input's shape.
    static func checkedGradients(_ r: [Tensor?], _ shapes: [[Int]], _ name: String, file: StaticString, line: UInt)
        -> [Tensor?]
    {
        if r.count != shapes.count {
            torchFail(
                name,
                "function backward returned an incorrect number of gradients (expected \(shapes.count), got "
                    + "\(r.count))",
                file: file, line: line)
        }
        for (i, gi) in r.enumerated() {
            if let gi, gi.shape != shapes[i] {
                torchFail(
                    name,
                    "Function \(name)Backward returned an invalid gradient at index \(i) - got \(gi.shape) but "
                        + "expected shape compatible with \(shapes[i])",
                    file: file, line: line)
            }
        }
        return r
    }
}
