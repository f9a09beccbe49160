import Torch
import TorchBase

/// A set of parameters with their own hyperparameters (PyTorch's param_groups). Options not set
/// in a group fall back to the optimizer's defaults.
///
/// ```swift
/// let opt = SGD(groups: [ParamGroup(backbone.parameters(), lr: 0.01), ParamGroup(head.parameters())], lr: 0.1)
/// ```
public final class ParamGroup {
    /// The parameters this group updates.
    public var params: [Tensor]
    /// This group's learning rate (nil: the optimizer's default); schedulers change it.
    public var lr: Double?
    /// The learning rate before any scheduler changed it (PyTorch's `initial_lr`): set by the
    /// first scheduler attached, and the base of every later one.
    public var initialLR: Double?
    /// This group's other options by name (`momentum`, `weightDecay`, ...), over the defaults.
    public var options: [String: Double]
    /// A group of `params` with its own `lr` and options. `ParamGroup(head.parameters(), lr: 0.01)`
    public init(_ params: [Tensor], lr: Double? = nil, options: [String: Double] = [:]) {
        self.params = params; self.lr = lr; self.options = options
    }
}

/// What every optimizer offers: parameter groups, `step()`, `zeroGrad`, a learning rate that
/// schedulers drive, and a state dict (tensors plus string metadata) for checkpoints.
public protocol Optimizer: AnyObject {
    var paramGroups: [ParamGroup] { get }
    func step()
    func zeroGrad(setToNil: Bool)
    func stateDict() -> (tensors: [String: Tensor], metadata: [String: String])
    func loadStateDict(_ tensors: [String: Tensor], metadata: [String: String]) throws
}

extension Optimizer {
    /// `zeroGrad(setToNil:)` in PyTorch's words (`zero_grad(set_to_none=...)`). `opt.zeroGrad(setToNone: false)`
    public func zeroGrad(setToNone: Bool) { zeroGrad(setToNil: setToNone) }

    /// Clears every parameter's gradient (PyTorch's default `set_to_none=True`), through the
    /// protocol as well as on a concrete optimizer. `optimizer.zeroGrad()`
    public func zeroGrad() { zeroGrad(setToNil: true) }

    /// The first group's learning rate; setting it sets every group's.
    public var lr: Double {
        get { paramGroups.first?.lr ?? 0 }
        set { for g in paramGroups { g.lr = newValue } }
    }
}

/// Shared machinery: groups, per-parameter state tensors, state dicts. Subclasses implement
/// `update(group:index:param:grad:)` for one parameter.
public class BaseOptimizer: Optimizer {
    /// The parameter groups, in order.
    public let paramGroups: [ParamGroup]
    let defaults: [String: Double]
    /// Per-parameter state by flat parameter index (across groups in order).
    public var state: [[String: Tensor]]
    public internal(set) var stepCount = 0
    /// Steps taken by each parameter (PyTorch's per-parameter `step` state): a parameter whose
    /// gradient was missing for a step does not advance.
    public internal(set) var paramSteps: [Int]

    init(groups: [ParamGroup], defaults: [String: Double], file: StaticString = #fileID, line: UInt = #line) {
        if groups.allSatisfy({ $0.params.isEmpty }) {
            torchFail("optimizer", "optimizer got an empty parameter list", file: file, line: line)
        }
        self.defaults = defaults
        for g in groups where g.lr == nil { g.lr = defaults["lr"] }
        paramGroups = groups
        state = [[String: Tensor]](repeating: [:], count: groups.reduce(0) { $0 + $1.params.count })
        paramSteps = [Int](repeating: 0, count: state.count)
    }

    /// Option `key` for a group (the group's own value, else the default).
    func option(_ g: ParamGroup, _ key: String) -> Double {
        key == "lr" ? g.lr! : (g.options[key] ?? defaults[key] ?? 0)
    }

    /// Clears every parameter's gradient (to nil, or to zeros with `setToNil: false`). `opt.zeroGrad()`
    public func zeroGrad(setToNil: Bool = true) {
        for g in paramGroups {
            for p in g.params {
                if setToNil { p.grad = nil } else { p.grad?.zero_() }
                if p.sparseGrad != nil { p.sparseGrad = nil }
            }
        }
    }

    func update(group: ParamGroup, index: Int, param: Tensor, grad: Tensor) { fatalError("override update") }

    /// One update from a sparse gradient (Note [Sparse gradients]); the optimizers that take one
    /// override it. PyTorch's refusal otherwise.
    func updateSparse(group: ParamGroup, index: Int, param: Tensor, grad: SparseTensor) {
        let name = String(describing: type(of: self))
        torchFail(
            name,
            "\(name) does not support sparse gradients"
                + (name == "Adam" ? ", please consider SparseAdam instead" : ""),
            file: #fileID, line: #line)
    }

    /// One update of every parameter that has a gradient. `loss.backward(); opt.step()`
    public func step() {
        stepCount += 1
        Profiling.span("Optimizer.step#\(type(of: self)).step", .optimizer) {
            noGradStep()
        }
    }

    private func noGradStep() {
        Torch.noGrad {
            var i = 0
            for g in paramGroups {
                for p in g.params {
                    defer { i += 1 }
                    if let sparse = p.sparseGrad {
                        paramSteps[i] += 1
                        // Dense plus sparse is dense, as in PyTorch (a table also used densely).
                        if let dense = p.grad {
                            update(group: g, index: i, param: p, grad: dense + sparse.toDense())
                        } else {
                            updateSparse(group: g, index: i, param: p, grad: sparse)
                        }
                        continue
                    }
                    guard let grad = p.grad else { continue }
                    paramSteps[i] += 1
                    update(group: g, index: i, param: p, grad: grad)
                }
            }
        }
    }

    /// Reevaluates the loss with `closure` (with gradients on), then takes the step; returns that
    /// loss (`optimizer.step(closure)`).
    ///
    /// ```swift
    /// let loss = opt.step { opt.zeroGrad(); let l = criterion(model(x), y); l.backward(); return l }
    /// ```
    @discardableResult
    public func step(closure: () -> Tensor) -> Tensor {
        let loss = Torch.enableGrad { closure() }
        step()
        return loss
    }

    /// A state tensor of parameter `i`, created as a copy of `like` filled with `fill` on first use.
    func buffer(_ i: Int, _ name: String, _ like: Tensor, fill: Double = 0) -> Tensor {
        if let t = state[i][name] { return t }
        let t = Tensor.fullLike(like, fill)
        state[i][name] = t
        return t
    }

    /// Tensors under "state.<param index>.<name>", metadata "step" and per-group learning rates
    /// and options (PyTorch's layout, flattened for the tensor formats).
    public func stateDict() -> (tensors: [String: Tensor], metadata: [String: String]) {
        var t: [String: Tensor] = [:]
        for (i, s) in state.enumerated() { for (k, v) in s { t["state.\(i).\(k)"] = v.detach() } }
        for (i, n) in paramSteps.enumerated() where n > 0 {
            t["state.\(i).step"] = Tensor.scalar(Float(n), dtype: .float32)
        }
        var m = ["step": String(stepCount), "groups": String(paramGroups.count)]
        for (gi, g) in paramGroups.enumerated() {
            m["group.\(gi).lr"] = String(g.lr!)
            for (k, v) in g.options { m["group.\(gi).\(k)"] = String(v) }
        }
        return (t, m)
    }

    /// Restores the state written by `stateDict()`, checking that the groups match.
    ///
    /// ```swift
    /// let (t, m) = opt.stateDict(); try opt.loadStateDict(t, metadata: m)
    /// ```
    public func loadStateDict(_ tensors: [String: Tensor], metadata: [String: String]) throws {
        guard Int(metadata["groups"] ?? "") == paramGroups.count else {
            throw TorchError(
                "loaded state dict has \(metadata["groups"] ?? "no") parameter groups, the optimizer has "
                    + "\(paramGroups.count)"
            )
        }
        var fresh = [[String: Tensor]](repeating: [:], count: state.count)
        var steps = [Int](repeating: 0, count: state.count)
        for (k, v) in tensors where k.hasPrefix("state.") {
            let parts = k.split(separator: ".", maxSplits: 2)
            guard parts.count == 3, let i = Int(parts[1]), i < state.count else {
                throw TorchError("bad optimizer state key \(k)")
            }
            if parts[2] == "step" {
                guard v.count == 1 else {
                    throw TorchError("optimizer state \(k) must hold one number, got shape \(v.shape)")
                }
                steps[i] = Int(v.to(.float64).item(Double.self))
            } else {
                fresh[i][String(parts[2])] = v.clone()
            }
        }
        state = fresh
        paramSteps = steps
        stepCount = Int(metadata["step"] ?? "0") ?? 0
        for (gi, g) in paramGroups.enumerated() {
            if let lr = metadata["group.\(gi).lr"].flatMap(Double.init) { g.lr = lr }
            for (k, v) in metadata where k.hasPrefix("group.\(gi).") && k != "group.\(gi).lr" {
                g.options[String(k.dropFirst("group.\(gi).".count))] = Double(v)
            }
        }
    }
}

extension BaseOptimizer {
    /// Replaces the state with one read from another library's layout (PyTorch's
    /// `optimizer.state_dict()`, parsed by `loadPyTorchStateDict`): per flat parameter index its
    /// state tensors (PyTorch's names, which are this library's) and step count, and per group its
    /// numeric hyperparameters under PyTorch's names (`lr`, `weight_decay`, `momentum`, …; those this
    /// optimizer keeps per group are set, `initial_lr` too; the others are constructor arguments).
    public func loadState(
        perParameter: [Int: [String: Tensor]], steps: [Int: Int], groups: [[String: Double]]
    ) throws {
        guard groups.count == paramGroups.count else {
            throw TorchError(
                "loaded state dict has \(groups.count) parameter groups, the optimizer has \(paramGroups.count)")
        }
        var fresh = [[String: Tensor]](repeating: [:], count: state.count)
        var counts = [Int](repeating: 0, count: state.count)
        for (i, s) in perParameter {
            guard i >= 0 && i < state.count else {
                throw TorchError("loaded state names parameter \(i); the optimizer has \(state.count)")
            }
            fresh[i] = s.mapValues { $0.clone() }
        }
        for (i, n) in steps where i >= 0 && i < state.count { counts[i] = n }
        state = fresh
        paramSteps = counts
        stepCount = counts.max() ?? 0
        for (g, saved) in zip(paramGroups, groups) {
            for (key, value) in saved {
                // snake_case → camelCase: weight_decay → weightDecay.
                let parts = key.split(separator: "_")
                let name = parts.enumerated().map {
                    $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst()
                }
                .joined()
                switch name {
                case "lr": g.lr = value
                case "initialLr": g.initialLR = value
                default: if g.options[name] != nil || defaults[name] != nil { g.options[name] = value }
                }
            }
        }
    }
}
