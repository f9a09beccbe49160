import Foundation
import Torch
import TorchBase

/// One differential case from the fixture file written by
/// `Tests/TorchTests/Fixtures/differential/generate.py`: the op's name, its inputs (a stored
/// contiguous base and the view PyTorch took of it), its attributes, and either PyTorch's outputs
/// (with float64 gradients for some) or PyTorch's refusal.
struct DiffCase {
    let id: Int
    let op: String
    let family: String
    let args: [String: Any]
    let inputs: [(base: Tensor, view: String, shape: [Int], grad: Bool)]
    let error: String?
    let outputs: [(expected: Tensor, rtol: Double, atol: Double)]
    let gradOutputs: [Tensor]
    let grads: [Tensor]

    init(_ json: [String: Any], tensors: [String: Tensor]) {
        id = Int(DiffCase.number(json["id"]!))
        op = json["op"] as! String
        family = json["family"] as! String
        args = json["args"] as? [String: Any] ?? [:]
        inputs = (json["inputs"] as! [[String: Any]]).map { d in
            (
                tensors[d["name"] as! String]!, d["view"] as! String,
                (d["shape"] as! [Any]).map { Int(DiffCase.number($0)) },
                DiffCase.number(d["grad"]!) != 0
            )
        }
        error = json["error"] as? String
        outputs = (json["outputs"] as? [[String: Any]] ?? []).map { d in
            (tensors[d["name"] as! String]!, DiffCase.number(d["rtol"]!), DiffCase.number(d["atol"]!))
        }
        gradOutputs = (json["grad_outputs"] as? [String] ?? []).map { tensors[$0]! }
        grads = (json["grads"] as? [String] ?? []).map { tensors[$0]! }
    }

    /// Fresh leaves (requiring grad where the case checks gradients) and the views ops run on.
    func makeInputs() -> (leaves: [Tensor], views: [Tensor]) {
        var leaves: [Tensor] = [], views: [Tensor] = []
        for i in inputs {
            let b = i.base.clone()
            if i.grad { b.requiresGrad_() }
            let v: Tensor
            switch i.view {
            case "T": v = b.transpose(0, -1)
            case "step": v = b[TensorIndex.slice(nil, nil, step: 2)]
            case "offset": v = b.narrow(0, start: 1, length: b.shape[0] - 1)
            case "expand": v = b.expand([i.shape[0]] + Array(b.shape.dropFirst()))
            default: v = b
            }
            leaves.append(b)
            views.append(v)
        }
        return (leaves, views)
    }

    // Attribute accessors.
    func int(_ k: String) -> Int { Int(DiffCase.number(args[k]!)) }
    func intOrNil(_ k: String) -> Int? { args[k].flatMap { $0 is NSNull ? nil : Int(DiffCase.number($0)) } }
    func double(_ k: String) -> Double { DiffCase.number(args[k]!) }
    func doubleOrNil(_ k: String) -> Double? { args[k].flatMap { $0 is NSNull ? nil : DiffCase.number($0) } }
    func bool(_ k: String) -> Bool { DiffCase.number(args[k]!) != 0 }
    func ints(_ k: String) -> [Int] { (args[k] as! [Any]).map { Int(DiffCase.number($0)) } }
    func intsOrNil(_ k: String) -> [Int]? { (args[k] as? [Any])?.map { Int(DiffCase.number($0)) } }
    func string(_ k: String) -> String { args[k] as! String }
    func doublesOrNil(_ k: String) -> [Double]? { (args[k] as? [Any])?.map { DiffCase.number($0) } }
    func stringOrNil(_ k: String) -> String? { args[k] as? String }

    /// A Python scalar argument `{"kind": "int"|"float"|"bool", "value": v}`.
    func scalar(_ k: String) -> ScalarArg {
        let d = args[k] as! [String: Any]
        switch d["kind"] as! String {
        case "int": return .int(Int(DiffCase.number(d["value"]!)))
        case "bool": return .bool(DiffCase.number(d["value"]!) != 0)
        default: return .float(DiffCase.number(d["value"]!))
        }
    }

    /// JSON numbers, non-finite ones spelled \"nan\", \"inf\", \"-inf\".
    static func number(_ v: Any) -> Double {
        if let b = v as? Bool { return b ? 1 : 0 }
        if let i = v as? Int { return Double(i) }
        if let d = v as? Double { return d }
        if let n = v as? NSNumber { return n.doubleValue }
        if let s = v as? String { return s == "inf" ? .infinity : (s == "-inf" ? -.infinity : .nan) }
        return .nan
    }
}

/// A Python scalar of one of PyTorch's scalar categories.
enum ScalarArg {
    case int(Int), float(Double), bool(Bool)

    /// Calls the overload for this scalar's Swift type.
    func apply(int fi: (Int) -> Tensor, float ff: (Double) -> Tensor, bool fb: (Bool) -> Tensor) -> Tensor {
        switch self {
        case .int(let v): return fi(v)
        case .float(let v): return ff(v)
        case .bool(let v): return fb(v)
        }
    }

    var asDouble: Double {
        switch self {
        case .int(let v): return Double(v)
        case .float(let v): return v
        case .bool(let v): return v ? 1 : 0
        }
    }
}
