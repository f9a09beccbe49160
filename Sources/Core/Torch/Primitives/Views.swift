import TorchBase

// The view primitive: any strided view of a tensor, recorded with the backward that maps its
// gradient back to the base (reshape, expand, permute, or a scatter through element indices).
extension Tensor {
    /// A view of this tensor's storage with `layout`, recorded when this tensor needs grad.
    /// The backward recognises reshapes, permutations and expansions; any other view (slices,
    /// diagonals, unfold, as_strided, flips) scatters the gradient through element indices.
    func recordedView(_ layout: Layout, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let base = self.layout
        return Tensor.recorded(
            .view, [self], file: file, line: line,
            forward: { Tensor(storage: storage, layout: layout, dtype: dtype) },
            backward: { _, g in [Tensor.viewBackward(g, base: base, view: layout)] })
    }

    static func viewBackward(_ g: Tensor, base: Layout, view: Layout) -> Tensor {
        let baseShape = base.shape
        // Same elements in the same order: a reshape.
        if base.isContiguous && view.isContiguous && base.offset == view.offset && base.count == view.count {
            return g.reshape(baseShape)
        }
        // Expansion: trailing dims match base dims or are broadcast from size 1.
        if view.offset == base.offset && view.rank >= base.rank {
            let lead = view.rank - base.rank
            var isExpand = (0..<lead).allSatisfy { view.strides[$0] == 0 }
            for i in 0..<base.rank where isExpand {
                let v = lead + i
                let same = view.shape[v] == base.shape[i] && (view.strides[v] == base.strides[i] || base.shape[i] == 1)
                let bcast = base.shape[i] == 1 && view.strides[v] == 0
                isExpand = same || bcast
            }
            if isExpand { return g.sumToShape(baseShape) }
        }
        // Permutation of the base's dimensions.
        if view.offset == base.offset && view.rank == base.rank, let perm = permutation(from: base, to: view) {
            var inverse = [Int](repeating: 0, count: perm.count)
            for (i, p) in perm.enumerated() { inverse[p] = i }
            return g.permute(inverse)
        }
        // A view that selects each element at most once, of a base whose elements fill its storage
        // range exactly (contiguous, or a permutation of contiguous such as the heads of a
        // transposed projection): write the gradient through the same view of a zero buffer laid
        // out as the base (one strided copy; no index tables).
        if view.isNonOverlapping && !GradMode.isEnabled && base.isDense {
            let z = Tensor.zeros([base.count], dtype: g.dtype, device: g.device)
            let rel = Layout(shape: view.shape, strides: view.strides, offset: view.offset - base.offset)
            Tensor(storage: z.storage, layout: rel, dtype: z.dtype).copy_(g)
            return Tensor(
                storage: z.storage, layout: Layout(shape: baseShape, strides: base.strides, offset: 0), dtype: z.dtype)
        }
        // General: map each view element to the base element with the same storage offset.
        let baseOffsets = base.elementOffsets()
        guard let lo = baseOffsets.min(), let hi = baseOffsets.max() else {
            return Tensor.zeros(baseShape, dtype: g.dtype)
        }
        var table = [Int](repeating: -1, count: hi - lo + 1)
        for (i, o) in baseOffsets.enumerated() where table[o - lo] < 0 { table[o - lo] = i }
        let idx = view.elementOffsets().map { table[$0 - lo] }
        return scatterAddLinear(g, idx, shape: baseShape)
    }

    static func permutation(from base: Layout, to view: Layout) -> [Int]? {
        var used = [Bool](repeating: false, count: base.rank)
        var perm: [Int] = []
        for d in 0..<view.rank {
            guard
                let j = (0..<base.rank).first(where: {
                    !used[$0] && base.shape[$0] == view.shape[d]
                        && (base.strides[$0] == view.strides[d] || base.shape[$0] == 1)
                })
            else { return nil }
            used[j] = true
            perm.append(j)
        }
        return perm
    }
}

extension Primitive {
    /// Any strided view.
    public static let view = Primitive("view")
    /// The view primitive, in the registry.
    static let views: [Primitive] = [.view]
}

extension Tensor {
    /// A strided view no public view op recorded (`asStrided`, a view made inside core at depth
    /// zero), recorded for the tracer with its layout relative to this tensor's offset: replays
    /// only on inputs laid out as the traced one (Note [Tracing]).
    func tracedStrided(_ layout: Layout) -> Tensor {
        let attrs: [(String, TraceAttribute)] = [
            ("size", .ints(layout.shape)), ("stride", .ints(layout.strides)),
            ("offset", .int(layout.offset - self.layout.offset)), ("contiguousInput", .bool(isContiguous)),
        ]
        let relative = layout.offset - self.layout.offset
        return traced("asStrided", attrs, #fileID, #line) { x in
            x.view(layout: Layout(shape: layout.shape, strides: layout.strides, offset: x.layout.offset + relative))
        }
    }
}
