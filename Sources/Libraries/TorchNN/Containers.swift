import Torch
import TorchBase

// The container modules (`nn.Sequential`, `nn.ModuleList`, `nn.ModuleDict`) and hook handles.

/// Modules applied in order.
public final class Sequential: Module {
    /// The layers applied in order. `Sequential(Linear(4, 8), ReLU(), Linear(8, 2))`
    public init(_ layers: Module...) {
        super.init()
        for (i, l) in layers.enumerated() { register(String(i), l) }
    }

    /// The layers of an array, applied in order.
    public init(layers: [Module]) {
        super.init()
        for (i, l) in layers.enumerated() { register(String(i), l) }
    }

    /// Layers under names of your choosing (PyTorch's `Sequential(OrderedDict(...))`).
    /// `Sequential([("fc", Linear(4, 2)), ("act", ReLU())])`
    public init(_ named: [(String, Module)]) {
        super.init()
        for (k, l) in named { register(k, l) }
    }

    /// Each layer applied to the previous one's output.
    public override func forward(_ x: Tensor) -> Tensor {
        children().reduce(x) { $1($0) }
    }

    /// The layer at `i` (negative counts from the end, as PyTorch's `model[-1]`).
    public subscript(_ i: Int) -> Module {
        let layers = children()
        let j = i < 0 ? i + layers.count : i
        precondition(
            j >= 0 && j < layers.count, "Sequential: index \(i) is out of range for \(layers.count) layers")
        return layers[j]
    }

    /// The layers in `range`, as a new Sequential sharing them (PyTorch's `model[1:3]`); their
    /// names are kept.
    public subscript(_ range: Range<Int>) -> Sequential {
        let named = namedChildren()
        precondition(
            range.lowerBound >= 0 && range.upperBound <= named.count,
            "Sequential: range \(range) is out of range for \(named.count) layers")
        return Sequential(Array(named[range]))
    }

    /// The number of layers (`len(model)`).
    public var count: Int { namedChildren().count }

    /// Adds `layer` at the end.
    public func append(_ layer: Module) { register(String(count), layer) }
}

/// Removes a module hook.
public final class ModuleHookHandle {
    let removeFn: () -> Void
    init(_ f: @escaping () -> Void) { removeFn = f }
    /// Removes the hook.
    public func remove() { removeFn() }
}

/// Modules in a list, registered as "0", "1", ... (no forward of its own); iterate it with
/// `for layer in list`.
public final class ModuleList: Module, Sequence {
    public private(set) var items: [Module] = []
    /// A list of submodules, registered for `parameters()`. `ModuleList([Linear(4, 4), Linear(4, 4)])`
    public init(_ modules: [Module] = []) {
        super.init()
        for m in modules { append(m) }
    }
    /// Adds `m` at the end.
    public func append(_ m: Module) {
        register(String(items.count), m)
        items.append(m)
    }
    /// Adds every module of `ms` at the end.
    public func extend(_ ms: [Module]) { for m in ms { append(m) } }
    /// The module at `i` (negative counts from the end).
    public subscript(_ i: Int) -> Module {
        let j = i < 0 ? i + items.count : i
        precondition(j >= 0 && j < items.count, "ModuleList: index \(i) is out of range for \(items.count) modules")
        return items[j]
    }
    /// The modules in `range`, as a new list sharing them.
    public subscript(_ range: Range<Int>) -> ModuleList { ModuleList(Array(items[range])) }
    /// The number of modules.
    public var count: Int { items.count }
    /// The modules in order (`for layer in list`).
    public func makeIterator() -> IndexingIterator<[Module]> { items.makeIterator() }
}

/// Modules by name (no forward of its own).
public final class ModuleDict: Module {
    /// Named submodules, registered for `parameters()`. `ModuleDict([("enc", Linear(4, 2))])`
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
    /// The modules, in insertion order.
    public var values: [Module] { children() }
    /// The number of modules.
    public var count: Int { namedChildren().count }
}
