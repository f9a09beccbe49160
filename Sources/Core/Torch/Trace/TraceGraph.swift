import TorchBase

/// What `Torch.trace` recorded (Note [Tracing]): values with their shapes and dtypes, and the
/// nodes that computed them in execution order. Replay it with `graph(inputs)`; print it for a
/// table like `torch.fx`'s `print_tabular`.
///
/// ```swift
/// let g = try Torch.trace({ [$0[0].sin() + 1] }, exampleInputs: [x])
/// print(g)
/// g([y])[0]   // sin(y) + 1
/// ```
public final class TraceGraph: CustomStringConvertible {
    /// Where a value comes from.
    public enum Source: Hashable, Sendable {
        /// The function's input at this position.
        case input(Int)
        /// A named tensor read from outside (a weight), by reference: replay reads its current value.
        case parameter(String)
        /// A tensor made outside the graph and read by it (kept by reference).
        case constant
        /// The output of the node at this index (of `nodes` when recorded; after passes, a node's
        /// outputs are found by `producer(of:)`).
        case node(Int)
    }

    /// One value of the graph.
    public struct Value: Sendable {
        /// Its index in `values`.
        public let id: Int
        /// A readable name (`x`, `fc1.weight`, `relu_1`).
        public internal(set) var name: String
        /// Its shape in the traced run.
        public let shape: [Int]
        /// Its dtype.
        public let dtype: DType
        /// Where it comes from.
        public internal(set) var source: Source
        /// Whether the graph computes it from its inputs (an input or a node's output).
        public var isComputed: Bool {
            switch source {
            case .input, .node: return true
            case .parameter, .constant: return false
            }
        }
    }

    /// One recorded op.
    public struct Node {
        /// The op's name: a primitive (`mul`), a public op (`reshape`), or a layer's type (`Linear`).
        public let op: String
        /// The values it reads.
        public let inputs: [Int]
        /// The values it makes.
        public let outputs: [Int]
        /// Its attributes, in the order the op lists them.
        public let attributes: [(String, TraceAttribute)]
        /// The layer, for a node that is one layer call.
        public let module: AnyObject?
        /// Where the user's code called it.
        public let file: String
        /// The line of `file`.
        public let line: UInt
        let replay: ([Tensor]) -> [Tensor]

        /// The attribute `name`, if the node has it.
        public subscript(attribute name: String) -> TraceAttribute? { attributes.first { $0.0 == name }?.1 }
    }

    /// Every value, by id.
    public internal(set) var values: [Value] = []
    /// The nodes, in execution order.
    public internal(set) var nodes: [Node] = []
    /// The function's inputs.
    public internal(set) var inputs: [Int] = []
    /// The function's outputs.
    public internal(set) var outputs: [Int] = []
    /// Dims of inputs marked dynamic (input position: dims).
    public internal(set) var dynamicDims: [Int: [Int]] = [:]
    /// What the tracer warned about (values read into Swift), with the user's lines.
    public internal(set) var warnings: [String] = []
    /// The tensors behind parameters and constants.
    package var tensors: [Int: Tensor] = [:]
    /// The eager outputs of nodes computed from constants only, which `foldConstants` keeps.
    var eagerConstants: [Int: Tensor] = [:]
    private var usedNames: [String: Int] = [:]

    init() {}

    /// The tensor behind a parameter or constant value.
    public func tensor(_ id: Int) -> Tensor? { tensors[id] }

    func addValue(_ t: Tensor, source: Source, op: String = "value") -> Int {
        let base: String
        switch source {
        case .input(let i): base = "input\(i)"
        case .parameter(let n): base = n
        case .constant: base = "constant"
        case .node: base = op
        }
        let id = values.count
        values.append(Value(id: id, name: uniqueName(base), shape: t.shape, dtype: t.dtype, source: source))
        return id
    }

    /// Names node outputs after their op, once all outputs of the node are known.
    private func uniqueName(_ base: String) -> String {
        // Layer types as value names: `Linear` → `linear`, `ReLU` → `relu`.
        let b = base.first?.isUppercase == true ? base.lowercased() : base
        let n = usedNames[b, default: 0]
        usedNames[b] = n + 1
        return n == 0 ? b : "\(b)_\(n)"
    }

    /// The node that makes value `id`, if a node does.
    public func producer(of id: Int) -> Node? { nodes.first { $0.outputs.contains(id) } }

    /// Runs the graph on `inputs` (of the traced ranks; the traced shapes, except dims marked
    /// dynamic) and returns its outputs: the same ops as the traced run, so the same values.
    public func callAsFunction(_ inputs: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        if inputs.count != self.inputs.count {
            torchFail("TraceGraph", "takes \(self.inputs.count) inputs, got \(inputs.count)", file: file, line: line)
        }
        var env = [Tensor?](repeating: nil, count: values.count)
        for (i, id) in self.inputs.enumerated() {
            let expected = values[id]
            let dynamic = Set(dynamicDims[i] ?? [])
            let fits =
                inputs[i].rank == expected.shape.count
                && zip(inputs[i].shape, expected.shape).enumerated().allSatisfy { d, s in
                    s.0 == s.1 || dynamic.contains(d)
                }
            if !fits || inputs[i].dtype != expected.dtype {
                torchFail(
                    "TraceGraph",
                    "input \(i) was traced as \(expected.dtype) \(expected.shape) (dynamic dims \(dynamic.sorted())), "
                        + "got \(inputs[i].dtype) \(inputs[i].shape)", file: file, line: line)
            }
            env[id] = inputs[i]
        }
        for (id, t) in tensors { env[id] = t }
        for node in nodes {
            let outs = node.replay(node.inputs.map { env[$0]! })
            for (id, o) in zip(node.outputs, outs) { env[id] = o }
        }
        return outputs.map { env[$0]! }
    }

    /// Removes the nodes whose outputs nothing uses, and the constants only they read.
    public func eliminateDeadCode() {
        var live = Set(outputs)
        var kept: [Node] = []
        for node in nodes.reversed() where node.outputs.contains(where: live.contains) {
            kept.append(node)
            live.formUnion(node.inputs)
        }
        nodes = kept.reversed()
        for id in Array(tensors.keys) where !live.contains(id) { tensors[id] = nil }
    }

    /// Computes now every node whose inputs are all constants (not parameters, which may change):
    /// its outputs become constants. Layer nodes are kept (their weights may change).
    public func foldConstants() {
        var kept: [Node] = []
        for node in nodes {
            let constant = node.module == nil && node.inputs.allSatisfy { values[$0].source == .constant }
            guard constant else {
                kept.append(node)
                continue
            }
            // The eager value when tracing kept it: a later in-place write (`eye`'s diagonal fill)
            // is in it, as in the eager run.
            let eager = node.outputs.compactMap { eagerConstants[$0] }
            let outs = eager.count == node.outputs.count ? eager : node.replay(node.inputs.map { tensors[$0]! })
            for (id, o) in zip(node.outputs, outs) {
                values[id].source = .constant
                tensors[id] = o
            }
        }
        nodes = kept
    }

    /// The graph as a table: one row per input, parameter, constant, node and output.
    public var description: String {
        var rows: [[String]] = [["opcode", "name", "target", "args", "attributes", "shape", "dtype", "line"]]
        func info(_ id: Int) -> [String] { ["\(values[id].shape)", "\(values[id].dtype)"] }
        for id in inputs { rows.append(["input", values[id].name, "", "", ""] + info(id) + [""]) }
        for id in tensors.keys.sorted() {
            let kind = values[id].source == .constant ? "constant" : "parameter"
            rows.append([kind, values[id].name, "", "", ""] + info(id) + [""])
        }
        for node in nodes {
            let kind = node.module == nil ? "call" : "module"
            let args = "(" + node.inputs.map { values[$0].name }.joined(separator: ", ") + ")"
            let attrs = node.attributes.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")
            let names = node.outputs.map { values[$0].name }.joined(separator: ", ")
            let shapes = node.outputs.map { "\(values[$0].shape)" }.joined(separator: ", ")
            let file = node.file.split(separator: "/").last.map(String.init) ?? node.file
            rows.append([
                kind, names, node.op, args, attrs, shapes, "\(values[node.outputs.first ?? 0].dtype)",
                "\(file):\(node.line)",
            ])
        }
        rows.append(["output", "output", "", "(" + outputs.map { values[$0].name }.joined(separator: ", ") + ")"])
        var widths = [Int](repeating: 0, count: 8)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        let lines = rows.map { r in
            r.enumerated().map { i, c in c + String(repeating: " ", count: widths[i] - c.count) }
                .joined(separator: "  ").replacingTrailingSpaces()
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([lines[0], rule] + lines.dropFirst()).joined(separator: "\n")
    }
}

extension String {
    fileprivate func replacingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
