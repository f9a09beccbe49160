import TorchBase
import Torch

// Layers as one traced node each (Note [Tracing] in Torch): a call of a TorchNN layer made while
// tracing records one node named after the layer's type, holding the layer itself, as
// `torch.fx` keeps `torch.nn` layers as leaf modules. Its inputs and outputs are the tensors of
// the call (a tensor, an optional one, a pair of them as an LSTM's state), flattened in order;
// other arguments (flags) are kept as they were. Containers and the transformer stacks are not
// leaves: their children are traced.
extension Module {
    /// The library's classes whose calls are traced through, not recorded as one node.
    private static let tracedThrough: Set<ObjectIdentifier> = [
        ObjectIdentifier(Sequential.self), ObjectIdentifier(ModuleList.self), ObjectIdentifier(ModuleDict.self),
        ObjectIdentifier(TransformerEncoderLayer.self), ObjectIdentifier(TransformerDecoderLayer.self),
        ObjectIdentifier(TransformerEncoder.self), ObjectIdentifier(TransformerDecoder.self),
        ObjectIdentifier(Transformer.self), ObjectIdentifier(Activation.self),
    ]

    /// Whether a call of this module is recorded as one node while tracing: the layers of this
    /// library, not containers and not users' own modules (whose forward is traced).
    var tracesAsOneNode: Bool {
        Module.isLibraryType(type(of: self)) && !Module.tracedThrough.contains(ObjectIdentifier(type(of: self)))
    }

    /// Records `call(inputs)` as one node of this layer, or nil when an input or the output holds
    /// something other than tensors (then the call is traced through).
    func traceAsOneNode<Output>(
        _ inputs: [Any], _ call: @escaping ([Any]) -> Output, file: StaticString, line: UInt
    ) -> Output? {
        guard let tensors = TraceLeaf.tensors(in: inputs) else { return nil }
        let holder = TraceLeaf.Holder<Output>()
        let outs = Tracing.record(
            "\(type(of: self))", tensors, [("config", .string(extraRepr))], module: self, file: file, line: line
        ) { ts in
            let out = call(TraceLeaf.replacing(inputs, with: ts))
            holder.value = out
            return TraceLeaf.tensors(in: [out]) ?? []
        }
        // The layer ran once inside `record`; an output that is not tensors (a PackedSequence)
        // cannot be a node's outputs, so the trace fails there rather than running the layer again.
        guard let out = holder.value else { return nil }
        holder.value = nil
        if outs.isEmpty && TraceLeaf.tensors(in: [out]) == nil {
            Tracing.fail("\(type(of: self)) returns values the tracer cannot follow", file: file, line: line)
        }
        return out
    }
}

/// Flattening a call's arguments and results into tensors, and back.
enum TraceLeaf {
    final class Holder<T> { var value: T? }

    /// The tensors in `values` in order (through optionals and tuples), or nil when a value is
    /// something else that holds tensors (a PackedSequence, an array).
    static func tensors(in values: [Any]) -> [Tensor]? {
        var out: [Tensor] = []
        for v in values { guard collect(v, into: &out) else { return nil } }
        return out
    }

    private static func collect(_ v: Any, into out: inout [Tensor]) -> Bool {
        if let t = v as? Tensor {
            out.append(t)
            return true
        }
        let m = Mirror(reflecting: v)
        switch m.displayStyle {
        case .optional:
            guard let inner = m.children.first else { return true }
            return collect(inner.value, into: &out)
        case .tuple:
            for c in m.children { guard collect(c.value, into: &out) else { return false } }
            return true
        case .class, .collection, .dictionary, .set, .struct:
            return m.children.isEmpty && !(v is any Collection)
        default:
            return true
        }
    }

    /// `values` with their tensors replaced, in order, by `tensors`.
    static func replacing(_ values: [Any], with tensors: [Tensor]) -> [Any] {
        var i = 0
        return values.map { replace($0, tensors, &i) }
    }

    private static func replace(_ v: Any, _ ts: [Tensor], _ i: inout Int) -> Any {
        if v is Tensor {
            defer { i += 1 }
            return ts[i]
        }
        if let t = v as? Tensor? {
            guard t != nil else { return v }
            defer { i += 1 }
            return Optional(ts[i]) as Any
        }
        if let p = v as? (Tensor, Tensor) {
            defer { i += 2 }
            _ = p
            return (ts[i], ts[i + 1])
        }
        if let p = v as? (Tensor, Tensor)? {
            guard p != nil else { return v }
            defer { i += 2 }
            return Optional((ts[i], ts[i + 1])) as Any
        }
        return v
    }
}

extension Torch {
    /// Traces `module` called on `exampleInputs` (Note [Tracing]): its parameters and buffers
    /// become named parameters of the graph (`fc1.weight`), its layers one node each.
    ///
    /// ```swift
    /// let g = try Torch.trace(model, exampleInputs: [x], dynamicDims: [0: [0]])
    /// print(g)
    /// ```
    public static func trace(
        _ module: Module, exampleInputs: [Tensor], dynamicDims: [Int: [Int]] = [:], simplify: Bool = true,
        file: StaticString = #fileID, line: UInt = #line
    ) throws -> TraceGraph {
        let names = module.namedParameters() + module.namedBuffers()
        return try trace(
            { xs in
                guard xs.count == 1 else {
                    torchFail(
                        "Torch.trace", "a module is traced on one input; trace a closure for \(xs.count)",
                        file: file, line: line)
                }
                return [module(xs[0], file: file, line: line)]
            }, exampleInputs: exampleInputs, parameterNames: names, dynamicDims: dynamicDims, simplify: simplify)
    }
}
