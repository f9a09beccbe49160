import Torch
import TorchBase
import TorchNN

// The ONNX forms of TorchNN layers (Note [ONNX export]).
extension ONNXBuilder {
    /// The ONNX nodes of one layer call.
    mutating func emitLayer(_ node: TraceGraph.Node, _ m: AnyObject, _ ins: [String]) throws -> [String] {
        let p = prefix(node)
        let x = ins[0]
        let xInfo = graph.values[node.inputs[0]]
        let dtype = graph.values[node.outputs[0]].dtype
        switch m {
        case let l as Linear:
            let w = try initializer(l.weight, name: p + "weight")
            if xInfo.shape.count == 2 {
                var inputs = [x, w]
                if let b = l.bias { inputs.append(try initializer(b, name: p + "bias")) }
                return [add1("Gemm", inputs, [("transB", .int(1))])]
            }
            let wt = add1("Transpose", [w], [("perm", .ints([1, 0]))])
            let y = add1("MatMul", [x, wt])
            guard let b = l.bias else { return [y] }
            return [add1("Add", [y, try initializer(b, name: p + "bias")])]
        case let c as ConvNd:
            var inputs = [x, try initializer(c.weight, name: p + "weight")]
            if let b = c.bias { inputs.append(try initializer(b, name: p + "bias")) }
            let r = c.weight.rank - 2
            let pads: [Int]?
            switch c.padding {
            case .valid: pads = Array(repeating: 0, count: r)
            case .explicit(let v): pads = expand(v, r)
            case .same: pads = nil
            }
            let kernel = Array(c.weight.shape.dropFirst(2))
            return [conv(inputs, kernel: kernel, stride: c.stride, dilation: c.dilation, groups: c.groups, pads: pads)]
        case let c as ConvTransposeNd:
            let k = Array(c.weight.shape.dropFirst(2))
            var inputs = [x, try initializer(c.weight, name: p + "weight")]
            if let b = c.bias { inputs.append(try initializer(b, name: p + "bias")) }
            return [
                add1(
                    "ConvTranspose", inputs,
                    [
                        ("dilations", .ints(c.dilation)), ("group", .int(c.groups)), ("kernel_shape", .ints(k)),
                        ("output_padding", .ints(c.outputPadding)), ("pads", .ints(c.padding + c.padding)),
                        ("strides", .ints(c.stride)),
                    ])
            ]
        case let pool as MaxPoolNd:
            if pool.returnIndices { throw failure(node, "returnIndices has no ONNX export yet") }
            let r = xInfo.shape.count - 2
            let k = expand(pool.kernelSize.values, r)
            return [
                maxPool(
                    x, kernel: k, stride: pool.stride.map { expand($0.values, r) } ?? k,
                    padding: expand(pool.padding.values, r), dilation: expand(pool.dilation.values, r),
                    ceilMode: pool.ceilMode)
            ]
        case let pool as AvgPoolNd:
            if pool.divisorOverride != nil { throw failure(node, "divisorOverride has no ONNX export") }
            let r = xInfo.shape.count - 2
            let k = expand(pool.kernelSize.values, r)
            return [
                avgPool(
                    x, kernel: k, stride: pool.stride.map { expand($0.values, r) } ?? k,
                    padding: expand(pool.padding.values, r), ceilMode: pool.ceilMode,
                    countIncludePad: pool.countIncludePad)
            ]
        case let pool as AdaptivePoolNd:
            let spatial = Array(xInfo.shape.suffix(pool.outputSize.count))
            if pool.outputSize.allSatisfy({ $0 == 1 }) {
                return [add1(pool.max ? "GlobalMaxPool" : "GlobalAveragePool", [x])]
            }
            guard zip(spatial, pool.outputSize).allSatisfy({ $0 % $1 == 0 }) else {
                throw failure(node, "an adaptive pool whose input size is not a multiple of its output size")
            }
            let k = zip(spatial, pool.outputSize).map { $0 / $1 }
            return [
                add1(pool.max ? "MaxPool" : "AveragePool", [x], [("kernel_shape", .ints(k)), ("strides", .ints(k))])
            ]
        case let bn as BatchNorm:
            guard let mean = bn.runningMean, let v = bn.runningVar else {
                throw failure(node, "batch norm without running statistics normalises by the batch: no ONNX export")
            }
            let c = bn.numFeatures
            let scale =
                try bn.weight.map { try initializer($0, name: p + "weight") }
                ?? constant(Tensor.ones([c], dtype: dtype))
            let shift =
                try bn.bias.map { try initializer($0, name: p + "bias") } ?? constant(Tensor.zeros([c], dtype: dtype))
            let inputs = [
                x, scale, shift, try initializer(mean, name: p + "running_mean"),
                try initializer(v, name: p + "running_var"),
            ]
            return [add1("BatchNormalization", inputs, [("epsilon", .float(Float(bn.eps)))])]
        case let ln as LayerNorm:
            let inputs = [
                x, try initializer(ln.weight, name: p + "weight"), try initializer(ln.bias, name: p + "bias"),
            ]
            let attrs: [(String, ONNXAttributeValue)] = [
                ("axis", .int(-ln.normalizedShape.count)), ("epsilon", .float(Float(ln.eps))),
            ]
            return [add("LayerNormalization", inputs, nil, attrs)[0]]
        case let gn as GroupNorm:
            return [try groupNorm(x, gn, xInfo, p, dtype)]
        case let inorm as InstanceNorm:
            let c = inorm.numFeatures
            if xInfo.shape.count != inorm.spatialDims + 2 {
                throw failure(node, "unbatched input has no ONNX export yet")
            }
            let scale =
                try inorm.weight.map { try initializer($0, name: p + "weight") }
                ?? constant(Tensor.ones([c], dtype: dtype))
            let shift =
                try inorm.bias.map { try initializer($0, name: p + "bias") }
                ?? constant(Tensor.zeros([c], dtype: dtype))
            return [add1("InstanceNormalization", [x, scale, shift], [("epsilon", .float(Float(inorm.eps)))])]
        case let e as Embedding:
            if e.maxNorm != nil { throw failure(node, "maxNorm renormalises weights in place: no ONNX export") }
            return [add1("Gather", [try initializer(e.weight, name: p + "weight"), x])]
        case is Dropout, is ChannelDropout, is Identity:
            return [add1("Identity", [x])]
        case let r as Recurrent:
            return try recurrent(node, r, ins, p)
        case let a as MultiheadAttention:
            return try attention(node, a, ins, p)
        case let l as Loss:
            return [try loss(node, l, ins)]
        default:
            return try activation(node, m, x, xInfo, dtype)
        }
    }

    /// The activations and reshaping layers.
    mutating func activation(
        _ node: TraceGraph.Node, _ m: AnyObject, _ x: String, _ xInfo: TraceGraph.Value, _ dtype: DType
    ) throws -> [String] {
        switch m {
        case is ReLU: return [add1("Relu", [x])]
        case is Sigmoid: return [add1("Sigmoid", [x])]
        case is Tanh: return [add1("Tanh", [x])]
        case is SiLU: return [add1("Mul", [x, add1("Sigmoid", [x])])]
        case is Mish: return [add1("Mul", [x, add1("Tanh", [add1("Softplus", [x])])])]
        case is Softsign: return [add1("Softsign", [x])]
        case is SELU: return [add1("Selu", [x])]
        case let l as LeakyReLU: return [add1("LeakyRelu", [x], [("alpha", .float(Float(l.negativeSlope)))])]
        case let e as ELU: return [add1("Elu", [x], [("alpha", .float(Float(e.alpha)))])]
        case let g as GELU: return [try gelu(x, dtype, tanh: g.approximate == .tanh)]
        case let s as Softplus:
            if s.beta == 1 { return [add1("Softplus", [x])] }
            let beta = try scalar(s.beta, dtype)
            return [add1("Div", [add1("Softplus", [add1("Mul", [x, beta])]), beta])]
        case let h as Hardtanh:
            return [add1("Clip", [x, try scalar(h.minVal, dtype), try scalar(h.maxVal, dtype)])]
        case is ReLU6: return [add1("Clip", [x, try scalar(0, dtype), try scalar(6, dtype)])]
        case let s as Softmax: return [add1("Softmax", [x], [("axis", .int(s.dim))])]
        case let s as LogSoftmax: return [add1("LogSoftmax", [x], [("axis", .int(s.dim))])]
        case let f as Flatten:
            let r = xInfo.shape.count
            let s = f.start < 0 ? f.start + r : f.start, e = f.end < 0 ? f.end + r : f.end
            let target = Array(repeating: 0, count: s) + [-1] + Array(xInfo.shape[(e + 1)...])
            return [add1("Reshape", [x, try ints(target)])]
        default:
            throw failure(node, "has no ONNX export")
        }
    }

    func expand(_ v: [Int], _ r: Int) -> [Int] { v.count == 1 ? Array(repeating: v[0], count: r) : v }

    /// Conv over `inputs` (x, weight, bias?); nil `pads`: PyTorch's "same" (the odd one on the right).
    mutating func conv(
        _ inputs: [String], kernel: [Int], stride: [Int], dilation: [Int], groups: Int, pads: [Int]?
    ) -> String {
        let total = zip(dilation, kernel).map { $0 * ($1 - 1) }
        let both = pads.map { $0 + $0 } ?? total.map { $0 / 2 } + total.map { $0 - $0 / 2 }
        return add1(
            "Conv", inputs,
            [
                ("dilations", .ints(dilation)), ("group", .int(groups)), ("kernel_shape", .ints(kernel)),
                ("pads", .ints(both)), ("strides", .ints(stride)),
            ])
    }

    mutating func maxPool(
        _ x: String, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], ceilMode: Bool
    ) -> String {
        add1(
            "MaxPool", [x],
            [
                ("ceil_mode", .int(ceilMode ? 1 : 0)), ("dilations", .ints(dilation)), ("kernel_shape", .ints(kernel)),
                ("pads", .ints(padding + padding)), ("strides", .ints(stride)),
            ])
    }

    mutating func avgPool(
        _ x: String, kernel: [Int], stride: [Int], padding: [Int], ceilMode: Bool, countIncludePad: Bool
    ) -> String {
        add1(
            "AveragePool", [x],
            [
                ("ceil_mode", .int(ceilMode ? 1 : 0)), ("count_include_pad", .int(countIncludePad ? 1 : 0)),
                ("kernel_shape", .ints(kernel)), ("pads", .ints(padding + padding)), ("strides", .ints(stride)),
            ])
    }

    /// ReduceMean over `axes` (an attribute before opset 18, an input from 18).
    mutating func reduceMean(_ x: String, _ axes: [Int], keep: Bool) throws -> String {
        if opset >= 18 { return add1("ReduceMean", [x, try ints(axes)], [("keepdims", .int(keep ? 1 : 0))]) }
        return add1("ReduceMean", [x], [("axes", .ints(axes)), ("keepdims", .int(keep ? 1 : 0))])
    }

    /// Group norm: normalise [N, G, rest] over the last axis, then scale and shift per channel.
    mutating func groupNorm(
        _ x: String, _ gn: GroupNorm, _ xInfo: TraceGraph.Value, _ p: String, _ dtype: DType
    ) throws -> String {
        let shape = add1("Shape", [x])
        let y = add1("Reshape", [x, try ints([0, gn.numGroups, -1])])
        let d = add1("Sub", [y, try reduceMean(y, [2], keep: true)])
        let v = try reduceMean(add1("Mul", [d, d]), [2], keep: true)
        let n = add1("Div", [d, add1("Sqrt", [add1("Add", [v, try scalar(gn.eps, dtype)])])])
        let back = add1("Reshape", [n, shape])
        let perChannel = [gn.numChannels] + Array(repeating: 1, count: xInfo.shape.count - 2)
        let w = add1("Reshape", [try initializer(gn.weight, name: p + "weight"), try ints(perChannel)])
        let b = add1("Reshape", [try initializer(gn.bias, name: p + "bias"), try ints(perChannel)])
        return add1("Add", [add1("Mul", [back, w]), b])
    }

    /// The losses ONNX has an operator for (cross entropy, NLL) or that are a few element-wise
    /// ops (MSE, L1, BCE with logits), with their reduction.
    mutating func loss(_ node: TraceGraph.Node, _ l: Loss, _ ins: [String]) throws -> String {
        let (x, t) = (ins[0], ins[1])
        let reduction = l.reduction.rawValue
        func reduced(_ v: String) -> String {
            switch l.reduction {
            case .none: return v
            case .mean: return add1("ReduceMean", [v], [("keepdims", .int(0))])
            case .sum: return add1("ReduceSum", [v], [("keepdims", .int(0))])
            }
        }
        switch l {
        case is MSELoss:
            let d = add1("Sub", [x, t])
            return reduced(add1("Mul", [d, d]))
        case is L1Loss:
            return reduced(add1("Abs", [add1("Sub", [x, t])]))
        case let b as BCEWithLogitsLoss where b.posWeight == nil:
            // max(x, 0) - x·t + log(1 + exp(-|x|)), PyTorch's stable form.
            let softplus = add1("Softplus", [add1("Neg", [add1("Abs", [x])])])
            return reduced(add1("Add", [add1("Sub", [add1("Relu", [x]), add1("Mul", [x, t])]), softplus]))
        case let c as CrossEntropyLoss where c.weight == nil && c.labelSmoothing == 0:
            guard !graph.values[node.inputs[1]].dtype.isFloatingPoint else {
                throw failure(node, "class-probability targets have no ONNX export yet (class indices do)")
            }
            return add1(
                "SoftmaxCrossEntropyLoss", [x, t],
                [("reduction", .string(reduction)), ("ignore_index", .int(c.ignoreIndex))])
        case let n as NLLLoss where n.weight == nil:
            return add1(
                "NegativeLogLikelihoodLoss", [x, t],
                [("reduction", .string(reduction)), ("ignore_index", .int(n.ignoreIndex))])
        default:
            throw failure(node, "has no ONNX export (with these options)")
        }
    }
}
