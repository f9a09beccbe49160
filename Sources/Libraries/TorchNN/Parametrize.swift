import Torch
import TorchBase

// Note [Parametrizations]
// PyTorch's `torch.nn.utils.parametrize` replaces a module's tensor attribute by a property that
// computes it from "original" tensors through a chain of modules. Swift cannot swap a class's
// properties at run time, so the library's layers read their weights through
// `Module.tensor(_:)`: with no parametrization that is a lookup among two or three registered
// names; with one it is the chain's value. Registration moves the tensor out of the module's
// parameters into `parametrizations.<name>` (a `ParametrizationList`), whose originals are its
// parameters (`original`, or `original0`, `original1`… when the first parametrization's right
// inverse gives several) and whose parametrizations are its submodules "0", "1"…, so
// `stateDict()` has PyTorch's keys (`parametrizations.weight.original0`,
// `parametrizations.weight.0._u`) and loads PyTorch's files. A value is computed once per call
// of the module (a call of `Linear` reads its weight in its checks and its product) and once per
// `cachedParametrizations` scope, as PyTorch's `parametrize.cached()`; elsewhere each read
// computes it again, as in PyTorch. A tensor held by a stored property of a module written
// outside the library cannot be redirected, so registration refuses it and says how to declare
// it (registered, and read through `tensor(_:)`); silently training the raw tensor would be a trap.

/// A parametrization with several originals or a right inverse (PyTorch's parametrization
/// modules with `right_inverse`). Any module whose `forward` maps a tensor to a tensor of the
/// same shape and dtype can parametrize; subclass this one to take several originals or to be
/// assignable.
///
/// ```swift
/// final class Symmetric: Parametrization {
///     override func forward(_ x: Tensor) -> Tensor { x.triu() + x.triu(1).mT }
/// }
/// registerParametrization(layer, "weight", Symmetric())
/// ```
open class Parametrization: Module {
    public override init() { super.init() }

    /// The tensor computed from the originals; by default `forward` of the one original.
    open func value(_ originals: [Tensor]) -> Tensor { forward(originals[0]) }

    /// The originals that give `value` (PyTorch's `right_inverse`): one tensor, or several for a
    /// parametrization whose `value` takes several. Nil (the default): there is none, so the
    /// original is kept as it is at registration and assigning the tensor is refused.
    open func rightInverse(_ value: Tensor) -> [Tensor]? { nil }
}

/// The parametrizations of one tensor (PyTorch's `ParametrizationList`), registered as
/// `parametrizations.<name>`: the originals are its parameters (or buffers), the
/// parametrizations its submodules "0", "1"….
public final class ParametrizationList: Module {
    /// The parametrizations, applied in order.
    public private(set) var items: [Module] = []
    /// The number of originals when the first right inverse gave several; nil for one (`original`).
    let originalCount: Int?

    init(_ first: Module, original: Tensor, asBuffer: Bool) {
        let originals: [Tensor] = Torch.noGrad {
            (first as? Parametrization)?.rightInverse(original) ?? [original]
        }
        originalCount = originals.count == 1 ? nil : originals.count
        super.init()
        append(first)
        if originals.count == 1 {
            // PyTorch's `original.set_(new)`: the tensor keeps its identity (an optimizer holding
            // it still trains it).
            if originals[0] !== original { Torch.noGrad { original.replaceData(with: originals[0].detach()) } }
            store("original", original, asBuffer: asBuffer, requiresGrad: original.requiresGrad)
        } else {
            for (i, o) in originals.enumerated() {
                store(
                    "original\(i)", o === original ? o : o.detach(), asBuffer: asBuffer,
                    requiresGrad: original.requiresGrad)
            }
        }
    }

    private func store(_ name: String, _ t: Tensor, asBuffer: Bool, requiresGrad: Bool) {
        if asBuffer {
            registerBuffer(name, t)
        } else {
            registerParameter(name, t)
            t.requiresGrad = requiresGrad
        }
    }

    func append(_ p: Module) {
        register(String(items.count), p)
        items.append(p)
    }

    /// The one original (PyTorch's `parametrizations.weight.original`).
    public var original: Tensor { tensor("original") }

    /// Original `i` of a parametrization with several (`original0`, `original1`…).
    public func original(_ i: Int) -> Tensor { tensor("original\(i)") }

    /// The originals in order.
    var originals: [Tensor] {
        guard let n = originalCount else { return [original] }
        return (0..<n).map { original($0) }
    }

    /// The parametrized tensor: the chain applied to the originals.
    func value() -> Tensor {
        var x = ParametrizationList.apply(items[0], originals)
        for p in items.dropFirst() { x = ParametrizationList.apply(p, [x]) }
        return x
    }

    static func apply(_ p: Module, _ xs: [Tensor]) -> Tensor {
        if let q = p as? Parametrization {
            return q.withHooks(xs, calling: { q.value($0) })
        }
        return p(xs[0])
    }

    /// Sets the originals so that the chain gives `value` (assignment to a parametrized tensor):
    /// the right inverses from the last parametrization to the first.
    func assign(_ value: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        Torch.noGrad {
            var xs = [value]
            for p in items.reversed() {
                guard let inv = (p as? Parametrization)?.rightInverse(xs[0]) else {
                    torchFail(
                        "parametrize", "parametrization \(type(of: p)) does not implement right_inverse.",
                        file: file, line: line)
                }
                xs = inv
            }
            let own = originals
            guard xs.count == own.count else {
                torchFail(
                    "parametrize",
                    "'right_inverse' must return a sequence of tensors of length \(own.count). Got a sequence of "
                        + "length \(xs.count).", file: file, line: line)
            }
            for (i, (o, x)) in zip(own, xs).enumerated() where x.dtype != o.dtype {
                let message =
                    own.count == 1
                    ? "When `right_inverse` outputs one tensor, it may not change the dtype.\noriginal.dtype: "
                        + "\(o.dtype.torchName)\nright_inverse(value).dtype: \(x.dtype.torchName)"
                    : "Tensor \(i) returned by `right_inverse` has dtype \(x.dtype.torchName) while `original\(i)` has "
                        + "dtype \(o.dtype.torchName)"
                torchFail("parametrize", message, file: file, line: line)
            }
            for (o, x) in zip(own, xs) {
                if x !== o { o.replaceData(with: x.detach().clone()) }
            }
        }
    }
}

/// Parametrizes `module`'s tensor `name` by `parametrization` (PyTorch's
/// `torch.nn.utils.parametrize.register_parametrization`): reading it (`module.tensor(name)`,
/// or the layer's property such as `Linear.weight`) computes `parametrization(original)`, and the
/// original becomes the parameter `parametrizations.<name>.original`. Registering again on the
/// same tensor appends to the chain. Unless `unsafe`, the result must keep the tensor's shape and
/// dtype. Returns the module.
///
/// ```swift
/// let layer = registerParametrization(Linear(4, 4), "weight", Symmetric())
/// ```
@discardableResult
public func registerParametrization<M: Module>(
    _ module: M, _ name: String, _ parametrization: Module, unsafe: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> M {
    let op = "register_parametrization"
    func check(_ z: Tensor, _ y: (dtype: DType, shape: [Int])) {
        let changes = [("dtype", y.dtype.torchName, z.dtype.torchName), ("shape", "\(y.shape)", "\(z.shape)")]
        for (what, before, after) in changes where before != after {
            torchFail(
                op,
                "Registering a parametrization may not change the \(what) of the tensor, unless `unsafe` flag is "
                    + "enabled.\nunparametrized \(what): \(before)\nparametrized \(what): \(after)",
                file: file, line: line)
        }
    }
    if let list = module.parametrizationLists?[name] {
        if !unsafe {
            let y = module.tensor(name)
            check(Torch.noGrad { ParametrizationList.apply(parametrization, [y]) }, (y.dtype, y.shape))
        }
        list.append(parametrization)
        module.parametrizationCache = nil
        return module
    }
    guard module.isRegisteredTensor(name) else {
        if module.namedParameters(recurse: false).contains(where: { $0.0 == name }) {
            torchFail(
                op,
                "\(type(of: module)).\(name) is a stored property, which a parametrization cannot redirect: "
                    + "register it in init (registerParameter(\"\(name)\", …)) and read it as tensor(\"\(name)\")",
                file: file, line: line)
        }
        torchFail(
            op, "Module '\(type(of: module))' has no parameter or buffer with name '\(name)'", file: file, line: line)
    }
    let original = module.tensor(name)
    let before = (dtype: original.dtype, shape: original.shape)
    let asBuffer = module.isBuffer(name)
    let list = ParametrizationList(parametrization, original: original, asBuffer: asBuffer)
    if !unsafe { check(list.value(), before) }
    module.unregister(name)
    let dict: ModuleDict
    if let d = module.namedChildren().first(where: { $0.0 == "parametrizations" })?.1 as? ModuleDict {
        dict = d
    } else {
        dict = ModuleDict()
        module.register("parametrizations", dict)
    }
    dict[name] = list
    list.train(module.training)
    module.parametrizationLists = (module.parametrizationLists ?? [:]).merging([name: list]) { $1 }
    module.parametrizationCache = nil
    return module
}

/// Whether `module`'s tensor `name` (or, with nil, any of its tensors) is parametrized
/// (PyTorch's `parametrize.is_parametrized`).
public func isParametrized(_ module: Module, _ name: String? = nil) -> Bool {
    guard let lists = module.parametrizationLists else { return false }
    return name.map { lists[$0] != nil } ?? !lists.isEmpty
}

/// The parametrizations of `module`'s tensor `name`, if any (`module.parametrizations.weight`).
public func parametrizations(of module: Module, _ name: String) -> ParametrizationList? {
    module.parametrizationLists?[name]
}

/// Removes the parametrizations of `module`'s tensor `name` (PyTorch's
/// `parametrize.remove_parametrizations`). With `leaveParametrized` the tensor keeps its current
/// parametrized value (written into the original, which keeps its identity when there was one
/// original); otherwise it becomes the original again (only possible with one original).
@discardableResult
public func removeParametrizations<M: Module>(
    _ module: M, _ name: String, leaveParametrized: Bool = true, file: StaticString = #fileID, line: UInt = #line
) -> M {
    guard let list = module.parametrizationLists?[name] else {
        torchFail(
            "remove_parametrizations", "Module \(type(of: module)) does not have a parametrization on \(name)",
            file: file, line: line)
    }
    let asBuffer = list.isBuffer(list.originalCount == nil ? "original" : "original0")
    let restored: Tensor
    if list.originalCount == nil {
        let original = list.original
        if leaveParametrized {
            let t = Torch.noGrad { list.value() }
            if t.dtype != original.dtype {
                torchFail(
                    "remove_parametrizations",
                    "The parametrization changes the dtype of the tensor (\(original.dtype.torchName) to "
                        + "\(t.dtype.torchName)); it cannot be removed leaving the tensor parametrized",
                    file: file, line: line)
            }
            Torch.noGrad { original.replaceData(with: t.detach().clone()) }
        }
        restored = original
    } else {
        if !leaveParametrized {
            torchFail(
                "remove_parametrizations",
                "Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized in terms of "
                    + "a sequence of tensors.", file: file, line: line)
        }
        restored = Torch.noGrad { list.value().detach().clone() }
        restored.requiresGrad = list.original(0).requiresGrad
    }
    var lists = module.parametrizationLists!
    lists[name] = nil
    module.parametrizationLists = lists.isEmpty ? nil : lists
    module.parametrizationCache = nil
    if let dict = module.namedChildren().first(where: { $0.0 == "parametrizations" })?.1 {
        dict.unregister(name)
        if lists.isEmpty { module.unregister("parametrizations") }
    }
    if asBuffer {
        module.registerBuffer(name, restored)
    } else {
        let grad = restored.requiresGrad
        module.registerParameter(name, restored)
        restored.requiresGrad = grad
    }
    return module
}

/// Runs `body` with every parametrized tensor computed at most once (PyTorch's
/// `with parametrize.cached():`), for a loop that reads a parametrized weight many times, as a
/// recurrent network's steps do.
///
/// ```swift
/// let out = cachedParametrizations { (0..<steps).reduce(h) { h, _ in cell(x, h) } }
/// ```
public func cachedParametrizations<T>(_ body: () throws -> T) rethrows -> T {
    ParametrizationCaching.depth += 1
    defer {
        ParametrizationCaching.depth -= 1
        if ParametrizationCaching.depth == 0 {
            for m in ParametrizationCaching.modules { m.parametrizationCache = nil }
            ParametrizationCaching.modules = []
        }
    }
    return try body()
}

enum ParametrizationCaching {
    nonisolated(unsafe) static var depth = 0
    nonisolated(unsafe) static var modules: [Module] = []
}

extension Module {
    /// `tensor(name)` of a parametrized tensor: cached within a call of the module or a
    /// `cachedParametrizations` scope, computed again otherwise.
    func parametrizedValue(_ name: String, _ list: ParametrizationList) -> Tensor {
        if let v = parametrizationCache?[name] { return v }
        let v = list.value()
        if parametrizationCache != nil {
            parametrizationCache![name] = v
        } else if ParametrizationCaching.depth > 0 {
            parametrizationCache = [name: v]
            ParametrizationCaching.modules.append(self)
        }
        return v
    }

    /// Runs a call of this module with its parametrized tensors computed once.
    func withParametrizationCache<T>(_ body: () -> T) -> T {
        if parametrizationLists == nil || parametrizationCache != nil { return body() }
        parametrizationCache = [:]
        defer {
            if ParametrizationCaching.depth > 0 {
                ParametrizationCaching.modules.append(self)
            } else {
                parametrizationCache = nil
            }
        }
        return body()
    }
}
