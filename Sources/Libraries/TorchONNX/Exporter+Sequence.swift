import Torch
import TorchBase
import TorchNN

// Recurrent layers and attention as ONNX operators (Note [ONNX export]).
extension ONNXBuilder {
    /// `w`'s gate blocks (of `h` rows each) in ONNX's order: LSTM i, f, g, o → i, o, f, c; GRU
    /// r, z, n → z, r, h.
    static func reorderGates(_ w: Tensor, _ mode: RecurrentMode, _ h: Int) -> Tensor {
        let order: [Int]
        switch mode {
        case .lstm: order = [0, 3, 1, 2]
        case .gru: order = [1, 0, 2]
        default: return w
        }
        return Torch.noGrad { Tensor.cat(order.map { w.narrow(0, start: $0 * h, length: h) }, dim: 0) }
    }

    /// A stacked LSTM/GRU/RNN: one ONNX operator per layer (both directions in one), with the
    /// weights stacked per direction and gate blocks reordered; outputs (output, hN, cN).
    mutating func recurrent(_ node: TraceGraph.Node, _ r: Recurrent, _ ins: [String], _ p: String) throws -> [String] {
        if r.projSize > 0 { throw failure(node, "an LSTM with projSize has no ONNX export yet") }
        let xInfo = graph.values[node.inputs[0]]
        // An unbatched sequence [L, H] (and states [layers·dirs, H]) runs as a batch of one.
        let unbatched = xInfo.shape.count == 2
        let dirs = r.bidirectional ? 2 : 1, hs = r.hiddenSize
        let op: String
        var attrs: [(String, ONNXAttributeValue)] = [
            ("hidden_size", .int(hs)), ("direction", .string(r.bidirectional ? "bidirectional" : "forward")),
        ]
        switch r.mode {
        case .lstm: op = "LSTM"
        case .gru:
            op = "GRU"
            attrs.append(("linear_before_reset", .int(1)))
        case .rnnTanh:
            op = "RNN"
            attrs.append(("activations", .strings(Array(repeating: "Tanh", count: dirs))))
        }
        let h0 = try ins.count > 1 ? batchOf1(ins[1], unbatched) : nil
        let c0 = try ins.count > 2 ? batchOf1(ins[2], unbatched) : nil
        let batchFirst = r.batchFirst && !unbatched
        var x =
            batchFirst ? add1("Transpose", [ins[0]], [("perm", .ints([1, 0, 2]))]) : try batchOf1(ins[0], unbatched)
        var hN: [String] = [], cN: [String] = []
        for layer in 0..<r.numLayers {
            let ws = (0..<dirs).map { r.weights[layer * dirs + $0] }
            let stack = { (i: Int) in Torch.noGrad { Tensor.stack(ws.map { Self.reorderGates($0[i], r.mode, hs) }) } }
            let w = try constant(stack(0), p + "W_l\(layer)")
            let rr = try constant(stack(1), p + "R_l\(layer)")
            let bias = Torch.noGrad {
                Tensor.stack(
                    ws.map { Tensor.cat([Self.reorderGates($0[2], r.mode, hs), Self.reorderGates($0[3], r.mode, hs)]) })
            }
            var inputs = [x, w, rr, try constant(bias, p + "B_l\(layer)"), ""]
            let range = [try ints([layer * dirs]), try ints([(layer + 1) * dirs]), try ints([0])]
            if let h0 { inputs.append(add1("Slice", [h0] + range)) } else { inputs.append("") }
            if r.mode == .lstm, let c0 { inputs.append(add1("Slice", [c0] + range)) }
            while inputs.last == "" { inputs.removeLast() }
            let outs = add(op, inputs, nil, attrs, outputCount: r.mode == .lstm ? 3 : 2)
            hN.append(outs[1])
            if r.mode == .lstm { cN.append(outs[2]) }
            // Y [seq, dirs, batch, hidden] → [seq, batch, dirs·hidden].
            let t = add1("Transpose", [outs[0]], [("perm", .ints([0, 2, 1, 3]))])
            x = add1("Reshape", [t, try ints([0, 0, -1])])
        }
        let output = batchFirst ? add1("Transpose", [x], [("perm", .ints([1, 0, 2]))]) : x
        var results = [output, hN.count == 1 ? add1("Identity", hN) : add1("Concat", hN, [("axis", .int(0))])]
        if r.mode == .lstm {
            results.append(cN.count == 1 ? add1("Identity", cN) : add1("Concat", cN, [("axis", .int(0))]))
        }
        if unbatched { results = try results.map { add1("Squeeze", [$0, try ints([1])]) } }
        return Array(results.prefix(node.outputs.count))
    }

    /// `v` with a batch dim of one at axis 1 when `unbatched`.
    mutating func batchOf1(_ v: String, _ unbatched: Bool) throws -> String {
        unbatched ? add1("Unsqueeze", [v, try ints([1])]) : v
    }

    /// Multi-head attention without masks: projections, scaled dot products, softmax, the output
    /// projection; the averaged (or per-head) weights when the call returns them.
    mutating func attention(
        _ node: TraceGraph.Node, _ a: MultiheadAttention, _ ins: [String], _ p: String
    ) throws -> [String] {
        // `mha(x)` (the one-tensor forward) is self-attention; `mha(q, k, v)` has three inputs.
        let ins = ins.count == 1 ? [ins[0], ins[0], ins[0]] : ins
        let ids = node.inputs.count == 1 ? [node.inputs[0], node.inputs[0], node.inputs[0]] : node.inputs
        let e = a.embedDim, h = a.numHeads, hd = e / a.numHeads
        func toBatchFirst(_ s: String) -> String {
            a.batchFirst ? s : add1("Transpose", [s], [("perm", .ints([1, 0, 2]))])
        }
        let dtype = graph.values[node.outputs[0]].dtype
        let wT = Torch.noGrad { a.inProjWeight.t().contiguous() }
        let q: String, k: String, v: String
        if ids[0] == ids[1] && ids[1] == ids[2] {
            let x = toBatchFirst(ins[0])
            let y = add1(
                "Add",
                [
                    add1("MatMul", [x, try constant(wT, p + "in_proj_weight_t")]),
                    try initializer(a.inProjBias, name: p + "in_proj_bias"),
                ])
            let split = add1("Reshape", [y, try ints([0, 0, 3, h, hd])])
            let heads = add1("Transpose", [split], [("perm", .ints([2, 0, 3, 1, 4]))])
            (q, k, v) = (
                add1("Gather", [heads, try constant(Tensor(Int64(0)))]),
                add1("Gather", [heads, try constant(Tensor(Int64(1)))]),
                add1("Gather", [heads, try constant(Tensor(Int64(2)))])
            )
        } else {
            var parts: [String] = []
            for i in 0..<3 {
                let w = Torch.noGrad { wT.narrow(1, start: i * e, length: e).contiguous() }
                let b = Torch.noGrad { a.inProjBias.narrow(0, start: i * e, length: e).contiguous() }
                let y = add1(
                    "Add",
                    [
                        add1("MatMul", [toBatchFirst(ins[i]), try constant(w, p + "proj_w")]),
                        try constant(b, p + "proj_b"),
                    ])
                let split = add1("Reshape", [y, try ints([0, 0, h, hd])])
                parts.append(add1("Transpose", [split], [("perm", .ints([0, 2, 1, 3]))]))
            }
            (q, k, v) = (parts[0], parts[1], parts[2])
        }
        let kt = add1("Transpose", [k], [("perm", .ints([0, 1, 3, 2]))])
        var scores = add1("Div", [add1("MatMul", [q, kt]), try scalar(Double(hd).squareRoot(), dtype)])
        scores = try masked(scores, node, ins, ids, heads: h, dtype: dtype, batchFirst: a.batchFirst)
        let attn = add1("Softmax", [scores], [("axis", .int(-1))])
        let o = add1("Transpose", [add1("MatMul", [attn, v])], [("perm", .ints([0, 2, 1, 3]))])
        let merged = add1("Reshape", [o, try ints([0, 0, e])])
        let outW = add1(
            "Transpose", [try initializer(a.outProj.weight, name: p + "out_proj.weight")], [("perm", .ints([1, 0]))])
        var y = add1("MatMul", [merged, outW])
        if let b = a.outProj.bias { y = add1("Add", [y, try initializer(b, name: p + "out_proj.bias")]) }
        var results = [a.batchFirst ? y : add1("Transpose", [y], [("perm", .ints([1, 0, 2]))])]
        if node.outputs.count > 1 {
            let averaged = graph.values[node.outputs[1]].shape.count == 3
            results.append(averaged ? try reduceMean(attn, [1], keep: false) : attn)
        }
        return results
    }

    /// The attention scores [N, H, L, S] with the call's masks applied as PyTorch does: the causal
    /// mask, then `attnMask` ([L, S] or [N·H, L, S]), then `keyPaddingMask` ([N, S]); a bool mask
    /// puts -inf where it is true, a float one is added.
    mutating func masked(
        _ scores: String, _ node: TraceGraph.Node, _ ins: [String], _ ids: [Int], heads: Int, dtype: DType,
        batchFirst: Bool
    ) throws -> String {
        var s = scores
        let minusInf = try scalar(-Double.infinity, dtype)
        func apply(_ mask: String, isBool: Bool) throws -> String {
            isBool ? add1("Where", [mask, minusInf, s]) : add1("Add", [s, try cast(mask, dtype)])
        }
        let q = graph.values[ids[0]].shape, k = graph.values[ids[1]].shape
        let (l, len) = batchFirst ? (q[1], k[1]) : (q[0], k[0])
        if node[attribute: "isCausal"]?.bool == true {
            let causal = Torch.noGrad { Tensor.ones([l, len], dtype: .bool).triu(1) }
            s = try apply(try constant(causal, "causal_mask"), isBool: true)
        }
        var next = 3
        if node[attribute: "attnMask"]?.bool == true {
            let m = graph.values[ids[next]]
            let mask = m.shape.count == 3 ? add1("Reshape", [ins[next], try ints([-1, heads, l, len])]) : ins[next]
            s = try apply(mask, isBool: m.dtype == .bool)
            next += 1
        }
        if node[attribute: "keyPaddingMask"]?.bool == true {
            let m = graph.values[ids[next]]
            s = try apply(add1("Reshape", [ins[next], try ints([0, 1, 1, -1])]), isBool: m.dtype == .bool)
        }
        return s
    }
}
