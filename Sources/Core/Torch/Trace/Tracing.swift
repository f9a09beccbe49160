#if canImport(Glibc)
    import Glibc
#endif
import Synchronization
import TorchBase

// Note [Tracing]
// `Torch.trace` runs a function once on example inputs and writes down what it computed as a
// `TraceGraph`: values (each with the shape and dtype it had) and nodes (an op name, typed
// attributes, input and output values, the user's source line). It is built for three readers:
// replay in Swift, the ONNX exporter, and a later fusion compiler.
//
// How ops are recorded. Every traceable op checks one gate at its top (`Tracing.isOn`, a relaxed
// atomic load that is zero unless some thread is tracing, then this thread's state), and when
// tracing calls `Tracing.record(op, inputs, attributes) { inputs in ... }`. The closure is the op
// written as a function of its tensor inputs: `record` runs it once for the eager result and keeps
// it as the node's replay, so a replayed graph runs the very same code and gives bit-identical
// results on the CPU. While an op's closure runs, the tracer is one level deeper and records
// nothing: the ops a recorded op is made of stay inside it. The element-wise primitives are
// recorded at their one generic site (so every unary and binary primitive of the registry is
// traced with no extra work); views, contractions, reductions, softmax, concatenation and dtype
// conversion at their public entry points, named by their semantics (`reshape`, `permute`), not
// by the strided layout they end in, so that a replay with another batch size stays right; and
// the layers of TorchNN as one node each (`module`), as `torch.fx` keeps `torch.nn` layers as
// leaf modules: the exporter writes them as the ONNX operators made for them (LSTM, Conv).
//
// An in-place op on a traced value (`y.add_(1)`, `x.relu_()`) is recorded as its functional op,
// and the tensor is rebound to the result (`assignInPlace`), as PyTorch's functionalization;
// one whose target shares its storage with another traced tensor (a view, or a viewed tensor)
// cannot be followed that way and fails the trace.
//
// What the tracer cannot follow is never silently baked in. A tensor that the traced function
// did not get as an input and no recorded op made (a parameter, a buffer, `Tensor.ones` made
// inside) is a constant of the graph, or a named parameter when the caller named it. An op that
// is not recorded but reads a traced value runs a kernel at depth zero: the kernel router asks
// `Tracing.checkKernel`, which records a failure naming the kernel and the user's line, and
// `trace` throws it at the end. Reading a traced value into Swift (`item()`, `toArray()`) makes
// the graph specialised to this run: the tracer warns, naming the user's line (PyTorch's
// `TracerWarning`). A size read into an `Int` cannot be seen when it is read; when dims are
// marked dynamic, a node whose size attribute holds such a dim's example size warns instead.
//
// For a fusion compiler: the graph is in SSA form with nodes in execution order, every value has
// one producer, shapes and dtypes are known per value, element-wise nodes are plain primitive
// names from the registry (so a pass can group maximal chains of them with one-consumer
// intermediates into one CPU loop or one NVRTC kernel, as `torch.compile` and `mx.compile` do),
// and a node's replay closure is the fallback for any group it does not fuse.

/// One attribute of a traced node (`dim`, `shape`, `keepdim`).
public enum TraceAttribute: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case ints([Int])
    case double(Double)
    case bool(Bool)
    case string(String)
    case dtype(DType)

    /// The attribute as the printout shows it.
    public var description: String {
        switch self {
        case .int(let v): return "\(v)"
        case .ints(let v): return "\(v)"
        case .double(let v): return "\(v)"
        case .bool(let v): return v ? "True" : "False"
        case .string(let v): return v
        case .dtype(let v): return "\(v)"
        }
    }

    /// The integer, when it is one.
    public var int: Int? { if case .int(let v) = self { return v } else { return nil } }
    /// The integers, when they are a list (or one integer).
    public var ints: [Int]? {
        switch self {
        case .ints(let v): return v
        case .int(let v): return [v]
        default: return nil
        }
    }
    /// The flag, when it is one.
    public var bool: Bool? { if case .bool(let v) = self { return v } else { return nil } }
}

/// Why tracing failed: an op the tracer cannot follow read a traced value.
public struct TraceError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, with the user's line.
    public let message: String
    /// The message.
    public var description: String { message }
}

/// The tracer's state on the thread that traces (Note [Tracing]).
final class Tracer {
    let graph = TraceGraph()
    /// Value ids of the tensors seen (graph inputs, node outputs, constants), by object.
    var ids: [ObjectIdentifier: Int] = [:]
    /// The tensors behind `ids`, held so that their identifiers stay theirs while tracing.
    var held: [Tensor] = []
    /// Storages of traced values (inputs and node outputs), to find untraced ops that read them.
    var tracedStorages: [ObjectIdentifier: Storage] = [:]
    /// Names of parameters and buffers, by tensor object.
    var names: [ObjectIdentifier: String] = [:]
    /// How many recorded ops are running (their inner ops are not recorded).
    var depth = 0
    /// The first op the tracer could not follow.
    var failure: String?
    /// The example sizes of the dims marked dynamic: (input, dim, size).
    var dynamicSizes: [(input: Int, dim: Int, size: Int)] = []

    /// Attributes that hold sizes: a shape read into Swift ends up in one of them.
    static let sizeAttributes: Set<String> = ["shape", "sizes", "size", "length", "start", "n", "output_size", "index"]

    /// Warns when a size attribute of a node holds the example size of a dynamic dim: most likely
    /// a shape read into an `Int` (`x.shape[0]`), which the replay keeps as a constant
    /// (PyTorch's TracerWarning on converting a size to a Python int).
    func warnIfSpecialised(
        _ op: String, _ attributes: [(String, TraceAttribute)], _ inputs: [Tensor], _ file: String, _ line: UInt
    ) {
        for (name, a) in attributes where Tracer.sizeAttributes.contains(name) {
            guard var values = a.ints else { continue }
            // A reshape's size at the place of the same size in its input follows the input on
            // replay (and in ONNX): not specialised.
            if op == "reshape", let x = inputs.first {
                for i in values.indices where i < x.rank && x.shape[i] == values[i] { values[i] = -1 }
            }
            for d in dynamicSizes where d.size > 1 && values.contains(d.size) {
                let message =
                    "TracerWarning: \(op)'s \(name)=\(a) holds \(d.size), the size of dynamic dim \(d.dim) of input "
                    + "\(d.input) in this run, at \(file):\(line); if it was read from a shape into Swift, the graph "
                    + "keeps it constant and a replay with another size will not follow (use -1 or a size-free op)"
                graph.warnings.append(message)
                fputs(message + "\n", stderr)
                return
            }
        }
    }

    /// The value id of `t`: a known value, or a new parameter or constant.
    func value(of t: Tensor) -> Int {
        if let id = ids[ObjectIdentifier(t)] { return id }
        let source: TraceGraph.Source
        if let name = names[ObjectIdentifier(t)] {
            source = .parameter(name)
        } else {
            if tracedStorages[ObjectIdentifier(t.storage)] != nil && failure == nil {
                failure = "a view of a traced value was made by an op the tracer does not record"
            }
            source = .constant
        }
        let id = graph.addValue(t, source: source)
        graph.tensors[id] = t
        remember(t, id, traced: false)
        return id
    }

    func remember(_ t: Tensor, _ id: Int, traced: Bool) {
        ids[ObjectIdentifier(t)] = id
        held.append(t)
        if traced { tracedStorages[ObjectIdentifier(t.storage)] = t.storage }
    }

    /// Outputs of nodes whose inputs are all constants (`Tensor.eye(3).diagonal()`): not computed
    /// from the inputs, so ops may write into them in place; folded to their eager values.
    var constantDerived: Set<Int> = []

    /// Whether `t` is a value the graph computes from its inputs.
    func isTraced(_ t: Tensor) -> Bool {
        guard let id = ids[ObjectIdentifier(t)] else { return tracedStorages[ObjectIdentifier(t.storage)] != nil }
        return graph.values[id].isComputed && !constantDerived.contains(id)
    }

    /// Whether an op reading `t` depends on the graph's inputs or parameters.
    func isLive(_ t: Tensor) -> Bool {
        if isTraced(t) { return true }
        if let id = ids[ObjectIdentifier(t)], case .parameter = graph.values[id].source { return true }
        return names[ObjectIdentifier(t)] != nil
    }
}

/// The switches and hooks ops use to be traced (Note [Tracing]).
package enum Tracing {
    /// Threads tracing now: zero lets every op skip the thread-local read.
    static let sessions = Atomic<Int>(0)

    /// The tracer of this thread, when it is tracing and not inside a recorded op.
    @inline(__always) static var recorder: Tracer? {
        guard sessions.load(ordering: .relaxed) != 0, let t = GradMode.state.tracer, t.depth == 0 else { return nil }
        return t
    }

    /// Whether an op called now must record itself (for the tracer, or as a profiler span).
    @inline(__always) package static var isOn: Bool {
        guard sessions.load(ordering: .relaxed) != 0 else { return false }
        return observing()
    }

    @inline(never) static func observing() -> Bool {
        let s = GradMode.state
        if let t = s.tracer { return t.depth == 0 }
        guard let p = s.profiler else { return false }
        // The op re-entered from its own span (Note [Profiler]) runs without another one.
        if p.reentry {
            p.reentry = false
            return false
        }
        return true
    }

    /// Whether a layer called now is traced (as one node).
    @inline(__always) package static var isTracing: Bool { recorder != nil }

    /// Whether a tracer or a profiler is on anywhere (no side effect; layers take their slow path).
    @inline(__always) package static var anyObserver: Bool { sessions.load(ordering: .relaxed) != 0 }

    /// Runs `run` on `inputs` and records it as one node `op` with `attributes`; `run` is kept
    /// as the node's replay. Call only when `isOn`.
    package static func record(
        _ op: String, _ inputs: [Tensor], _ attributes: [(String, TraceAttribute)] = [], module: AnyObject? = nil,
        file: StaticString, line: UInt, _ run: @escaping ([Tensor]) -> [Tensor]
    ) -> [Tensor] {
        guard let t = recorder else {
            guard let p = Profiling.state else { return run(inputs) }
            let i = p.begin(op, .op, inputs: inputs, file: file, line: line)
            p.reentry = true
            let outs = run(inputs)
            p.reentry = false
            p.end(i, sequenceNr: outs.first?.creator?.sequenceNr)
            return outs
        }
        t.depth += 1
        let outs = run(inputs)
        t.depth -= 1
        // An op that hands back its input (a no-op `contiguous`) adds nothing.
        if outs.count == 1 && inputs.contains(where: { $0 === outs[0] }) { return outs }
        let userSite = CallSites.isLibraryFile(file) ? (CallSites.innermostUserCall() ?? (file, line)) : (file, line)
        if !t.dynamicSizes.isEmpty && module == nil {
            t.warnIfSpecialised(op, attributes, inputs, "\(userSite.0)", userSite.1)
        }
        let live = inputs.contains { t.isLive($0) }
        let inIDs = inputs.map { t.value(of: $0) }
        var outIDs: [Int] = []
        for o in outs {
            let id = t.graph.addValue(o, source: .node(t.graph.nodes.count), op: op)
            outIDs.append(id)
            t.remember(o, id, traced: live)
            if !live {
                t.constantDerived.insert(id)
                t.graph.eagerConstants[id] = o
            }
        }
        t.graph.nodes.append(
            TraceGraph.Node(
                op: op, inputs: inIDs, outputs: outIDs, attributes: attributes, module: module,
                file: "\(userSite.0)", line: userSite.1, replay: run))
        return outs
    }

    /// `record` for an op of one output.
    package static func record1(
        _ op: String, _ inputs: [Tensor], _ attributes: [(String, TraceAttribute)] = [],
        file: StaticString, line: UInt, _ run: @escaping ([Tensor]) -> Tensor
    ) -> Tensor {
        record(op, inputs, attributes, file: file, line: line) { [run($0)] }[0]
    }

    /// Called by the kernel router before a kernel runs: a kernel outside any recorded op that
    /// reads a traced value is an op the tracer cannot follow (recorded as the trace's failure).
    @inline(__always) package static func checkKernel(
        _ name: @autoclosure () -> String, _ a: KernelOperand, _ b: KernelOperand? = nil,
        _ c: KernelOperand? = nil, _ d: KernelOperand? = nil
    ) {
        if sessions.load(ordering: .relaxed) != 0 { checkKernel(name(), [a, b, c, d].compactMap { $0 }) }
    }

    @inline(never) static func checkKernel(_ name: String, _ operands: [KernelOperand]) {
        guard let t = recorder, t.failure == nil else { return }
        for o in operands {
            guard let s = o.owner as? Storage, t.tracedStorages[ObjectIdentifier(s)] != nil else { continue }
            let site =
                CallSites.innermostUserCall().map { " at \($0.file):\($0.line)" }
                ?? t.graph.nodes.last(where: { !CallSites.isLibraryFile($0.file) }).map {
                    " after the op at \($0.file):\($0.line)"
                } ?? ""
            t.failure =
                "an op the tracer does not record (its kernel `\(name)`) reads a traced value\(site); "
                + "it cannot be part of the graph"
            return
        }
    }

    /// An in-place write of `result` (an op's functional result) into `target` while tracing
    /// (Note [Tracing]): the graph is SSA, so `target` is rebound to `result`'s value and the
    /// data copied, unrecorded. Returns false, leaving the write to the caller (where the
    /// kernel check fails the trace), when neither is part of the graph or the write cannot be
    /// followed: `target` shares its storage with another traced tensor (a view, or viewed),
    /// or the result differs in shape or dtype. Call only when `isOn`.
    package static func assignInPlace(_ target: Tensor, _ result: Tensor) -> Bool {
        guard let t = recorder, t.isLive(target) || t.isLive(result) else { return false }
        guard result.shape == target.shape, result.dtype == target.dtype, result.device == target.device,
            result.storage !== target.storage, target.viewBase == nil,
            !(target.isLeaf && target.requiresGrad && GradMode.isEnabled)
        else { return false }
        let shared = t.held.contains { $0 !== target && $0.storage === target.storage }
        if shared { return false }
        t.depth += 1
        Kernels.copy(target.operand, result.operand, target.device)
        t.depth -= 1
        target.bumpVersion()
        if result.creator != nil {
            target.creator = result.creator
            target.outputNr = result.outputNr
        }
        let id = t.value(of: result)
        t.ids[ObjectIdentifier(target)] = id
        t.held.append(target)
        if t.isTraced(result) { t.tracedStorages[ObjectIdentifier(target.storage)] = target.storage }
        return true
    }

    /// Records that the trace cannot go on (`message` names what), at the user's line.
    package static func fail(_ message: String, file: StaticString, line: UInt) {
        guard let t = recorder, t.failure == nil else { return }
        let site = CallSites.isLibraryFile(file) ? CallSites.innermostUserCall() ?? (file, line) : (file, line)
        t.failure = "\(message), at \(site.0):\(site.1)"
    }

    /// A traced value read into Swift (`item()`): warns that the graph is specialised to this run.
    package static func leavingGraph(_ t: Tensor, _ what: String, file: StaticString, line: UInt) {
        guard let tr = recorder, tr.isTraced(t) else { return }
        let site = CallSites.isLibraryFile(file) ? CallSites.innermostUserCall() ?? (file, line) : (file, line)
        let message =
            "TracerWarning: \(what) reads a traced value into Swift at \(site.0):\(site.1); the graph "
            + "is specialised to this run's value (a branch on it will not be replayed)"
        tr.graph.warnings.append(message)
        fputs(message + "\n", stderr)
    }

    /// Runs `body` without recording (the inside of an op that reads values into Swift).
    package static func suspended<R>(_ body: () throws -> R) rethrows -> R {
        guard let t = recorder else { return try body() }
        t.depth += 1
        defer { t.depth -= 1 }
        return try body()
    }
}

extension Torch {
    /// Runs `function` once on `exampleInputs` and returns the graph of what it computed (PyTorch's
    /// `torch.jit.trace`): replayable with other inputs of the same ranks (`graph(inputs)`),
    /// printable, and the input of the ONNX exporter. `parameterNames` names tensors the function
    /// reads from outside (a model's weights), which become named parameters instead of
    /// constants; `dynamicDims` marks dims of inputs whose size may change (a batch dim).
    /// Throws when an op that cannot be traced read a traced value.
    ///
    /// ```swift
    /// let g = try Torch.trace({ [($0[0] * 2).relu()] }, exampleInputs: [x])
    /// print(g)            // one line per node
    /// let y = g([x2])[0]  // the same computation on another input
    /// ```
    public static func trace(
        _ function: ([Tensor]) -> [Tensor], exampleInputs: [Tensor], parameterNames: [(String, Tensor)] = [],
        dynamicDims: [Int: [Int]] = [:], simplify: Bool = true
    ) throws -> TraceGraph {
        let state = GradMode.state
        if state.tracer != nil { throw TraceError(message: "trace: already tracing on this thread") }
        let t = Tracer()
        for (name, p) in parameterNames where t.names[ObjectIdentifier(p)] == nil {
            t.names[ObjectIdentifier(p)] = name
            t.held.append(p)
        }
        for (i, x) in exampleInputs.enumerated() {
            let id = t.graph.addValue(x, source: .input(i))
            t.graph.inputs.append(id)
            t.remember(x, id, traced: true)
        }
        t.graph.dynamicDims = dynamicDims
        for (i, dims) in dynamicDims.sorted(by: { $0.key < $1.key }) where i < exampleInputs.count {
            for d in dims where d >= 0 && d < exampleInputs[i].rank {
                t.dynamicSizes.append((i, d, exampleInputs[i].shape[d]))
            }
        }
        state.tracer = t
        Tracing.sessions.add(1, ordering: .relaxed)
        let outs = function(exampleInputs)
        Tracing.sessions.subtract(1, ordering: .relaxed)
        state.tracer = nil
        if let f = t.failure { throw TraceError(message: "trace: " + f) }
        t.graph.outputs = outs.map { t.value(of: $0) }
        if simplify {
            t.graph.foldConstants()
            t.graph.eliminateDeadCode()
        }
        return t.graph
    }
}
