import Torch
import TorchBase
import TorchNN

// The ONNX forms of traced tensor ops (Note [ONNX export]).
extension ONNXBuilder {
    /// Element-wise primitives with an ONNX operator of the same meaning.
    static let unaryOps: [String: String] = [
        "relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "exp": "Exp", "log": "Log", "neg": "Neg",
        "abs": "Abs", "sqrt": "Sqrt", "reciprocal": "Reciprocal", "sin": "Sin", "cos": "Cos", "tan": "Tan",
        "asin": "Asin", "acos": "Acos", "atan": "Atan", "sinh": "Sinh", "cosh": "Cosh", "asinh": "Asinh",
        "acosh": "Acosh", "atanh": "Atanh", "erf": "Erf", "floor": "Floor", "ceil": "Ceil", "round": "Round",
        "sign": "Sign", "softplus": "Softplus", "logicalNot": "Not", "isnan": "IsNaN",
    ]
    static let binaryOps: [String: String] = [
        "add": "Add", "sub": "Sub", "mul": "Mul", "div": "Div", "pow": "Pow", "powScalar": "Pow",
        "maximum": "Max", "minimum": "Min", "eq": "Equal", "lt": "Less", "gt": "Greater", "le": "LessOrEqual",
        "ge": "GreaterOrEqual", "logicalAnd": "And", "logicalOr": "Or", "logicalXor": "Xor",
    ]

    /// The ONNX nodes of a traced op that is not a layer.
    mutating func emitCall(_ node: TraceGraph.Node, _ ins: [String]) throws -> [String] {
        let outID = node.outputs[0]
        let out = graph.values[outID]
        let x = ins.first ?? ""
        let xInfo = node.inputs.first.map { graph.values[$0] }
        if let op = Self.unaryOps[node.op] { return [add1(op, [x])] }
        if let op = Self.binaryOps[node.op] {
            // ONNX wants both operands of one type: cast to the common one (the result's, for arithmetic).
            let a = graph.values[node.inputs[0]], b = graph.values[node.inputs[1]]
            let common =
                out.dtype == .bool ? (a.dtype == b.dtype ? a.dtype : promoteTypes(a.dtype, b.dtype)) : out.dtype
            let xa = a.dtype == common ? ins[0] : try cast(ins[0], common)
            let xb = b.dtype == common ? ins[1] : try cast(ins[1], common)
            return [add1(op, [xa, xb])]
        }
        switch node.op {
        case "ne": return [add1("Not", [add1("Equal", [x, ins[1]])])]
        case "rsqrt": return [add1("Reciprocal", [add1("Sqrt", [x])])]
        case "square": return [add1("Mul", [x, x])]
        case "silu": return [add1("Mul", [x, add1("Sigmoid", [x])])]
        case "expm1": return [add1("Sub", [add1("Exp", [x]), try scalar(1, out.dtype)])]
        case "log1p": return [add1("Log", [add1("Add", [x, try scalar(1, out.dtype)])])]
        case "gelu": return [try gelu(x, out.dtype, tanh: false)]
        case "geluTanh": return [try gelu(x, out.dtype, tanh: true)]
        case "matmul": return [add1("MatMul", ins)]
        case "reshape":
            return [add1("Reshape", [x, try ints(reshapeTarget(node.inputs[0], node[attribute: "shape"]!.ints!))])]
        case "flatten":
            let s = node[attribute: "startDim"]!.int!, e = node[attribute: "endDim"]!.int!
            let shape = xInfo!.shape
            let target = Array(repeating: 0, count: s) + [-1] + Array(shape[(e + 1)...])
            return [add1("Reshape", [x, try ints(target)])]
        case "permute": return [add1("Transpose", [x], [("perm", .ints(node[attribute: "dims"]!.ints!))])]
        case "unsqueeze": return [add1("Unsqueeze", [x, try ints([node[attribute: "dim"]!.int!])])]
        case "squeeze": return [add1("Squeeze", [x, try ints([node[attribute: "dim"]!.int!])])]
        case "expand":
            let sizes = node[attribute: "sizes"]!.ints!
            let pad = sizes.count - xInfo!.shape.count
            let target = sizes.enumerated().map { i, s in s == -1 ? xInfo!.shape[i - pad] : s }
            return [add1("Expand", [x, try ints(target)])]
        case "narrow":
            let d = node[attribute: "dim"]!.int!, s = node[attribute: "start"]!.int!,
                n = node[attribute: "length"]!.int!
            return [add1("Slice", [x, try ints([s]), try ints([s + n]), try ints([d])])]
        case "select":
            let d = node[attribute: "dim"]!.int!, i = node[attribute: "index"]!.int!
            return [add1("Gather", [x, try constant(Tensor(Int64(i)), "index")], [("axis", .int(d))])]
        case "softmax": return [add1("Softmax", [x], [("axis", .int(node[attribute: "dim"]!.int!))])]
        case "logSoftmax": return [add1("LogSoftmax", [x], [("axis", .int(node[attribute: "dim"]!.int!))])]
        case "prod", "amax", "amin":
            let dims = node[attribute: "dims"]!.ints!
            let keep = node[attribute: "keepdim"]!.bool! ? 1 : 0
            let op = ["prod": "ReduceProd", "amax": "ReduceMax", "amin": "ReduceMin"][node.op]!
            var r: String
            if opset >= 18 {
                r = add1(op, [x, try ints(dims)], [("keepdims", .int(keep))])
            } else {
                r = add1(op, [x], [("axes", .ints(dims)), ("keepdims", .int(keep))])
            }
            if let xi = xInfo, xi.dtype != out.dtype { r = try cast(r, out.dtype) }
            return [r]
        case "cumsum":
            let xc = xInfo!.dtype == out.dtype ? x : try cast(x, out.dtype)
            return [add1("CumSum", [xc, try constant(Tensor(Int64(node[attribute: "dim"]!.int!)), "axis")])]
        case "addmm": return [add1("Gemm", [ins[1], ins[2], ins[0]])]
        case "conv1d", "conv2d", "conv3d":
            let kernel = Array(graph.values[node.inputs[1]].shape.dropFirst(2))
            return [
                conv(
                    ins, kernel: kernel, stride: node[attribute: "stride"]!.ints!,
                    dilation: node[attribute: "dilation"]!.ints!, groups: node[attribute: "groups"]!.int!,
                    pads: node[attribute: "padding"]!.ints)
            ]
        case "maxPool1d", "maxPool2d", "maxPool3d":
            return [
                maxPool(
                    x, kernel: node[attribute: "kernel"]!.ints!, stride: node[attribute: "stride"]!.ints!,
                    padding: node[attribute: "padding"]!.ints!, dilation: node[attribute: "dilation"]!.ints!,
                    ceilMode: node[attribute: "ceilMode"]!.bool!)
            ]
        case "maxPool1dWithIndices", "maxPool2dWithIndices", "maxPool3dWithIndices":
            let r = node[attribute: "kernel"]!.ints!.count
            return try maxPool(
                x, kernel: node[attribute: "kernel"]!.ints!, stride: node[attribute: "stride"]!.ints!,
                padding: node[attribute: "padding"]!.ints!, dilation: node[attribute: "dilation"]!.ints!,
                ceilMode: node[attribute: "ceilMode"]!.bool!, indicesOver: Array(xInfo!.shape.suffix(r)))
        case "avgPool1d", "avgPool2d", "avgPool3d":
            if let divisor = node[attribute: "divisorOverride"]?.int, divisor != 0 {
                return [
                    try windowSums(
                        node, x, kernel: node[attribute: "kernel"]!.ints!, stride: node[attribute: "stride"]!.ints!,
                        padding: node[attribute: "padding"]!.ints!, divisor: divisor)
                ]
            }
            return [
                avgPool(
                    x, kernel: node[attribute: "kernel"]!.ints!, stride: node[attribute: "stride"]!.ints!,
                    padding: node[attribute: "padding"]!.ints!, ceilMode: node[attribute: "ceilMode"]!.bool!,
                    countIncludePad: node[attribute: "countIncludePad"]!.bool!)
            ]
        case "gridSample":
            let planar = graph.values[node.inputs[0]].shape.count == 4
            if !planar && opset < 20 { throw failure(node, "of a 5-D input needs opset 20 (GridSample in 3-D)") }
            let names = ["bilinear": "linear", "bicubic": "cubic", "nearest": "nearest"]
            let mode = node[attribute: "mode"]!.description
            return [
                add1(
                    "GridSample", ins,
                    [
                        ("mode", .string(opset >= 20 ? names[mode]! : mode)),
                        ("padding_mode", .string(node[attribute: "padding_mode"]!.description)),
                        ("align_corners", .int(node[attribute: "align_corners"]!.bool! ? 1 : 0)),
                    ])
            ]
        case "affineGrid":
            // θ applied to the constant base grid, as the op computes it: MatMul, then the grid's shape
            // with the batch size taken from θ.
            let spatial = node[attribute: "grid_size"]!.ints!
            let base = affineBaseGrid(spatial, alignCorners: node[attribute: "align_corners"]!.bool!, dtype: out.dtype)
            let thetaT = add1("Transpose", [x], [("perm", .ints([0, 2, 1]))])
            let points = add1("MatMul", [try constant(base, "base_grid"), thetaT])
            return [add1("Reshape", [points, try ints([-1] + spatial + [spatial.count])])]
        case "where": return [add1("Where", ins)]
        case "indexSelect":
            let idx = graph.values[node.inputs[1]].dtype == .int64 ? ins[1] : try cast(ins[1], .int64)
            return [add1("Gather", [x, idx], [("axis", .int(node[attribute: "dim"]!.int!))])]
        case "gather":
            let idx = graph.values[node.inputs[1]].dtype == .int64 ? ins[1] : try cast(ins[1], .int64)
            return [add1("GatherElements", [x, idx], [("axis", .int(node[attribute: "dim"]!.int!))])]
        case "sum", "mean":
            let dims = node[attribute: "dims"]!.ints!
            let keep = node[attribute: "keepdim"]!.bool! ? 1 : 0
            let op = node.op == "sum" ? "ReduceSum" : "ReduceMean"
            var r: String
            if op == "ReduceSum" || opset >= 18 {
                r = add1(op, [x, try ints(dims)], [("keepdims", .int(keep))])
            } else {
                r = add1(op, [x], [("axes", .ints(dims)), ("keepdims", .int(keep))])
            }
            if let xi = xInfo, xi.dtype != out.dtype { r = try cast(r, out.dtype) }
            return [r]
        case "cat": return [add1("Concat", ins, [("axis", .int(node[attribute: "dim"]!.int!))])]
        case "to": return [try cast(x, out.dtype)]
        case "clone": return [add1("Identity", [x])]
        case "asStrided":
            // Any strided view of a contiguous input: gather its elements by their offsets.
            guard (dynamic[node.inputs[0]] ?? []).isEmpty, node[attribute: "contiguousInput"]?.bool == true else {
                throw failure(
                    node, "a strided view of a non-contiguous input or one with dynamic dims has no ONNX export")
            }
            let size = node[attribute: "size"]!.ints!, stride = node[attribute: "stride"]!.ints!
            var offsets = [Int64](repeating: Int64(node[attribute: "offset"]!.int!), count: size.reduce(1, *))
            var step = offsets.count
            for (s, st) in zip(size, stride) where s > 0 {
                step /= s
                for i in offsets.indices { offsets[i] += Int64((i / step) % s * st) }
            }
            let flat = add1("Reshape", [x, try ints([-1])])
            let idx = try constant(Tensor(offsets).reshape(size), "offsets")
            return [add1("Gather", [flat, idx], [("axis", .int(0))])]
        default:
            throw failure(node, "has no ONNX export")
        }
    }

    mutating func cast(_ x: String, _ dtype: DType) throws -> String {
        guard let t = ONNXTensor.dataType(dtype) else {
            throw ONNXExportError(message: "onnx.export: no ONNX \(dtype)")
        }
        return add1("Cast", [x], [("to", .int(t))])
    }

    /// x·Φ(x), exactly with erf or with PyTorch's tanh approximation.
    mutating func gelu(_ x: String, _ dtype: DType, tanh: Bool) throws -> String {
        if opset >= 20 { return add1("Gelu", [x], [("approximate", .string(tanh ? "tanh" : "none"))]) }
        let half = try scalar(0.5, dtype), one = try scalar(1, dtype)
        let inner: String
        if tanh {
            let c = try scalar((2 / Double.pi).squareRoot(), dtype), k = try scalar(0.044715, dtype)
            let cube = add1("Mul", [x, add1("Mul", [x, x])])
            inner = add1("Tanh", [add1("Mul", [c, add1("Add", [x, add1("Mul", [k, cube])])])])
        } else {
            inner = add1("Erf", [add1("Div", [x, try scalar(2.0.squareRoot(), dtype)])])
        }
        return add1("Mul", [add1("Mul", [half, x]), add1("Add", [one, inner])])
    }

    /// A reshape target for ONNX: a size equal to a dynamic dim of the input at the same place
    /// becomes 0 ("copy that dim"), so the model takes other sizes there.
    func reshapeTarget(_ input: Int, _ target: [Int]) -> [Int] {
        let shape = graph.values[input].shape
        let dyn = dynamic[input] ?? []
        return target.enumerated().map { i, s in dyn.contains(i) && i < shape.count && shape[i] == s ? 0 : s }
    }
}
