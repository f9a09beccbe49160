import Torch
import TorchBase

/// Base class of layers and models (PyTorch's `nn.Module`): named parameters, buffers and
/// submodules, train/eval mode, state dicts, hooks. Stored properties holding modules and
/// parameters register themselves, named by the property (Note [Automatic registration]).
///
/// ```swift
/// final class MLP: Module {
///     let fc1 = Linear(784, 256), fc2 = Linear(256, 10)
///     override func forward(_ x: Tensor) -> Tensor { fc2(relu(fc1(x))) }
/// }
/// MLP().namedParameters().map(\.0)   // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
/// ```
open class Module: CustomStringConvertible, CallSiteDescribable {
    public private(set) var training = true
    private var params: [(String, Tensor)] = []
    private var buffers: [(String, Tensor)] = []
    private var submodules: [(String, Module)] = []

    /// A module with no parameters yet; subclasses register theirs by storing them.
    public init() {}

    /// Registers a trainable parameter (marked `requiresGrad`) under a name of your choosing;
    /// stored properties need no call (Note [Automatic registration]).
    public func registerParameter(_ name: String, _ t: Tensor) {
        t.requiresGrad = true
        t.isParameter = true
        // A name already there keeps its place (PyTorch's attribute reassignment).
        if let i = params.firstIndex(where: { $0.0 == name }) { params[i].1 = t } else { params.append((name, t)) }
    }

    /// Registers a buffer: state saved with the module but not trained (running statistics).
    public func registerBuffer(_ name: String, _ t: Tensor) {
        if let i = buffers.firstIndex(where: { $0.0 == name }) { buffers[i].1 = t } else { buffers.append((name, t)) }
    }

    /// Registers a submodule under `name` (for names chosen at run time; stored properties
    /// register themselves).
    public func register(_ name: String, _ m: Module) {
        if let i = submodules.firstIndex(where: { $0.0 == name }) {
            submodules[i].1 = m
        } else {
            submodules.append((name, m))
        }
    }

    /// Removes the parameter, buffer or explicitly registered submodule `name` (a parametrization
    /// takes the tensor's place, or gives it back).
    func unregister(_ name: String) {
        params.removeAll { $0.0 == name }
        buffers.removeAll { $0.0 == name }
        submodules.removeAll { $0.0 == name }
    }

    /// Whether `name` is a parameter or buffer registered by `registerParameter`/`registerBuffer`
    /// (rather than found on a stored property).
    func isRegisteredTensor(_ name: String) -> Bool {
        params.contains { $0.0 == name } || buffers.contains { $0.0 == name }
    }

    /// Whether the module has a parameter or buffer `name`, parametrized or not (without
    /// computing a parametrization).
    public func hasTensor(_ name: String) -> Bool {
        isRegisteredTensor(name) || parametrizationLists?[name] != nil
    }

    /// Whether `name` is a buffer (not a parameter).
    func isBuffer(_ name: String) -> Bool { buffers.contains { $0.0 == name } }

    /// The parameter or buffer `name` as the module's computation reads it: the value of its
    /// parametrizations when it has some (Note [Parametrizations]), else the registered tensor.
    /// The library's layers read their weights through it; a module of your own that registers
    /// a tensor explicitly reads it this way too, so that a parametrization applies.
    ///
    /// ```swift
    /// final class Scale: Module {
    ///     override init() { super.init(); registerParameter("w", Tensor.ones([4])) }
    ///     var w: Tensor { tensor("w") }
    ///     override func forward(_ x: Tensor) -> Tensor { x * w }
    /// }
    /// ```
    public func tensor(_ name: String, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if let t = optionalTensor(name) { return t }
        torchFail(
            "\(type(of: self))", "has no parameter or buffer named \"\(name)\"", file: file, line: line)
    }

    /// `tensor(name)`, or nil when there is no such parameter or buffer (an optional bias).
    public func optionalTensor(_ name: String) -> Tensor? {
        if let lists = parametrizationLists, let list = lists[name] { return parametrizedValue(name, list) }
        for (k, t) in params where k == name { return t }
        for (k, t) in buffers where k == name { return t }
        return nil
    }

    /// Stores `value` as the tensor `name`: through its parametrizations' right inverse when it
    /// has some, else as a parameter (PyTorch's attribute assignment).
    public func setTensor(_ name: String, _ value: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        if let list = parametrizationLists?[name] {
            list.assign(value, file: file, line: line)
        } else if isBuffer(name) {
            registerBuffer(name, value)
        } else {
            registerParameter(name, value)
        }
    }

    /// The parametrization of each parametrized tensor (nil: none, the common case).
    var parametrizationLists: [String: ParametrizationList]?
    /// Values computed during one call of this module (or one `cachedParametrizations` scope).
    var parametrizationCache: [String: Tensor]?

    // Note [Automatic registration]
    // PyTorch registers whatever a module assigns to `self`: a Module becomes a child, an
    // nn.Parameter a parameter. Swift has no `__setattr__`, so a module reads its own stored
    // properties with `Mirror` whenever it lists its members: a `Module`, a parameter (a leaf
    // tensor that requires grad, or one marked by `parameter(_:)`), an optional of either, an
    // array (named `name.0`, `name.1`, as a ModuleList) or a dictionary with String keys
    // (`name.key`, keys sorted) of either. Names are the property names, in declaration order,
    // superclass first; explicit `register*` calls come before them and win a name both use.
    // One object under two names is two entries, as in PyTorch: `namedParameters`/`modules` list
    // it once, `stateDict` under both names (tied weights). Reading the properties on each call
    // (rather than once) follows a `var` that is reassigned, as PyTorch's attribute assignment
    // does. The classes of this library register explicitly and are not reflected (cheaper, and
    // their private storage is not part of their state dict); subclasses written outside it are.
    // A plain tensor property that does not require grad is an attribute, not state, as in PyTorch: use registerBuffer.

    /// This module's own parameters: explicit ones, then stored properties.
    private func ownParameters() -> [(String, Tensor)] {
        let found = reflectedMembers().params
        if found.isEmpty { return params }
        var out = params
        for (name, t) in found where !out.contains(where: { $0.0 == name }) { out.append((name, t)) }
        return out
    }

    /// This module's direct submodules: explicit ones, then stored properties.
    private func ownChildren() -> [(String, Module)] {
        let found = reflectedMembers().modules
        if found.isEmpty { return submodules }
        var out = submodules
        for (name, m) in found where m !== self && !out.contains(where: { $0.0 == name }) {
            out.append((name, m))
        }
        return out
    }

    private func reflectedMembers() -> (params: [(String, Tensor)], modules: [(String, Module)]) {
        // The library's own classes register explicitly: no Mirror for them.
        if Module.isLibraryType(type(of: self)) { return ([], []) }
        var levels: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror {
            if Module.isLibraryType(m.subjectType) { break }
            levels.append(m)
            mirror = m.superclassMirror
        }
        var params: [(String, Tensor)] = []
        var modules: [(String, Module)] = []
        for level in levels.reversed() {
            for child in level.children {
                guard var name = child.label else { continue }
                if name.hasPrefix("$__lazy_storage_$_") { name.removeFirst(18) }
                Module.collect(child.value, name: name, params: &params, modules: &modules)
            }
        }
        return (params, modules)
    }

    static func isLibraryType(_ t: Any.Type) -> Bool { String(reflecting: t).hasPrefix("TorchNN.") }

    private static func collect(
        _ value: Any, name: String, params: inout [(String, Tensor)], modules: inout [(String, Module)]
    ) {
        if let m = value as? Module {
            modules.append((name, m))
        } else if let t = value as? Tensor {
            if t.isParameter || (t.isLeaf && t.requiresGrad) { params.append((name, t)) }
        } else if let ms = value as? [Module] {
            for (i, m) in ms.enumerated() { modules.append(("\(name).\(i)", m)) }
        } else if let ts = value as? [Tensor] {
            for (i, t) in ts.enumerated() { collect(t, name: "\(name).\(i)", params: &params, modules: &modules) }
        } else if let ms = value as? [String: Module] {
            for k in ms.keys.sorted() { modules.append(("\(name).\(k)", ms[k]!)) }
        } else if let ts = value as? [String: Tensor] {
            for k in ts.keys.sorted() { collect(ts[k]!, name: "\(name).\(k)", params: &params, modules: &modules) }
        }
    }

    /// The type's name as PyTorch prints it: `ParametrizedLinear` once a tensor is parametrized.
    var typeName: String {
        (parametrizationLists == nil ? "" : "Parametrized") + String(describing: type(of: self))
    }

    /// The configuration PyTorch prints between the parentheses (`in_features=4, out_features=2,
    /// bias=True`); layers override it, as PyTorch's `extra_repr`.
    open var extraRepr: String { "" }

    /// The module as PyTorch prints it: its type with `extraRepr`, and its children indented.
    ///
    /// ```swift
    /// print(Sequential(Linear(4, 2), ReLU()))
    /// // Sequential(
    /// //   (0): Linear(in_features=4, out_features=2, bias=True)
    /// //   (1): ReLU()
    /// // )
    /// ```
    public var description: String {
        let name = typeName
        let children = namedChildren()
        if children.isEmpty { return "\(name)(\(extraRepr))" }
        var lines: [String] = []
        if !extraRepr.isEmpty { lines.append(extraRepr) }
        for (key, child) in children {
            let body = child.description.split(separator: "\n", omittingEmptySubsequences: false)
            lines.append("(\(key)): " + body.joined(separator: "\n  "))
        }
        return "\(name)(\n  " + lines.joined(separator: "\n  ") + "\n)"
    }

    /// The layer with its configuration, for error messages.
    public var callSiteDescription: String { "\(type(of: self))(\(extraRepr))" }

    /// The module's computation; subclasses override it. `module(x)` calls it with the hooks.
    /// A forward with other inputs or outputs is declared through `Forward1`…`Forward4`.
    open func forward(_ x: Tensor) -> Tensor {
        fatalError(
            "\(type(of: self)) has no forward(_: Tensor) -> Tensor: override it, or call the module with the "
                + "inputs its own forward takes (not through Sequential)")
    }

    /// Runs the forward pre-hooks (which may replace the input), `forward`, then the forward
    /// hooks (which may replace the output). Disfavoured so that a `Forward1` module's own
    /// `callAsFunction` wins where its output is not a tensor.
    @_disfavoredOverload
    public func callAsFunction(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if preHooks.isEmpty && postHooks.isEmpty && !Tracing.anyObserver && parametrizationLists == nil {
            return CallSites.within(self, file: file, line: line) { forward(x) }
        }
        return withHooks(x, calling: forward, file: file, line: line)
    }

    private var preHooks: [(id: Int, fn: (Module, [Any]) -> [Any]?)] = []
    private var postHooks: [(id: Int, fn: (Module, [Any], Any) -> Any?)] = []
    private var nextHookID = 0

    /// Calls `body` on `inputs` between the forward pre-hooks and hooks, which see the inputs as
    /// a list and may replace them (and the output) with values of the same types. Modules whose
    /// `forward` takes other inputs than one tensor route their `callAsFunction` through it.
    public func withHooks<each Input, Output>(
        _ inputs: repeat each Input, calling body: @escaping (repeat each Input) -> Output,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Output {
        if Tracing.isTracing && tracesAsOneNode {
            var list: [Any] = []
            for x in repeat each inputs { list.append(x) }
            let call: ([Any]) -> Output = { [unowned self] xs in
                var i = 0
                func next<T>(_: T.Type) -> T {
                    defer { i += 1 }
                    return xs[i] as! T
                }
                return self.hooked(repeat next((each Input).self), calling: body, file: file, line: line)
            }
            if let out = traceAsOneNode(list, call, file: file, line: line) { return out }
        }
        return Profiling.span("nn.Module: \(type(of: self))", .module, file: file, line: line) {
            CallSites.within(self, file: file, line: line) {
                withParametrizationCache { hooked(repeat each inputs, calling: body, file: file, line: line) }
            }
        }
    }

    private func hooked<each Input, Output>(
        _ inputs: repeat each Input, calling body: @escaping (repeat each Input) -> Output, file: StaticString,
        line: UInt
    ) -> Output {
        if preHooks.isEmpty && postHooks.isEmpty { return body(repeat each inputs) }
        var list: [Any] = []
        for x in repeat each inputs { list.append(x) }
        var replaced = false
        for h in preHooks {
            if let r = h.fn(self, list) {
                guard r.count == list.count else {
                    torchFail(
                        "\(type(of: self)) forward pre-hook", "returned \(r.count) inputs for \(list.count)",
                        file: file, line: line)
                }
                list = r
                replaced = true
            }
        }
        var out: Output
        if replaced {
            var i = 0
            func next<T>(_: T.Type) -> T {
                defer { i += 1 }
                guard let v = list[i] as? T else {
                    torchFail(
                        "\(type(of: self)) forward pre-hook",
                        "input \(i) must stay a \(T.self), got \(type(of: list[i]))", file: file, line: line)
                }
                return v
            }
            out = body(repeat next((each Input).self))
        } else {
            out = body(repeat each inputs)
        }
        for h in postHooks {
            guard let r = h.fn(self, list, out) else { continue }
            guard let o = r as? Output else {
                torchFail(
                    "\(type(of: self)) forward hook", "the output must stay a \(Output.self), got \(type(of: r))",
                    file: file, line: line)
            }
            out = o
        }
        return out
    }

    /// Calls `hook(module, input)` before `forward` of a one-tensor module; a returned tensor
    /// replaces the input.
    @discardableResult
    public func registerForwardPreHook(_ hook: @escaping (Module, Tensor) -> Tensor?) -> ModuleHookHandle {
        registerForwardPreHook(inputs: { m, xs in
            guard xs.count == 1, let x = xs[0] as? Tensor else { return nil }
            return hook(m, x).map { [$0] }
        })
    }

    /// Calls `hook(module, output)` after `forward` of a one-tensor module; a returned tensor
    /// replaces the output.
    @discardableResult
    public func registerForwardHook(_ hook: @escaping (Module, Tensor, Tensor) -> Tensor?) -> ModuleHookHandle {
        registerForwardHook(inputs: { m, xs, out in
            guard xs.count == 1, let x = xs[0] as? Tensor, let y = out as? Tensor else { return nil }
            return hook(m, x, y)
        })
    }

    /// Calls `hook(module, inputs)` before `forward`, whatever it takes (PyTorch's
    /// `register_forward_pre_hook`): the inputs as a list; a returned list replaces them.
    @discardableResult @_disfavoredOverload
    public func registerForwardPreHook(inputs hook: @escaping (Module, [Any]) -> [Any]?) -> ModuleHookHandle {
        nextHookID += 1
        let id = nextHookID
        preHooks.append((id, hook))
        return ModuleHookHandle { [weak self] in self?.preHooks.removeAll { $0.id == id } }
    }

    /// Calls `hook(module, inputs, output)` after `forward`, whatever it takes and returns (a
    /// tuple for several outputs); a returned value replaces the output.
    @discardableResult @_disfavoredOverload
    public func registerForwardHook(inputs hook: @escaping (Module, [Any], Any) -> Any?) -> ModuleHookHandle {
        nextHookID += 1
        let id = nextHookID
        postHooks.append((id, hook))
        return ModuleHookHandle { [weak self] in self?.postHooks.removeAll { $0.id == id } }
    }

    /// This module and every module below it with dotted names (`""` for this one), each once
    /// unless `removeDuplicate` is false (PyTorch's `named_modules`).
    public func namedModules(prefix: String = "", removeDuplicate: Bool = true) -> [(String, Module)] {
        var seen = Set<ObjectIdentifier>()
        var out: [(String, Module)] = []
        func walk(_ m: Module, _ name: String) {
            if removeDuplicate { if !seen.insert(ObjectIdentifier(m)).inserted { return } }
            out.append((name, m))
            for (child, sub) in m.ownChildren() { walk(sub, name.isEmpty ? child : name + "." + child) }
        }
        walk(self, prefix.hasSuffix(".") ? String(prefix.dropLast()) : prefix)
        return out
    }

    /// Parameters of this module and its submodules, with dotted names (`fc1.weight`). A
    /// parameter shared by two modules (tied weights) is listed once unless `removeDuplicate`
    /// is false, as PyTorch's `named_parameters`.
    public func namedParameters(prefix: String = "", recurse: Bool = true, removeDuplicate: Bool = true) -> [(
        String, Tensor
    )] {
        namedMembers(prefix: prefix, recurse: recurse, removeDuplicate: removeDuplicate) { $0.ownParameters() }
    }

    /// Every parameter of this module and its submodules, each once (for an optimizer).
    /// `SGD(model.parameters(), lr: 0.1)`
    public func parameters(recurse: Bool = true) -> [Tensor] { namedParameters(recurse: recurse).map { $0.1 } }

    /// The buffers (running statistics) with their dotted names, as `state_dict` names them.
    public func namedBuffers(prefix: String = "", recurse: Bool = true, removeDuplicate: Bool = true) -> [(
        String, Tensor
    )] {
        namedMembers(prefix: prefix, recurse: recurse, removeDuplicate: removeDuplicate) { $0.buffers }
    }

    /// The buffers of this module and its submodules.
    public func buffersList(recurse: Bool = true) -> [Tensor] { namedBuffers(recurse: recurse).map { $0.1 } }

    private func namedMembers(
        prefix: String, recurse: Bool, removeDuplicate: Bool, _ members: (Module) -> [(String, Tensor)]
    ) -> [(String, Tensor)] {
        let mods = recurse ? namedModules(prefix: prefix, removeDuplicate: removeDuplicate) : [(prefix, self)]
        var seen = Set<ObjectIdentifier>()
        var out: [(String, Tensor)] = []
        for (path, m) in mods {
            for (name, t) in members(m) {
                if removeDuplicate && !seen.insert(ObjectIdentifier(t)).inserted { continue }
                let dotted = path.isEmpty ? name : (path.hasSuffix(".") ? path + name : path + "." + name)
                out.append((dotted, t))
            }
        }
        return out
    }

    /// The direct submodules.
    public func children() -> [Module] { ownChildren().map { $0.1 } }

    /// The direct submodules with their names.
    public func namedChildren() -> [(String, Module)] { ownChildren() }

    /// This module and all modules below it, depth first, each once.
    public func modules() -> [Module] { namedModules().map { $0.1 } }

    /// Sets training mode here and below (dropout and batch norm behave differently).
    @discardableResult
    public func train(_ on: Bool = true) -> Self {
        for m in modules() { m.training = on }
        return self
    }

    @discardableResult
    /// Evaluation mode (dropout off, batch norm on running statistics); returns self. `model.eval()`
    public func eval() -> Self { train(false) }

    /// Clears (or zeroes) every parameter's gradient.
    /// `zeroGrad(setToNil:)` in PyTorch's words (`zero_grad(set_to_none=...)`). `model.zeroGrad(setToNone: false)`
    public func zeroGrad(setToNone: Bool) { zeroGrad(setToNil: setToNone) }

    public func zeroGrad(setToNil: Bool = true) {
        for p in parameters() {
            if setToNil { p.grad = nil } else { p.grad?.zero_() }
            if p.sparseGrad != nil { p.sparseGrad = nil }
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
    /// `model.apply { m in if let l = m as? Linear { Init.zeros_(l.weight) } }`
    public func apply(_ f: (Module) -> Void) { for m in modules() { f(m) } }

    /// Parameters and buffers by name, as PyTorch's `state_dict()`.
    public func stateDict() -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (k, v) in namedParameters(removeDuplicate: false) + namedBuffers(removeDuplicate: false) {
            d[k] = v.detach()
        }
        return d
    }

    /// Copies `state` into the parameters and buffers. Reports every missing, unexpected and
    /// mis-shaped key at once; with `strict` any of them is an error.
    @discardableResult
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws -> (
        missing: [String], unexpected: [String]
    ) {
        let state = weightNormCompatibleKeys(state)
        let own = namedParameters(removeDuplicate: false) + namedBuffers(removeDuplicate: false)
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
