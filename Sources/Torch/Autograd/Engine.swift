import TorchBase

/// The backward engine: dependency counting over the nodes reachable from the roots, then nodes
/// run when all their gradients have arrived (latest-created first among the ready ones).
/// Gradients for the same slot are summed; the graph is released as it is consumed unless
/// `retainGraph`.
enum Engine {
    static func run(roots: [(Edge, Tensor)], capture: [Edge], retainGraph: Bool, createGraph: Bool,
                    accumulate: Bool, file: StaticString, line: UInt) -> [Tensor?] {
        // 1. Dependencies.
        var deps: [ObjectIdentifier: Int] = [:]
        var seen: Set<ObjectIdentifier> = []
        var stack = roots.map { $0.0.node }
        for n in stack { seen.insert(ObjectIdentifier(n)) }
        while let n = stack.popLast() {
            for case let e? in n.nextEdges {
                let id = ObjectIdentifier(e.node)
                deps[id, default: 0] += 1
                if seen.insert(id).inserted { stack.append(e.node) }
            }
        }
        // 2. Seed the buffers.
        var buffers: [ObjectIdentifier: [Tensor?]] = [:]
        var ready: [Node] = []
        func add(_ g: Tensor, to e: Edge) {
            let id = ObjectIdentifier(e.node)
            var buf = buffers[id] ?? [Tensor?](repeating: nil, count: Swift.max(e.node.numOutputs, e.inputNr + 1))
            if let old = buf[e.inputNr] { buf[e.inputNr] = old + g } else { buf[e.inputNr] = g }
            buffers[id] = buf
        }
        for (e, g) in roots {
            add(g, to: e)
        }
        for (e, _) in roots where deps[ObjectIdentifier(e.node)] == nil && !ready.contains(where: { $0 === e.node }) {
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
            for i in 1..<ready.count where ready[i].sequenceNr > ready[best].sequenceNr { best = i }
            let node = ready.remove(at: best)
            let id = ObjectIdentifier(node)
            var grads = buffers.removeValue(forKey: id) ?? []
            // Hooks on the node's outputs (non-leaf tensor hooks, retainGrad).
            for (slot, hooks) in node.outputHooks {
                guard slot < grads.count, let g0 = grads[slot] else { continue }
                var g = g0
                for h in hooks { if let r = h.fn(g) { g = r } }
                grads[slot] = g
            }
            for (slot, retain) in node.retainHooks where slot < grads.count {
                if let g = grads[slot] { retain(g) }
            }
            for (i, c) in capture.enumerated() where c.node === node && c.inputNr < grads.count {
                captured[i] = grads[c.inputNr]
            }
            if let acc = node as? AccumulateGrad {
                if accumulate, let g0 = grads.first ?? nil, let meta = acc.meta {
                    var g = g0
                    for h in meta.hooks { if let r = h.fn(g) { g = r } }
                    accumulateIntoLeaf(meta, g, createGraph: createGraph)
                }
                continue
            }
            let inputGrads = node.apply(grads)
            if state.anomaly {
                for case let g? in inputGrads where g.dtype.isFloatingPoint && Torch.noGrad({ g.isnan().any().item(Bool.self) }) {
                    torchFail("backward", "Function '\(node.name)' returned nan values in its output. The forward call that created it is at \(node.file):\(node.line).", file: node.file, line: node.line)
                }
            }
            if !retainGraph { node.release() }
            for (i, e) in node.nextEdges.enumerated() {
                guard let e else { continue }
                if i < inputGrads.count, let g = inputGrads[i] { add(g, to: e) }
                let nid = ObjectIdentifier(e.node)
                let left = deps[nid]! - 1
                deps[nid] = left
                if left == 0 { ready.append(e.node) }
            }
        }
        return captured
    }

    static func accumulateIntoLeaf(_ meta: AutogradMeta, _ g: Tensor, createGraph: Bool) {
        if createGraph {
            meta.grad = meta.grad.map { $0 + g } ?? g
        } else if let old = meta.grad {
            if old.requiresGrad || old.shape != g.shape { meta.grad = Torch.noGrad { old + g } }
            else { Torch.noGrad { old.add_(g) } }
        } else {
            meta.grad = Torch.noGrad { g.detach().clone() }
        }
    }
}
