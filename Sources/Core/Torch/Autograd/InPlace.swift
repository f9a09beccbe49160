import TorchBase

// In-place ops on tensors in a graph: the new value is recorded as an op on the old one and the
// tensor (and its view base) is rebased onto it, as PyTorch's CopySlices.
extension Tensor {
    /// An in-place op on a tensor that takes part in a graph: refused on leaves that require grad
    /// (as in PyTorch); otherwise the op is recorded out of place on a copy of the old value and
    /// this tensor takes the new value and the new node.
    func rebaseInPlace(_ op: String, file: StaticString, line: UInt, _ compute: (Tensor) -> Tensor) {
        if isLeaf && requiresGrad {
            torchFail(
                op, "a leaf Variable that requires grad is being used in an in-place operation.", file: file, line: line
            )
        }
        if let base = viewBase, base.isLeaf && base.requiresGrad {
            torchFail(
                op, "a view of a leaf Variable that requires grad is being used in an in-place operation.", file: file,
                line: line)
        }
        if isPartsView || viewBase?.isPartsView == true {
            torchFail(
                op,
                "an in-place operation on a view_as_real/view_as_complex view (or real, imag) of a tensor in an "
                    + "autograd graph is not supported; write to the tensor itself or clone() the view",
                file: file, line: line)
        }
        let result = compute(clone())
        checkResultFits(result, op: op, file: file, line: line)
        Kernels.copy(operand, result.operand, device)
        bumpVersion()
        if let base = viewBase {
            rebaseBase(base, result: result, file: file, line: line)
            return
        }
        creator = result.creator
        outputNr = result.outputNr
        if creator == nil { autograd = nil }
    }
}

extension Tensor {
    /// After an in-place op wrote `result` into this view: the base's new value is its old value
    /// with this view's elements replaced by `result` (PyTorch's CopySlices), and this view now
    /// reads from that new base.
    func rebaseBase(_ base: Tensor, result: Tensor, file: StaticString, line: UInt) {
        let old = Tensor(storage: base.storage, layout: base.layout, dtype: base.dtype)
        old.creator = base.creator
        old.outputNr = base.outputNr
        let idx = Tensor.baseIndices(base: base.layout, view: layout)
        let baseShape = base.shape, viewShape = shape
        let node = FunctionNode(primitive: .copySlices, inputs: SmallList(old, result), file: file, line: line) {
            node, g in
            var keep: Tensor? = nil
            if node.needs(0) {
                // The old base keeps its gradient outside the overwritten elements.
                let mask = Torch.noGrad {
                    let ones = Tensor.ones(viewShape, dtype: g.dtype, device: g.device)
                    return (Tensor.scatterAddLinear(ones, idx, shape: baseShape) .== 0).to(g.dtype)
                }
                keep = g * mask
            }
            return [keep, node.needs(1) ? Tensor.gatherLinear(g, idx, shape: viewShape) : nil]
        }
        base.creator = node
        base.outputNr = 0
        let baseLayout = base.layout, viewLayout = layout
        creator = FunctionNode(primitive: .view, inputs: SmallList(base), file: file, line: line) { _, g in
            [Tensor.viewBackward(g, base: baseLayout, view: viewLayout)]
        }
        outputNr = 0
    }

    /// Row-major indices, in `base`, of the elements of `view` (a layout over the same storage).
    static func baseIndices(base: Layout, view: Layout) -> [Int] {
        if base.isContiguous {
            return view.elementOffsets().map { $0 - base.offset }
        }
        let baseOffsets = base.elementOffsets()
        guard let lo = baseOffsets.min(), let hi = baseOffsets.max() else { return [] }
        var table = [Int](repeating: -1, count: hi - lo + 1)
        for (i, o) in baseOffsets.enumerated() where table[o - lo] < 0 { table[o - lo] = i }
        return view.elementOffsets().map { table[$0 - lo] }
    }
}

extension Primitive {
    /// An in-place write into a view of a tensor in the graph.
    public static let copySlices = Primitive("copySlices")
    /// The in-place primitive, in the registry.
    static let inPlace: [Primitive] = [.copySlices]
}
