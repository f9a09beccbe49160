import TorchBase

/// Per-tensor autograd state (PyTorch's AutogradMeta).
final class AutogradMeta {
    /// Set on leaves; a non-leaf requires grad because it has a creator.
    var requiresGrad = false
    var grad: Tensor?
    /// A sparse gradient (Note [Sparse gradients]).
    var sparseGrad: SparseTensor?
    var retainsGrad = false
    var hooks: [(id: Int, fn: (Tensor) -> Tensor?)] = []
    /// Held strongly: the accumulator refers back to this meta only weakly, so there is no cycle.
    var accumulator: AccumulateGrad?
    var name: String?
    /// Marked by `parameter(_:)` or a module's `registerParameter`: a module's stored property
    /// holding it is registered as a parameter even while it does not require grad.
    var isParameter = false
}

/// Handle returned by `registerHook`; call `remove()` to unregister.
public final class HookHandle {
    let removeFn: () -> Void
    init(_ f: @escaping () -> Void) { removeFn = f }
    /// Removes the hook.
    public func remove() { removeFn() }
}

nonisolated(unsafe) var hookCounter = 0

extension Tensor {
    convenience init(aliasOfLeaf t: Tensor, meta: AutogradMeta) {
        self.init(storage: t.storage, layout: t.layout, dtype: t.dtype)
        autograd = meta
    }

    /// Whether gradients flow to this tensor. Settable on leaves only.
    ///
    /// ```swift
    /// let w = Tensor.randn([3]).requiresGrad_()
    /// ```
    public var requiresGrad: Bool {
        get { needsGradient }
        set { setRequiresGrad(newValue) }
    }

    /// A non-leaf (it has a creator) or a leaf marked `requiresGrad`.
    @inline(__always) var needsGradient: Bool {
        creator != nil || autograd?.requiresGrad == true
    }

    /// Sets whether gradients accumulate into this leaf (only leaves can change it). `w.setRequiresGrad(false)`
    public func setRequiresGrad(_ value: Bool, file: StaticString = #fileID, line: UInt = #line) {
        if creator != nil {
            torchFail(
                "requiresGrad", "you can only change requires_grad flags of leaf variables.", file: file, line: line)
        }
        if value && !dtype.isFloatingPoint && !dtype.isComplex {
            torchFail(
                "requiresGrad", "only Tensors of floating point and complex dtype can require gradients, got \(dtype)",
                file: file, line: line)
        }
        if autograd == nil { if !value { return }; autograd = AutogradMeta() }
        autograd!.requiresGrad = value
    }

    /// Sets `requiresGrad` and returns self.
    @discardableResult
    public func requiresGrad_(_ value: Bool = true, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        setRequiresGrad(value, file: file, line: line)
        return self
    }

    /// The accumulated gradient of a leaf (or of a non-leaf after `retainGrad()`).
    public var grad: Tensor? {
        get { autograd?.grad }
        set {
            if autograd == nil { autograd = AutogradMeta() }
            autograd!.grad = newValue
        }
    }

    /// The sparse gradient a sparse op accumulated for this leaf (PyTorch's `.grad` with layout
    /// `torch.sparse_coo`, as `nn.Embedding(sparse=True)` gives), nil when there is none; the
    /// dense gradient stays in `grad` (Note [Sparse gradients]).
    public var sparseGrad: SparseTensor? {
        get { autograd?.sparseGrad }
        set {
            if autograd == nil { autograd = AutogradMeta() }
            autograd!.sparseGrad = newValue
        }
    }

    /// Adds `s` to the sparse gradient (concatenated, uncoalesced, as PyTorch accumulates).
    package func accumulateSparseGrad(_ s: SparseTensor) {
        sparseGrad = sparseGrad.map { $0 + s } ?? s
    }

    /// The node that created this tensor (nil for leaves).
    public var gradFn: Node? { creator }

    /// True for tensors not produced by a recorded op.
    public var isLeaf: Bool { creator == nil }

    /// Whether this leaf is a module parameter (`nn.Parameter` in PyTorch): set by `parameter(_:)`
    /// and `Module.registerParameter`, read by a module's automatic registration.
    public var isParameter: Bool {
        get { autograd?.isParameter == true }
        set {
            if autograd == nil { if !newValue { return }; autograd = AutogradMeta() }
            autograd!.isParameter = newValue
        }
    }

    /// Keeps `.grad` for this non-leaf tensor during backward.
    public func retainGrad() {
        guard let node = creator else { return }
        if autograd == nil { autograd = AutogradMeta() }
        let meta = autograd!
        if meta.retainsGrad { return }
        meta.retainsGrad = true
        node.retainHooks[outputNr] = { [weak meta] g in
            guard let meta else { return }
            meta.grad = meta.grad.map { old in Torch.noGrad { old + g } } ?? (GradMode.isEnabled ? g : g.clone())
        }
    }

    /// A tensor sharing storage but cut from the graph.
    public func detach() -> Tensor { Tensor(storage: storage, layout: layout, dtype: dtype) }

    /// Cuts this tensor from the graph in place (it becomes a leaf that does not require grad).
    @discardableResult
    public func detach_() -> Tensor {
        creator = nil
        autograd?.requiresGrad = false
        return self
    }

    /// Registers a hook called with this tensor's gradient during backward; returning a tensor
    /// replaces the gradient.
    ///
    /// ```swift
    /// let h = w.registerHook { g in g * 2 }
    /// h.remove()
    /// ```
    @discardableResult
    public func registerHook(file: StaticString = #fileID, line: UInt = #line, _ hook: @escaping (Tensor) -> Tensor?)
        -> HookHandle
    {
        hookCounter += 1
        let id = hookCounter
        if let node = creator {
            let slot = outputNr
            node.outputHooks[slot, default: []].append((id, hook))
            return HookHandle { [weak node] in node?.outputHooks[slot]?.removeAll { $0.id == id } }
        }
        guard let meta = autograd, meta.requiresGrad else {
            torchFail(
                "registerHook", "cannot register a hook on a tensor that doesn't require gradient", file: file,
                line: line)
        }
        meta.hooks.append((id, hook))
        return HookHandle { [weak meta] in meta?.hooks.removeAll { $0.id == id } }
    }

    /// Where this tensor's gradient goes: its creator's output slot, or its leaf accumulator.
    func gradientEdge() -> Edge? {
        if let fn = creator { return Edge(node: fn, inputNr: outputNr) }
        guard let meta = autograd, meta.requiresGrad else { return nil }
        if let acc = meta.accumulator { return Edge(node: acc, inputNr: 0) }
        let acc = AccumulateGrad(meta: meta, shape: shape, dtype: dtype)
        meta.accumulator = acc
        return Edge(node: acc, inputNr: 0)
    }

    /// Computes gradients of this tensor with respect to the leaves of its graph and accumulates
    /// them into their `.grad`.
    ///
    /// ```swift
    /// let loss = (w * x).sum()
    /// loss.backward()
    /// ```
    public func backward(
        gradient: Tensor? = nil, retainGraph: Bool? = nil, createGraph: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        guard let edge = gradientEdge() else {
            torchFail(
                "backward", "element 0 of tensors does not require grad and does not have a grad_fn", file: file,
                line: line)
        }
        let g = gradient ?? Tensor.rootGradient(self, "backward", file: file, line: line)
        if g.shape != shape {
            torchFail(
                "backward",
                "Mismatch in shape: grad_output[0] has a shape of \(g.shape) and output[0] has a shape of \(shape).",
                file: file, line: line)
        }
        _ = Engine.run(
            roots: [(edge, g)], capture: [], retainGraph: retainGraph ?? createGraph,
            createGraph: createGraph, accumulate: true, file: file, line: line)
    }

    static func rootGradient(_ t: Tensor, _ op: String, file: StaticString, line: UInt) -> Tensor {
        if t.count != 1 {
            torchFail(op, "grad can be implicitly created only for scalar outputs", file: file, line: line)
        }
        if t.dtype.isComplex {
            torchFail(op, "grad can be implicitly created only for real scalar outputs", file: file, line: line)
        }
        return Tensor.onesLike(t)
    }
}

extension Torch {
    /// Gradients of `outputs` with respect to `inputs`, returned instead of accumulated
    /// (`torch.autograd.grad`). With `createGraph` the result is differentiable again.
    ///
    /// ```swift
    /// let (g) = Torch.grad(outputs: [y], inputs: [x], createGraph: true)[0]!
    /// ```
    public static func grad(
        outputs: [Tensor], inputs: [Tensor], gradOutputs: [Tensor?]? = nil,
        retainGraph: Bool? = nil, createGraph: Bool = false, allowUnused: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> [Tensor?] {
        var roots: [(Edge, Tensor)] = []
        for (i, o) in outputs.enumerated() {
            guard let e = o.gradientEdge() else {
                torchFail(
                    "grad", "element \(i) of tensors does not require grad and does not have a grad_fn", file: file,
                    line: line)
            }
            let g = gradOutputs?[i] ?? Tensor.rootGradient(o, "grad", file: file, line: line)
            roots.append((e, g))
        }
        let edges: [Edge?] = inputs.map { t in
            if !t.requiresGrad {
                torchFail("grad", "One of the differentiated Tensors does not require grad", file: file, line: line)
            }
            return t.gradientEdge()
        }
        let result = Engine.run(
            roots: roots, capture: edges.map { $0! }, retainGraph: retainGraph ?? createGraph,
            createGraph: createGraph, accumulate: false, file: file, line: line)
        for (i, r) in result.enumerated() where r == nil && !allowUnused {
            torchFail(
                "grad",
                "One of the differentiated Tensors (input \(i)) appears to not have been used in the graph. Set "
                    + "allowUnused: true if this is the desired behavior.",
                file: file, line: line)
        }
        return result
    }
}

extension Tensor {
    /// The identities of the leaves whose gradient a backward from this tensor would reach
    /// (DDP's `find_unused_parameters` walks the graph this way after forward).
    package func reachableLeafIDs() -> Set<ObjectIdentifier> {
        var leaves = Set<ObjectIdentifier>()
        if let meta = autograd, creator == nil { leaves.insert(ObjectIdentifier(meta)) }
        var stack: [Node] = creator.map { [$0] } ?? []
        var seen = Set<ObjectIdentifier>()
        while let node = stack.popLast() {
            guard seen.insert(ObjectIdentifier(node)).inserted else { continue }
            if let acc = node as? AccumulateGrad, let meta = acc.meta { leaves.insert(ObjectIdentifier(meta)) }
            for case let edge? in node.edges { stack.append(edge.node) }
        }
        return leaves
    }

    /// This leaf's identity in `reachableLeafIDs`, when it has autograd state.
    package var leafID: ObjectIdentifier? { autograd.map(ObjectIdentifier.init) }
}
