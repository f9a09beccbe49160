import TorchBase

/// The backward engine: dependency counting over the nodes reachable from the roots, then nodes
/// run when all their gradients have arrived (latest-created first among the ready ones).
/// Gradients for the same slot are summed; the graph is released as it is consumed unless
/// `retainGraph`. Per-run bookkeeping lives on the nodes (`pendingDeps`, `buffer`), marked with
/// a run number, so a pass allocates no dictionaries.
enum Engine {
    nonisolated(unsafe) static var runCounter = 0

    static func run(
        roots: [(Edge, Tensor)], capture: [Edge], retainGraph: Bool, createGraph: Bool,
        accumulate: Bool, file: StaticString, line: UInt
    ) -> [Tensor?] {
        runCounter &+= 1
        let mark = runCounter
        func visit(_ n: Node) -> Bool {
            if n.runMark == mark { return false }
            n.runMark = mark
            n.pendingDeps = 0
            n.buffer.removeAll()
            return true
        }
        // 1. Dependencies.
        var stack: [Node] = []
        stack.reserveCapacity(16)
        for (e, _) in roots where visit(e.node) { stack.append(e.node) }
        while let n = stack.popLast() {
            for case let e? in n.edges {
                if visit(e.node) { stack.append(e.node) }
                e.node.pendingDeps += 1
            }
        }
        // 2. Seed the buffers.
        func add(_ g: Tensor, to e: Edge) {
            let n = e.node
            if n.buffer.isEmpty {
                for _ in 0..<Swift.max(n.numOutputs, e.inputNr + 1) { n.buffer.append(nil) }
            }
            if let old = n.buffer[e.inputNr] { n.buffer[e.inputNr] = old + g } else { n.buffer[e.inputNr] = g }
        }
        var ready: [Node] = []
        ready.reserveCapacity(16)
        for (e, g) in roots { add(g, to: e) }
        for (e, _) in roots where e.node.pendingDeps == 0 && !ready.contains(where: { $0 === e.node }) {
            ready.append(e.node)
        }
        var captured = [Tensor?](repeating: nil, count: capture.count)
        let state = GradMode.state
        let oldEnabled = state.enabled, oldSite = state.backwardSite
        state.enabled = createGraph
        state.backwardSite = (file, line)
        defer { state.enabled = oldEnabled; state.backwardSite = oldSite }

        // 3. Run.
        while !ready.isEmpty {
            var best = 0
            if ready.count > 1 {
                for i in 1..<ready.count where ready[i].sequenceNr > ready[best].sequenceNr { best = i }
            }
            let node = best == ready.count - 1 ? ready.removeLast() : ready.remove(at: best)
            var grads = node.buffer
            node.buffer.removeAll()
            if !node.outputHooks.isEmpty {
                for (slot, hooks) in node.outputHooks {
                    guard slot < grads.count, var g = grads[slot] else { continue }
                    for h in hooks { if let r = h.fn(g) { g = r } }
                    grads[slot] = g
                }
            }
            if !node.retainHooks.isEmpty {
                for (slot, retain) in node.retainHooks where slot < grads.count {
                    if let g = grads[slot] { retain(g) }
                }
            }
            for (i, c) in capture.enumerated() where c.node === node && c.inputNr < grads.count {
                captured[i] = grads[c.inputNr]
            }
            if node.isAccumulator {
                let acc = unsafeDowncast(node, to: AccumulateGrad.self)
                if accumulate, var g = grads.first ?? nil, let meta = acc.meta {
                    grads.removeAll()  // the engine's other reference, so that `g` may be unique
                    for h in meta.hooks { if let r = h.fn(g) { g = r } }
                    // Reusable only when no one else (a root gradient, a saved or captured
                    // tensor, a hook) holds this tensor object.
                    let unique = isKnownUniquelyReferenced(&g)
                    accumulateIntoLeaf(meta, g, createGraph: createGraph, reusable: unique)
                }
                continue
            }
            let inputGrads = Profiling.backward(node) { node.apply(grads) }
            if state.anomaly {
                for case let g? in inputGrads
                where g.dtype.isFloatingPoint && Torch.noGrad({ g.isnan().any().item(Bool.self) }) {
                    torchFail(
                        "backward",
                        "Function '\(node.name)' returned nan values in its output. The forward call that created it "
                            + "is at \(node.site).",
                        file: node.file, line: node.line)
                }
            }
            if !retainGraph { node.release() }
            for (i, e) in node.edges.enumerated() {
                guard let e else { continue }
                if i < inputGrads.count, let g = inputGrads[i] { add(g, to: e) }
                e.node.pendingDeps -= 1
                if e.node.pendingDeps == 0 { ready.append(e.node) }
            }
        }
        return captured
    }

    static func accumulateIntoLeaf(_ meta: AutogradMeta, _ g: Tensor, createGraph: Bool, reusable: Bool = false) {
        if createGraph {
            meta.grad = meta.grad.map { $0 + g } ?? g
        } else if let old = meta.grad {
            if old.requiresGrad || old.shape != g.shape {
                meta.grad = Torch.noGrad { old + g }
            } else {
                Torch.noGrad { old.add_(g) }
            }
        } else if reusable && !g.requiresGrad && g.isContiguous && g.storageOffset == 0
            && g.storage.byteCount == g.count * g.itemSize && g.hasUniqueStorage()
        {
            // A fresh gradient that nothing else holds (neither the tensor object nor its
            // storage) becomes .grad without a copy, as PyTorch steals it.
            meta.grad = g.detach()
        } else {
            meta.grad = Torch.noGrad { g.detach().clone() }
        }
    }
}
