import TorchBase

/// A differentiable primitive: an op that carries its own derivative (PyTorch's derivatives.yaml
/// entries). Composite ops (softmax, var, norm, ...) get gradients from these. Graph nodes record
/// which primitive made them, and `Primitive.allCases` is the registry tests, the tracer and the
/// exporter iterate: the element-wise ones come from their definitions (`UnaryPrimitives.all`,
/// `BinaryPrimitives.all`), the others are static members declared, with their family's list,
/// in the file that records them. Debug builds check that every recorded primitive is registered.
///
/// ```swift
/// (x * y).creator?.name   // "MulBackward0", from Primitive.mul
/// ```
public struct Primitive: Hashable, Sendable, CustomStringConvertible {
    /// PyTorch's name of the op (`mul`, `sin`).
    public let name: String
    /// PyTorch's node name where it is not `<Name>Backward0`.
    let node: String?
    /// The primitive named `name` (PyTorch's op name), with PyTorch's node name when it is not `<Name>Backward0`.
    public init(_ name: String, nodeName: String? = nil) { self.name = name; self.node = nodeName }
    /// The name.
    public var description: String { name }

    /// The name a node of this primitive carries, as in PyTorch (`MulBackward0`).
    public var nodeName: String {
        node ?? name.prefix(1).uppercased() + name.dropFirst() + "Backward0"
    }

    /// Every primitive (the registry).
    public static var allCases: [Primitive] {
        let structural =
            conversions + views + complexViews + ffts + eigs + indexing + windows + reductions + softmaxes + products
            + factorizations + inPlace + accumulations
        let binary = BinaryPrimitives.all.compactMap { $0.primitive }
        return structural + binary + UnaryPrimitives.all.filter { $0.isDifferentiable }.map { Primitive($0.name) }
    }

    /// The registry as a set, to check in debug builds that every recorded primitive is in it.
    static let registered = Set(allCases)
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
    static func recorded(
        _ p: Primitive, _ inputs: SmallList<Tensor>, save: SmallList<Tensor> = SmallList(), saveOutput: Bool = false,
        inputMeta: SmallList<TensorMeta> = SmallList(),
        file: StaticString, line: UInt, forward: () -> Tensor,
        backward: @escaping (_ node: FunctionNode, _ grad: Tensor) -> [Tensor?]
    ) -> Tensor {
        recorded(
            p, inputs, save: save, saveOutput: saveOutput, inputMeta: inputMeta, file: file, line: line,
            output: Torch.noGrad(forward), backward: backward)
    }

    /// Records a node for `p` over an output already computed by code that records nothing
    /// (a fresh tensor, never one of the inputs).
    static func recorded(
        _ p: Primitive, _ inputs: SmallList<Tensor>, save: SmallList<Tensor>, saveOutput: Bool,
        inputMeta: SmallList<TensorMeta> = SmallList(),
        file: StaticString, line: UInt, output out: Tensor,
        backward: @escaping (_ node: FunctionNode, _ grad: Tensor) -> [Tensor?]
    ) -> Tensor {
        assert(Primitive.registered.contains(p), "\(p) is recorded but not in Primitive.allCases")
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
