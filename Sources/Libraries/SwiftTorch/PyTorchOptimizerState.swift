import Torch
import TorchBase
import TorchIO
import TorchOptim

extension BaseOptimizer {
    /// Loads an optimizer state that PyTorch saved with `torch.save(optimizer.state_dict(), path)`:
    /// the per-parameter state (`exp_avg`, `momentum_buffer`, `step`, …) and the groups' learning
    /// rates and per-group options. The groups and their sizes must match this optimizer's.
    ///
    /// ```swift
    /// let opt = Adam(model.parameters(), lr: 1e-3)
    /// try opt.loadPyTorchStateDict("optimizer.pt")
    /// ```
    public func loadPyTorchStateDict(_ path: String) throws {
        try loadPyTorchStateDict(PyTorchCheckpoint.load(path), source: path)
    }

    /// Loads an unpickled `optimizer.state_dict()` (see `loadPyTorchStateDict(_:)`).
    public func loadPyTorchStateDict(_ value: PickleValue, source: String = "state dict") throws {
        func fail(_ why: String) -> TorchError { TorchError("\(source): not an optimizer state dict: \(why)") }
        func entries(_ v: PickleValue?) -> [(PickleValue, PickleValue)]? {
            if case .dict(let d)? = v { return d.items }
            return nil
        }
        func lookup(_ items: [(PickleValue, PickleValue)], _ key: String) -> PickleValue? {
            items.first { if case .string(key) = $0.0 { return true } else { return false } }?.1
        }
        func number(_ v: PickleValue) -> Double? {
            switch v {
            case .int(let i): return Double(i)
            case .float(let d): return d
            case .bool(let b): return b ? 1 : 0
            case .tensor(let t) where t.count == 1: return t.to(.float64).item()
            default: return nil
            }
        }
        guard let top = entries(value) else { throw fail("expected a dictionary") }
        guard let stateItems = entries(lookup(top, "state")) else { throw fail("no 'state' dictionary") }
        guard case .list(let groupList)? = lookup(top, "param_groups") else { throw fail("no 'param_groups' list") }
        // PyTorch numbers parameters across the groups in order; map its ids to flat indices.
        var flatIndex: [Int: Int] = [:]
        var groups: [[String: Double]] = []
        var next = 0
        for (gi, group) in groupList.items.enumerated() {
            guard let items = entries(group), case .list(let ids)? = lookup(items, "params") else {
                throw fail("param group \(gi) has no 'params' list")
            }
            guard gi < paramGroups.count, ids.items.count == paramGroups[gi].params.count else {
                throw TorchError(
                    "\(source): param group \(gi) holds \(ids.items.count) parameters, the optimizer's "
                        + "\(gi < paramGroups.count ? String(paramGroups[gi].params.count) : "none")")
            }
            for id in ids.items {
                guard case .int(let i) = id else { throw fail("a parameter id is not an integer") }
                flatIndex[i] = next
                next += 1
            }
            var options: [String: Double] = [:]
            for (k, v) in items {
                guard case .string(let name) = k, name != "params" else { continue }
                if name == "betas", case .tuple(let pair) = v, pair.count == 2, let b1 = number(pair[0]),
                    let b2 = number(pair[1])
                {
                    (options["beta1"], options["beta2"]) = (b1, b2)
                } else if let x = number(v) {
                    options[name] = x
                }
            }
            groups.append(options)
        }
        var perParameter: [Int: [String: Tensor]] = [:]
        var steps: [Int: Int] = [:]
        for (key, entry) in stateItems {
            guard case .int(let id) = key, let i = flatIndex[id], let items = entries(entry) else {
                throw fail("a state entry is not keyed by a parameter id of the groups")
            }
            for (k, v) in items {
                guard case .string(let name) = k else { continue }
                if name == "step", let n = number(v) {
                    steps[i] = Int(n)
                } else if case .tensor(let t) = v {
                    perParameter[i, default: [:]][name] = t
                }
            }
        }
        try loadState(perParameter: perParameter, steps: steps, groups: groups)
    }
}

extension SchedulerState {
    /// Loads a learning-rate scheduler state that PyTorch saved with
    /// `torch.save(scheduler.state_dict(), path)` (its `last_epoch`, and for ReduceLROnPlateau its
    /// `best`, `num_bad_epochs` and `cooldown_counter`; for ChainedScheduler its schedulers'
    /// epochs): the schedule continues from there.
    ///
    /// ```swift
    /// let sched = LRScheduler.stepLR(opt, stepSize: 30)
    /// try sched.loadPyTorchStateDict("scheduler.pt")
    /// ```
    public func loadPyTorchStateDict(_ path: String) throws {
        guard case .dict(let d) = try PyTorchCheckpoint.load(path) else {
            throw TorchError("\(path): not a scheduler state dict: expected a dictionary")
        }
        var state: [String: String] = [:]
        for (k, v) in d.items {
            guard case .string(let name) = k else { continue }
            switch v {
            case .int(let i): state[name] = String(i)
            case .float(let x): state[name] = String(x)
            case .bool(let b): state[name] = b ? "1" : "0"
            case .list(let l) where name == "_schedulers":
                // ChainedScheduler's (and SequentialLR's) inner schedulers: their epoch counts.
                var epochs: [String] = []
                for item in l.items {
                    guard case .dict(let inner) = item,
                        let e = inner.items.first(where: {
                            if case .string("last_epoch") = $0.0 { true } else { false }
                        }),
                        case .int(let epoch) = e.1
                    else { throw TorchError("\(path): an inner scheduler state has no integer last_epoch") }
                    epochs.append(String(epoch))
                }
                state["last_epochs"] = epochs.joined(separator: ",")
            default: break
            }
        }
        try loadStateDict(state)
    }
}
