import TorchBase

/// A differentiable primitive: an op that carries its own derivative (PyTorch's derivatives.yaml
/// entries). Composite ops (softmax, var, norm, ...) get gradients from these. Graph nodes record
/// which primitive made them, and `Primitive.allCases` is the registry tests, the tracer and the
/// exporter iterate: the element-wise ones come from their definitions (`UnaryPrimitives.all`),
/// the structural ones are the static members below.
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

    // binary
    /// The element-wise arithmetic primitives.
    public static let add = Primitive("add"), sub = Primitive("sub"), mul = Primitive("mul"), div = Primitive("div")
    /// `pow` with a tensor exponent (`PowBackward1`) and with a Python-scalar one (`PowBackward0`).
    public static let pow = Primitive("pow", nodeName: "PowBackward1"),
        powScalar = Primitive("powScalar", nodeName: "PowBackward0")
    /// Element-wise maximum and minimum.
    public static let maximum = Primitive("maximum"), minimum = Primitive("minimum")
    /// `atan2`, `remainder` and `fmod`.
    public static let atan2 = Primitive("atan2"), remainder = Primitive("remainder"), fmod = Primitive("fmod")
    // structure
    /// Conversions and copies: dtype, device, clone.
    public static let toDType = Primitive("toDType"), toDevice = Primitive("toDevice"), clone = Primitive("clone")
    /// Views, concatenation and `where`.
    public static let view = Primitive("view"), cat = Primitive("cat"), whereSelect = Primitive("whereSelect")
    /// An in-place write into a view of a tensor in the graph.
    public static let copySlices = Primitive("copySlices")
    // indexing
    /// Element selection and its adjoint (all indexing ops record these).
    public static let gatherLinear = Primitive("gatherLinear"), scatterAddLinear = Primitive("scatterAddLinear")
    /// `scatter` and `scatter_add` along a dimension.
    public static let scatterDim = Primitive("scatterDim"), scatterAddDim = Primitive("scatterAddDim")
    /// Sliding-window columns and their adjoint (convolutions are built on these).
    public static let im2col = Primitive("im2col"), col2im = Primitive("col2im")
    // reductions
    /// Reductions.
    public static let sum = Primitive("sum"), prod = Primitive("prod"), amax = Primitive("amax"),
        amin = Primitive("amin")
    /// Running sums and products.
    public static let cumsum = Primitive("cumsum"), cumprod = Primitive("cumprod")
    /// Softmax and log-softmax along a dimension.
    public static let softmax = Primitive("softmax"), logSoftmax = Primitive("logSoftmax")
    // linear algebra
    /// Matrix products.
    public static let matmul = Primitive("matmul"), addmm = Primitive("addmm")

    /// The primitives that are not element-wise functions of one tensor.
    static let structural: [Primitive] = [
        .add, .sub, .mul, .div, .pow, .powScalar, .maximum, .minimum, .atan2, .remainder, .fmod,
        .toDType, .toDevice, .clone, .view, .cat, .whereSelect, .copySlices,
        .gatherLinear, .scatterAddLinear, .scatterDim, .scatterAddDim, .im2col, .col2im,
        .sum, .prod, .amax, .amin, .cumsum, .cumprod, .softmax, .logSoftmax, .matmul, .addmm,
    ]

    /// Every primitive (the registry).
    public static var allCases: [Primitive] {
        structural + UnaryPrimitives.all.filter { $0.isDifferentiable }.map { Primitive($0.name) }
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
