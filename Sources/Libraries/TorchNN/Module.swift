import Torch
import TorchBase

/// Base class of layers and models (PyTorch's `nn.Module`): named parameters, buffers and
/// submodules, train/eval mode, state dicts. Subclasses register what they own in `init` and
/// override `forward`.
///
/// ```swift
/// final class MLP: Module {
///     let fc1 = Linear(784, 256), fc2 = Linear(256, 10)
///     override init() { super.init(); register("fc1", fc1); register("fc2", fc2) }
///     override func forward(_ x: Tensor) -> Tensor { fc2(relu(fc1(x))) }
/// }
/// ```
open class Module {
    public private(set) var training = true
    private var params: [(String, Tensor)] = []
    private var buffers: [(String, Tensor)] = []
    private var submodules: [(String, Module)] = []

    /// A module with no parameters yet; subclasses register theirs by storing them.
    public init() {}

    /// Registers a trainable parameter (marked `requiresGrad`).
    public func registerParameter(_ name: String, _ t: Tensor) {
        t.requiresGrad = true
        params.removeAll { $0.0 == name }
        params.append((name, t))
    }

    /// Registers a buffer: state saved with the module but not trained (running statistics).
    public func registerBuffer(_ name: String, _ t: Tensor) {
        buffers.removeAll { $0.0 == name }
        buffers.append((name, t))
    }

    /// Registers a submodule under `name`.
    public func register(_ name: String, _ m: Module) {
        submodules.removeAll { $0.0 == name }
        submodules.append((name, m))
    }

    /// The module's computation; subclasses override it. `module(x)` calls it with the hooks.
    open func forward(_ x: Tensor) -> Tensor { fatalError("\(type(of: self)) must override forward(_:)") }

    /// Runs the forward pre-hooks (which may replace the input), `forward`, then the forward
    /// hooks (which may replace the output).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        if preHooks.isEmpty && postHooks.isEmpty { return forward(x) }
        var input = x
        for h in preHooks { if let r = h.fn(self, input) { input = r } }
        var out = forward(input)
        for h in postHooks { if let r = h.fn(self, input, out) { out = r } }
        return out
    }

    private var preHooks: [(id: Int, fn: (Module, Tensor) -> Tensor?)] = []
    private var postHooks: [(id: Int, fn: (Module, Tensor, Tensor) -> Tensor?)] = []
    private var nextHookID = 0

    /// Calls `hook(module, input)` before `forward`; a returned tensor replaces the input.
    @discardableResult
    public func registerForwardPreHook(_ hook: @escaping (Module, Tensor) -> Tensor?) -> ModuleHookHandle {
        nextHookID += 1
        let id = nextHookID
        preHooks.append((id, hook))
        return ModuleHookHandle { [weak self] in self?.preHooks.removeAll { $0.id == id } }
    }

    /// Calls `hook(module, input, output)` after `forward`; a returned tensor replaces the output.
    @discardableResult
    public func registerForwardHook(_ hook: @escaping (Module, Tensor, Tensor) -> Tensor?) -> ModuleHookHandle {
        nextHookID += 1
        let id = nextHookID
        postHooks.append((id, hook))
        return ModuleHookHandle { [weak self] in self?.postHooks.removeAll { $0.id == id } }
    }

    /// Parameters of this module and its submodules, with dotted names (`fc1.weight`).
    public func namedParameters(prefix: String = "") -> [(String, Tensor)] {
        params.map { (prefix + $0.0, $0.1) } + submodules.flatMap { $0.1.namedParameters(prefix: prefix + $0.0 + ".") }
    }

    /// Every parameter of this module and its submodules (for an optimizer). ```SGD(model.parameters(), lr: 0.1)```
    public func parameters() -> [Tensor] { namedParameters().map { $0.1 } }

    /// The buffers (running statistics) with their dotted names, as `state_dict` names them.
    public func namedBuffers(prefix: String = "") -> [(String, Tensor)] {
        buffers.map { (prefix + $0.0, $0.1) } + submodules.flatMap { $0.1.namedBuffers(prefix: prefix + $0.0 + ".") }
    }

    /// The direct submodules.
    public func children() -> [Module] { submodules.map { $0.1 } }

    /// The direct submodules with their names.
    public func namedChildren() -> [(String, Module)] { submodules }

    /// This module and all modules below it, depth first.
    public func modules() -> [Module] { [self] + submodules.flatMap { $0.1.modules() } }

    /// Sets training mode here and below (dropout and batch norm behave differently).
    @discardableResult
    public func train(_ on: Bool = true) -> Self {
        for m in modules() { m.training = on }
        return self
    }

    @discardableResult
    /// Evaluation mode (dropout off, batch norm on running statistics); returns self. ```model.eval()```
    public func eval() -> Self { train(false) }

    /// Clears (or zeroes) every parameter's gradient.
    /// `zeroGrad(setToNil:)` in PyTorch's words (`zero_grad(set_to_none=...)`). ```model.zeroGrad(setToNone: false)```
    public func zeroGrad(setToNone: Bool) { zeroGrad(setToNil: setToNone) }

    public func zeroGrad(setToNil: Bool = true) {
        for p in parameters() {
            if setToNil { p.grad = nil } else { p.grad?.zero_() }
        }
    }

    /// Calls `f` on this module and every module below it.
    /// Converts every floating-point parameter and buffer (and their gradients) to `dtype`, in
    /// place: the tensors layers hold keep their identity (`module.to(torch.float64)`).
    ///
    /// ```swift
    /// let model = Linear(4, 2).to(dtype: .float64)
    /// ```
    @discardableResult
    public func to(dtype: DType) -> Self {
        convertTensors { $0.dtype.isFloatingPoint ? $0.to(dtype) : $0 }
        return self
    }

    /// Moves every parameter and buffer (and their gradients) to `device`, in place.
    @discardableResult
    public func to(device: Device) -> Self {
        convertTensors { $0.to(device: device) }
        return self
    }

    private func convertTensors(_ f: (Tensor) -> Tensor) {
        Torch.noGrad {
            for (_, t) in namedParameters() + namedBuffers() {
                let converted = f(t)
                if converted !== t { t.replaceData(with: converted) }
                if let g = t.grad {
                    let cg = f(g)
                    if cg !== g { g.replaceData(with: cg) }
                }
            }
        }
    }

    /// Calls `f` on this module and every submodule.
    /// ```model.apply { m in if let l = m as? Linear { Init.zeros_(l.weight) } }```
    public func apply(_ f: (Module) -> Void) { for m in modules() { f(m) } }

    /// Parameters and buffers by name, as PyTorch's `state_dict()`.
    public func stateDict() -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (k, v) in namedParameters() + namedBuffers() { d[k] = v.detach() }
        return d
    }

    /// Copies `state` into the parameters and buffers. Reports every missing, unexpected and
    /// mis-shaped key at once; with `strict` any of them is an error.
    @discardableResult
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws -> (
        missing: [String], unexpected: [String]
    ) {
        let own = namedParameters() + namedBuffers()
        let ownNames = Set(own.map { $0.0 })
        let missing = own.map { $0.0 }.filter { state[$0] == nil }.sorted()
        let unexpected = state.keys.filter { !ownNames.contains($0) }.sorted()
        var mismatched: [String] = []
        for (k, t) in own {
            if let s = state[k], s.shape != t.shape {
                mismatched.append(
                    "size mismatch for \(k): copying a param with shape \(s.shape) from checkpoint, the shape in "
                        + "current model is \(t.shape)."
                )
            }
        }
        var problems: [String] = mismatched
        if strict {
            if !missing.isEmpty {
                problems.append(
                    "Missing key(s) in state_dict: " + missing.map { "\"\($0)\"" }.joined(separator: ", ") + ".")
            }
            if !unexpected.isEmpty {
                problems.append(
                    "Unexpected key(s) in state_dict: " + unexpected.map { "\"\($0)\"" }.joined(separator: ", ") + ".")
            }
        }
        if !problems.isEmpty {
            throw TorchError(
                "Error(s) in loading state_dict for \(type(of: self)):\n\t" + problems.joined(separator: "\n\t"))
        }
        Torch.noGrad {
            for (k, t) in own { if let s = state[k] { t.copy_(s) } }
        }
        return (missing, unexpected)
    }
}

/// Modules applied in order.
public final class Sequential: Module {
    /// The layers applied in order. ```Sequential(Linear(4, 8), ReLU(), Linear(8, 2))```
    public init(_ layers: Module...) {
        super.init()
        for (i, l) in layers.enumerated() { register(String(i), l) }
    }

    /// The layers of an array, applied in order.
    public init(layers: [Module]) {
        super.init()
        for (i, l) in layers.enumerated() { register(String(i), l) }
    }

    /// Each layer applied to the previous one's output.
    public override func forward(_ x: Tensor) -> Tensor {
        children().reduce(x) { $1($0) }
    }
}

/// Removes a module hook.
public final class ModuleHookHandle {
    let removeFn: () -> Void
    init(_ f: @escaping () -> Void) { removeFn = f }
    /// Removes the hook.
    public func remove() { removeFn() }
}

/// Modules in a list, registered as "0", "1", ... (no forward of its own).
public final class ModuleList: Module {
    public private(set) var items: [Module] = []
    /// A list of submodules, registered for `parameters()`. ```ModuleList([Linear(4, 4), Linear(4, 4)])```
    public init(_ modules: [Module] = []) {
        super.init()
        for m in modules { append(m) }
    }
    /// Adds `m` at the end.
    public func append(_ m: Module) {
        register(String(items.count), m)
        items.append(m)
    }
    /// The module at `i`.
    public subscript(_ i: Int) -> Module { items[i] }
    /// The number of modules.
    public var count: Int { items.count }
}

/// Modules by name (no forward of its own).
public final class ModuleDict: Module {
    /// Named submodules, registered for `parameters()`. ```ModuleDict([("enc", Linear(4, 2))])```
    public init(_ modules: [(String, Module)] = []) {
        super.init()
        for (k, m) in modules { register(k, m) }
    }
    /// The module named `key`, if any; setting registers it.
    public subscript(_ key: String) -> Module? {
        get { namedChildren().first { $0.0 == key }?.1 }
        set { if let m = newValue { register(key, m) } }
    }
    /// The names, in insertion order.
    public var keys: [String] { namedChildren().map { $0.0 } }
}
