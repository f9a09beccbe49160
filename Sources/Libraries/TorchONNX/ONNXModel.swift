import Torch

/// An ONNX attribute value (AttributeProto).
enum ONNXAttributeValue {
    case int(Int)
    case ints([Int])
    case float(Float)
    case floats([Float])
    case string(String)
    case strings([String])
    case tensor(ONNXTensor)
}

/// An ONNX initializer or constant (TensorProto), its data raw little-endian bytes.
struct ONNXTensor {
    var name: String
    var dims: [Int]
    var dataType: Int
    var raw: [UInt8]

    /// TensorProto.DataType of `dtype`.
    static func dataType(_ dtype: DType) -> Int? {
        switch dtype {
        case .float32: return 1
        case .uint8: return 2
        case .int8: return 3
        case .int16: return 5
        case .int32: return 6
        case .int64: return 7
        case .bool: return 9
        case .float16: return 10
        case .float64: return 11
        case .bfloat16: return 16
        default: return nil
        }
    }
}

/// One node (NodeProto).
struct ONNXNode {
    var op: String
    var inputs: [String]
    var outputs: [String]
    var name: String
    var attributes: [(String, ONNXAttributeValue)]
    var docString: String
}

/// A graph input or output (ValueInfoProto): its element type and dims (a size or a name).
struct ONNXValueInfo {
    enum Dim {
        case value(Int)
        case param(String)
    }
    var name: String
    var elemType: Int
    var dims: [Dim]
}

/// What `encode` writes: the model and, where initializers went to an external file, its bytes.
struct ONNXModel {
    var nodes: [ONNXNode] = []
    var initializers: [ONNXTensor] = []
    var inputs: [ONNXValueInfo] = []
    var outputs: [ONNXValueInfo] = []
    var opset: Int
    var graphName = "main_graph"

    /// The ModelProto bytes; initializers of at least `externalThreshold` bytes go to `external`
    /// (named `externalName` in the model), as ONNX's external data for models over 2 GB.
    func encode(externalThreshold: Int? = nil, externalName: String = "") -> (model: [UInt8], external: [UInt8]) {
        var external: [UInt8] = []
        var m = ProtoWriter()
        m.int(1, opset >= 19 ? 9 : 8)  // ir_version
        m.string(2, "SwiftTorch")  // producer_name
        m.string(3, "0.1")  // producer_version
        m.message(7) { g in
            for n in nodes { g.message(1) { Self.writeNode(n, &$0) } }
            g.string(2, graphName)
            for t in initializers {
                g.message(5) { w in
                    if let th = externalThreshold, t.raw.count >= th {
                        Self.writeTensorHeader(t, &w)
                        let offset = external.count
                        external.append(contentsOf: t.raw)
                        for (k, v) in [
                            ("location", externalName), ("offset", "\(offset)"), ("length", "\(t.raw.count)"),
                        ] {
                            w.message(13) { e in
                                e.string(1, k)
                                e.string(2, v)
                            }
                        }
                        w.int(14, 1)  // data_location: EXTERNAL
                    } else {
                        Self.writeTensor(t, &w)
                    }
                }
            }
            for v in inputs { g.message(11) { Self.writeValueInfo(v, &$0) } }
            for v in outputs { g.message(12) { Self.writeValueInfo(v, &$0) } }
        }
        m.message(8) { o in
            o.string(1, "")
            o.int(2, opset)
        }
        return (m.bytes, external)
    }

    private static func writeTensorHeader(_ t: ONNXTensor, _ w: inout ProtoWriter) {
        if !t.dims.isEmpty { w.packedInts(1, t.dims) }
        w.int(2, t.dataType)
        w.string(8, t.name)
    }

    static func writeTensor(_ t: ONNXTensor, _ w: inout ProtoWriter) {
        writeTensorHeader(t, &w)
        w.data(9, t.raw)
    }

    private static func writeNode(_ n: ONNXNode, _ w: inout ProtoWriter) {
        for i in n.inputs { w.string(1, i) }
        for o in n.outputs { w.string(2, o) }
        w.string(3, n.name)
        w.string(4, n.op)
        for (name, value) in n.attributes {
            w.message(5) { a in
                a.string(1, name)
                switch value {
                case .float(let f):
                    a.float(2, f)
                    a.int(20, 1)
                case .int(let i):
                    a.int(3, i)
                    a.int(20, 2)
                case .string(let s):
                    a.string(4, s)
                    a.int(20, 3)
                case .tensor(let t):
                    a.message(5) { writeTensor(t, &$0) }
                    a.int(20, 4)
                case .floats(let fs):
                    a.packedFloats(7, fs)
                    a.int(20, 6)
                case .ints(let isx):
                    a.packedInts(8, isx)
                    a.int(20, 7)
                case .strings(let ss):
                    for s in ss { a.string(9, s) }
                    a.int(20, 8)
                }
            }
        }
        if !n.docString.isEmpty { w.string(6, n.docString) }
    }

    private static func writeValueInfo(_ v: ONNXValueInfo, _ w: inout ProtoWriter) {
        w.string(1, v.name)
        w.message(2) { type in
            type.message(1) { tensor in
                tensor.int(1, v.elemType)
                tensor.message(2) { shape in
                    for d in v.dims {
                        shape.message(1) { dim in
                            switch d {
                            case .value(let n): dim.int(1, n)
                            case .param(let p): dim.string(2, p)
                            }
                        }
                    }
                }
            }
        }
    }
}
