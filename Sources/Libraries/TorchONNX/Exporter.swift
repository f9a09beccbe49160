#if canImport(Glibc)
    import Glibc
#endif
import Torch
import TorchBase
import TorchNN

// Note [ONNX export]
// `Torch.onnx.export` traces the model (Note [Tracing]) in eval mode and writes each node of the
// graph as ONNX operators: element-wise primitives, views, reductions and softmax one-to-one
// (Relu, Reshape, ReduceSum, Softmax), and each TorchNN layer as the operator ONNX has for it
// (Gemm, Conv, LSTM with its gates reordered) or a short decomposition (GroupNorm, multi-head
// attention). Weights become initializers named by their path in the model (`fc1.weight`),
// stored as raw little-endian bytes. A node the exporter has no rule for throws an error naming
// the op and the user's line. Dims named in `dynamicAxes` are symbolic (`batch`); a reshape
// whose target repeats the traced size of a dynamic dim at the same place writes 0 there
// (ONNX's "copy this dim"), so the exported model takes other batch sizes.

/// Why an export failed: an op with no ONNX form, or a model that cannot be exported as it is.
public struct ONNXExportError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, naming the op and the user's line.
    public let message: String
    /// The message.
    public var description: String { message }
}

/// ONNX export (PyTorch's `torch.onnx`).
public enum ONNXExport {
    /// Traces `module` on `exampleInputs` in eval mode and writes it as an ONNX model to `path`
    /// (PyTorch's `torch.onnx.export`). `opset`: 17 to 20. `dynamicAxes` names dims of inputs and
    /// outputs whose size may change (`["input": [0: "batch"]]`). Initializers of at least
    /// `externalDataThreshold` bytes go to `path + ".data"` (by default only in a model over 2 GB).
    ///
    /// ```swift
    /// try Torch.onnx.export(model, [x], to: "model.onnx", inputNames: ["input"], outputNames: ["logits"],
    ///                       dynamicAxes: ["input": [0: "batch"], "logits": [0: "batch"]])
    /// ```
    public static func export(
        _ module: Module, _ exampleInputs: [Tensor], to path: String, opset: Int = 17, inputNames: [String] = [],
        outputNames: [String] = [], dynamicAxes: [String: [Int: String]] = [:], externalDataThreshold: Int? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) throws {
        try export(
            module, exampleInputs, forward: { xs in module.forwardAny(xs, file: file, line: line) }, to: path,
            opset: opset, inputNames: inputNames, outputNames: outputNames, dynamicAxes: dynamicAxes,
            externalDataThreshold: externalDataThreshold)
    }

    /// Exports `forward` (a call of `module` with any inputs and outputs, as tensors), with
    /// `module`'s weights named by their paths and the model in eval mode while it is traced.
    ///
    /// ```swift
    /// try Torch.onnx.export(lstm, [x, h0, c0], forward: { xs in
    ///     let (y, (h, c)) = lstm(xs[0], (xs[1], xs[2])); return [y, h, c]
    /// }, to: "lstm.onnx")
    /// ```
    public static func export(
        _ module: Module, _ exampleInputs: [Tensor], forward: ([Tensor]) -> [Tensor], to path: String,
        opset: Int = 17, inputNames: [String] = [], outputNames: [String] = [],
        dynamicAxes: [String: [Int: String]] = [:], externalDataThreshold: Int? = nil
    ) throws {
        let wasTraining = module.modules().map { $0.training }
        module.eval()
        defer { for (m, t) in zip(module.modules(), wasTraining) { m.train(t) } }
        let names = module.namedParameters() + module.namedBuffers()
        let moduleNames = Dictionary(
            module.namedModules().map { (ObjectIdentifier($0.1), $0.0) }, uniquingKeysWith: { a, _ in a })
        try export(
            { xs in Torch.noGrad { forward(xs) } }, exampleInputs, to: path, opset: opset, inputNames: inputNames,
            outputNames: outputNames, dynamicAxes: dynamicAxes, parameterNames: names, moduleNames: moduleNames,
            externalDataThreshold: externalDataThreshold)
    }

    /// Traces `function` and writes it as an ONNX model (see the module form).
    public static func export(
        _ function: ([Tensor]) -> [Tensor], _ exampleInputs: [Tensor], to path: String, opset: Int = 17,
        inputNames: [String] = [], outputNames: [String] = [], dynamicAxes: [String: [Int: String]] = [:],
        parameterNames: [(String, Tensor)] = [], moduleNames: [ObjectIdentifier: String] = [:],
        externalDataThreshold: Int? = nil
    ) throws {
        guard (17...20).contains(opset) else {
            throw ONNXExportError(message: "onnx.export: opset \(opset) is not supported (17 to 20)")
        }
        let inNames = exampleInputs.indices.map { $0 < inputNames.count ? inputNames[$0] : "input\($0)" }
        var dynamicDims: [Int: [Int]] = [:]
        for (i, n) in inNames.enumerated() { if let d = dynamicAxes[n] { dynamicDims[i] = d.keys.sorted() } }
        let graph: TraceGraph
        do {
            graph = try Torch.trace(
                function, exampleInputs: exampleInputs, parameterNames: parameterNames, dynamicDims: dynamicDims)
        } catch let e as TraceError {
            throw ONNXExportError(message: "onnx.export: " + e.message)
        }
        var b = ONNXBuilder(graph: graph, opset: opset, moduleNames: moduleNames)
        for (i, id) in graph.inputs.enumerated() {
            b.names[id] = inNames[i]
            b.dynamic[id] = Set(dynamicDims[i] ?? [])
            b.model.inputs.append(try b.valueInfo(id, name: inNames[i], axes: dynamicAxes[inNames[i]] ?? [:]))
        }
        for node in graph.nodes { try b.emit(node) }
        for (i, id) in graph.outputs.enumerated() {
            let name = i < outputNames.count ? outputNames[i] : "output\(i)"
            let src = try b.name(of: id)
            b.add("Identity", [src], [name])
            b.model.outputs.append(try b.valueInfo(id, name: name, axes: dynamicAxes[name] ?? [:]))
        }
        let big = b.model.initializers.reduce(0) { $0 + $1.raw.count } > 2_000_000_000
        let threshold = externalDataThreshold ?? (big ? 1024 : nil)
        let externalName = String(path.split(separator: "/").last ?? "model") + ".data"
        let (bytes, external) = b.model.encode(externalThreshold: threshold, externalName: externalName)
        try write(bytes, to: path)
        if !external.isEmpty { try write(external, to: path + ".data") }
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        guard let f = fopen(path, "wb") else {
            throw ONNXExportError(message: "onnx.export: cannot open \(path) for writing (errno \(errno))")
        }
        defer { fclose(f) }
        let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        if n != bytes.count { throw ONNXExportError(message: "onnx.export: short write to \(path)") }
    }
}

extension Torch {
    /// ONNX export: `Torch.onnx.export(model, [x], to: "model.onnx")`.
    public static var onnx: ONNXExport.Type { ONNXExport.self }
}

extension Module {
    /// Calls the module on one tensor (the export's entry), flattening a tuple output.
    func forwardAny(_ xs: [Tensor], file: StaticString, line: UInt) -> [Tensor] {
        if xs.count == 1 { return [self(xs[0], file: file, line: line)] }
        torchFail(
            "onnx.export", "a module is exported with one input; export a closure for \(xs.count)", file: file,
            line: line)
    }
}

/// The ONNX graph being built from a trace.
struct ONNXBuilder {
    let graph: TraceGraph
    var model: ONNXModel
    let moduleNames: [ObjectIdentifier: String]
    /// ONNX names of graph values.
    var names: [Int: String] = [:]
    /// Dims of values whose size is symbolic (from dynamic inputs).
    var dynamic: [Int: Set<Int>] = [:]
    private var tensorNames: [ObjectIdentifier: String] = [:]
    private var used: Set<String> = []
    private var counter = 0
    var opset: Int { model.opset }

    init(graph: TraceGraph, opset: Int, moduleNames: [ObjectIdentifier: String]) {
        self.graph = graph
        self.model = ONNXModel(opset: opset)
        self.moduleNames = moduleNames
    }

    /// A fresh value name.
    mutating func fresh(_ base: String) -> String {
        var n = base
        while used.contains(n) {
            counter += 1
            n = "\(base)_\(counter)"
        }
        used.insert(n)
        return n
    }

    /// Adds a node; returns its outputs.
    @discardableResult
    mutating func add(
        _ op: String, _ inputs: [String], _ outputs: [String]? = nil, _ attrs: [(String, ONNXAttributeValue)] = [],
        outputCount: Int = 1, doc: String = ""
    ) -> [String] {
        let outs = outputs ?? (0..<outputCount).map { _ in fresh("/" + op + "_output") }
        for o in outs { used.insert(o) }
        let name = fresh("/" + op)
        model.nodes.append(
            ONNXNode(op: op, inputs: inputs, outputs: outs, name: name, attributes: attrs, docString: doc))
        return outs
    }

    mutating func add1(_ op: String, _ inputs: [String], _ attrs: [(String, ONNXAttributeValue)] = []) -> String {
        add(op, inputs, nil, attrs)[0]
    }

    /// An initializer holding `t` (once per tensor object), named `name`.
    mutating func initializer(_ t: Tensor, name: String) throws -> String {
        if let n = tensorNames[ObjectIdentifier(t)] { return n }
        guard let type = ONNXTensor.dataType(t.dtype) else {
            throw ONNXExportError(message: "onnx.export: \(t.dtype) tensors have no ONNX type")
        }
        let c = Torch.noGrad { t.detach().contiguous() }
        let bytes = c.toArray(UInt8.self, reinterpreting: true)
        let n = fresh(name)
        model.initializers.append(ONNXTensor(name: n, dims: t.shape, dataType: type, raw: bytes))
        tensorNames[ObjectIdentifier(t)] = n
        return n
    }

    /// A new initializer from values (not deduplicated).
    mutating func constant(_ t: Tensor, _ base: String = "const") throws -> String {
        let c = Torch.noGrad { t.contiguous() }
        guard let type = ONNXTensor.dataType(c.dtype) else {
            throw ONNXExportError(message: "onnx.export: \(t.dtype) tensors have no ONNX type")
        }
        let n = fresh(base)
        model.initializers.append(
            ONNXTensor(name: n, dims: c.shape, dataType: type, raw: c.toArray(UInt8.self, reinterpreting: true)))
        return n
    }

    /// An int64 1-D initializer (shapes, axes).
    mutating func ints(_ v: [Int]) throws -> String {
        try constant(Tensor(v.map { Int64($0) }), "ints")
    }

    /// A 0-d float initializer of `dtype`.
    mutating func scalar(_ v: Double, _ dtype: DType) throws -> String {
        try constant(Tensor(v).to(dtype), "scalar")
    }

    /// The ONNX name of graph value `id` (an initializer for parameters and constants).
    mutating func name(of id: Int) throws -> String {
        if let n = names[id] { return n }
        guard let t = graph.tensor(id) else {
            throw ONNXExportError(message: "onnx.export: value \(graph.values[id].name) has no producer")
        }
        let n = try initializer(t, name: graph.values[id].name)
        names[id] = n
        return n
    }

    func valueInfo(_ id: Int, name: String, axes: [Int: String]) throws -> ONNXValueInfo {
        let v = graph.values[id]
        guard let type = ONNXTensor.dataType(v.dtype) else {
            throw ONNXExportError(message: "onnx.export: \(v.dtype) values have no ONNX type")
        }
        let dims = v.shape.enumerated().map { d, s in axes[d].map { ONNXValueInfo.Dim.param($0) } ?? .value(s) }
        return ONNXValueInfo(name: name, elemType: type, dims: dims)
    }

    /// The prefix for initializers of a layer node (`fc1.`).
    func prefix(_ node: TraceGraph.Node) -> String {
        guard let m = node.module, let n = moduleNames[ObjectIdentifier(m)], !n.isEmpty else { return node.op + "." }
        return n + "."
    }

    func failure(_ node: TraceGraph.Node, _ why: String) -> ONNXExportError {
        ONNXExportError(message: "onnx.export: \(node.op) (at \(node.file):\(node.line)): \(why)")
    }

    /// Writes one traced node.
    mutating func emit(_ node: TraceGraph.Node) throws {
        let ins = try node.inputs.map { try name(of: $0) }
        let outs: [String]
        if let m = node.module {
            outs = try emitLayer(node, m, ins)
        } else {
            outs = try emitCall(node, ins)
        }
        guard outs.count == node.outputs.count else {
            throw failure(node, "made \(outs.count) outputs for \(node.outputs.count)")
        }
        // Dynamic dims follow the first input at the same place when the size matches.
        if let first = node.inputs.first, let d = dynamic[first] {
            for o in node.outputs {
                let s = graph.values[o].shape, si = graph.values[first].shape
                dynamic[o] = Set(d.filter { $0 < s.count && $0 < si.count && s[$0] == si[$0] })
            }
        }
        for (id, n) in zip(node.outputs, outs) { names[id] = n }
    }
}

extension Tensor {
    /// The raw bytes of a contiguous tensor.
    func toArray(_: UInt8.Type, reinterpreting: Bool) -> [UInt8] {
        let n = count * dtype.itemSize
        let c = contiguous()
        return withExtendedLifetime(c) {
            Array(
                UnsafeRawBufferPointer(start: UnsafeRawPointer(c.storage.data) + c.storageOffset * c.itemSize, count: n)
            )
        }
    }
}
