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
            let r = xInfo.shape.count - 2
            let k = expand(pool.kernelSize.values, r)
            return try maxPool(
                x, kernel: k, stride: pool.stride.map { expand($0.values, r) } ?? k,
                padding: expand(pool.padding.values, r), dilation: expand(pool.dilation.values, r),
                ceilMode: pool.ceilMode, indicesOver: node.outputs.count == 2 ? Array(xInfo.shape.suffix(r)) : nil)
        case let pool as AvgPoolNd:
            let r = xInfo.shape.count - 2
            let k = expand(pool.kernelSize.values, r)
            if let divisor = pool.divisorOverride {
                return [
                    try windowSums(
                        node, x, kernel: k, stride: pool.stride.map { expand($0.values, r) } ?? k,
                        padding: expand(pool.padding.values, r), divisor: divisor)
                ]
            }
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
        case is Dropout, is ChannelDropout, is AlphaDropoutLayer, is Identity:
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
        case let r as RReLU where !r.training:
            // In evaluation mode the slope is the mean of the bounds.
            return [add1("LeakyRelu", [x], [("alpha", .float(Float((r.lower + r.upper) / 2)))])]
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

    /// Max pooling, with PyTorch's indices too when `indicesOver` gives the input's spatial sizes:
    /// ONNX's index runs over the whole input (batch and channel included), PyTorch's over one
    /// channel's plane, so it is taken modulo the plane's size.
    mutating func maxPool(
        _ x: String, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], ceilMode: Bool,
        indicesOver spatial: [Int]?
    ) throws -> [String] {
        let attrs: [(String, ONNXAttributeValue)] = [
            ("ceil_mode", .int(ceilMode ? 1 : 0)), ("dilations", .ints(dilation)), ("kernel_shape", .ints(kernel)),
            ("pads", .ints(padding + padding)), ("strides", .ints(stride)),
        ]
        guard let spatial else { return [add1("MaxPool", [x], attrs)] }
        let outs = add("MaxPool", [x], nil, attrs, outputCount: 2)
        let plane = try constant(Tensor([Int64(spatial.reduce(1, *))]), "plane")
        return [outs[0], add1("Mod", [outs[1], plane])]
    }

    /// Average pooling with `divisorOverride`: the window sums (a depthwise convolution with a
    /// kernel of ones over the zero-padded input, its end padded further to reach the windows of
    /// ceil mode) divided by `divisor`, as PyTorch computes it.
    mutating func windowSums(
        _ node: TraceGraph.Node, _ x: String, kernel: [Int], stride: [Int], padding: [Int], divisor: Int
    ) throws -> String {
        let xInfo = graph.values[node.inputs[0]], out = graph.values[node.outputs[0]].shape
        let r = kernel.count
        guard xInfo.shape.count == r + 2 else { throw failure(node, "divisorOverride on an unbatched input") }
        let spatial = Array(xInfo.shape.suffix(r)), outSpatial = Array(out.suffix(r))
        var end = padding
        for d in 0..<r {
            let reach = (outSpatial[d] - 1) * stride[d] + kernel[d] - (spatial[d] + 2 * padding[d])
            if reach > 0 { end[d] += reach }
        }
        let c = xInfo.shape[1]
        let ones = try constant(Tensor.ones([c, 1] + kernel, dtype: xInfo.dtype), "ones")
        let sums = add1(
            "Conv", [x, ones],
            [
                ("group", .int(c)), ("kernel_shape", .ints(kernel)), ("pads", .ints(padding + end)),
                ("strides", .ints(stride)),
            ])
        return add1("Div", [sums, try scalar(Double(divisor), xInfo.dtype)])
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
        case let c as CrossEntropyLoss where c.labelSmoothing == 0:
            // With class weights: the weighted mean divides by the targets' total weight, as ONNX's.
            guard !graph.values[node.inputs[1]].dtype.isFloatingPoint else {
                throw failure(node, "class-probability targets have no ONNX export yet (class indices do)")
            }
            return add1(
                "SoftmaxCrossEntropyLoss", [x, t, try constant(c.weight!, "weight")],
                [("reduction", .string(reduction)), ("ignore_index", .int(c.ignoreIndex))])
        case let n as NLLLoss:
            let weights = try n.weight.map { [try constant($0, "weight")] } ?? []
            return add1(
                "NegativeLogLikelihoodLoss", [x, t] + weights,
                [("reduction", .string(reduction)), ("ignore_index", .int(n.ignoreIndex))])
        case let s as SmoothL1Loss:
            let d = add1("Abs", [add1("Sub", [x, t])])
            if s.beta == 0 { return reduced(d) }
            let dtype = graph.values[node.inputs[0]].dtype
            let beta = try scalar(s.beta, dtype), half = try scalar(0.5, dtype)
            let quadratic = add1("Div", [add1("Mul", [half, add1("Mul", [d, d])]), beta])
            let linear = add1("Sub", [d, try scalar(0.5 * s.beta, dtype)])
            return reduced(add1("Where", [add1("Less", [d, beta]), quadratic, linear]))
        case let h as HuberLoss:
            let d = add1("Abs", [add1("Sub", [x, t])])
            let dtype = graph.values[node.inputs[0]].dtype
            let delta = try scalar(h.delta, dtype), half = try scalar(0.5, dtype)
            let quadratic = add1("Mul", [half, add1("Mul", [d, d])])
            let linear = add1("Mul", [delta, add1("Sub", [d, try scalar(0.5 * h.delta, dtype)])])
            return reduced(add1("Where", [add1("Less", [d, delta]), quadratic, linear]))
        case let b as BCELoss:
            // −(t·log x + (1 − t)·log(1 − x)), each log clamped at −100 as PyTorch's.
            let dtype = graph.values[node.inputs[0]].dtype
            let one = try scalar(1, dtype), floor = try scalar(-100, dtype)
            let logX = add1("Max", [add1("Log", [x]), floor])
            let logNot = add1("Max", [add1("Log", [add1("Sub", [one, x])]), floor])
            let both = add1("Add", [add1("Mul", [t, logX]), add1("Mul", [add1("Sub", [one, t]), logNot])])
            var v = add1("Neg", [both])
            if let w = b.weight { v = add1("Mul", [v, try constant(w, "weight")]) }
            return reduced(v)
        case is SoftMarginLoss:
            return reduced(add1("Softplus", [add1("Neg", [add1("Mul", [x, t])])]))
        case let h as HingeEmbeddingLoss:
            // x where t ≠ −1, plus max(0, margin − x) where t ≠ 1 (PyTorch's two terms).
            let dtype = graph.values[node.inputs[0]].dtype
            let zero = try scalar(0, dtype)
            let margin = add1("Max", [add1("Sub", [try scalar(h.margin, dtype), x]), zero])
            let notPositive = add1("Not", [add1("Equal", [t, try scalar(1, dtype)])])
            let notNegative = add1("Not", [add1("Equal", [t, try scalar(-1, dtype)])])
            let v = add1("Add", [add1("Where", [notPositive, margin, zero]), add1("Where", [notNegative, x, zero])])
            return reduced(v)
        default:
            throw failure(node, "has no ONNX export (with these options)")
        }
    }
}
