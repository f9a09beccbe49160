import Foundation
import XCTest
@testable import Torch
import TorchBase
import TorchTestSupport

/// Every case of `Fixtures/ops.json` (NumPy references) run through the matching SwiftTorch op.
final class NumPyReferenceTests: XCTestCase {
    static let cases = Fixtures.load("ops.json")

    func run(_ c: [String: Any]) -> [Tensor] {
        let op = c["op"] as! String
        let ins = (c["inputs"] as! [[String: Any]]).map(Fixtures.tensor)
        let args = c["args"] as! [String: Any]
        let dims = args["dims"] as? [Int]
        let keep = args["keepdim"] as? Bool ?? false
        let dim = args["dim"] as? Int ?? 0
        let x = ins[0]
        if let y = x.unary(named: op) { return [y] }
        switch op {
        case "floor_divide": return [x.floorDivide(ins[1])]
        case "add": return [x + ins[1]]
        case "sub": return [x - ins[1]]
        case "mul": return [x * ins[1]]
        case "div": return [x / ins[1]]
        case "remainder": return [x % ins[1]]
        case "fmod": return [x.fmod(ins[1])]
        case "pow": return [x.pow(ins[1])]
        case "maximum": return [x.maximum(ins[1])]
        case "minimum": return [x.minimum(ins[1])]
        case "atan2": return [x.atan2(ins[1])]
        case "eq": return [x .== ins[1]]
        case "ne": return [x .!= ins[1]]
        case "lt": return [x .< ins[1]]
        case "le": return [x .<= ins[1]]
        case "gt": return [x .> ins[1]]
        case "ge": return [x .>= ins[1]]
        case "sum": return [x.sum(dims: dims, keepdim: keep)]
        case "mean": return [x.mean(dims: dims, keepdim: keep)]
        case "prod": return [x.prod(dims: dims, keepdim: keep)]
        case "amax": return [x.amax(dims: dims, keepdim: keep)]
        case "amin": return [x.amin(dims: dims, keepdim: keep)]
        case "var": return [x.variance(dims: dims, correction: args["correction"] as! Int, keepdim: keep)]
        case "std": return [x.std(dims: dims, correction: args["correction"] as! Int, keepdim: keep)]
        case "norm": return [x.norm(p: args["p"] as! Double, dims: dims, keepdim: keep)]
        case "logsumexp": return [x.logsumexp(dims: dims!, keepdim: keep)]
        case "argmax": return [x.argmax(dim: dim, keepdim: keep)]
        case "argmin": return [x.argmin(dim: dim, keepdim: keep)]
        case "max_dim": let r = x.max(dim: dim, keepdim: keep); return [r.values, r.indices]
        case "all": return [x.all(dims: dims, keepdim: keep)]
        case "any": return [x.any(dims: dims, keepdim: keep)]
        case "cumsum": return [x.cumsum(dim: dim)]
        case "cumprod": return [x.cumprod(dim: dim)]
        case "sort": let r = x.sort(dim: dim, descending: args["descending"] as! Bool); return [r.values, r.indices]
        case "topk":
            let r = x.topk(args["k"] as! Int, dim: dim, largest: args["largest"] as! Bool)
            return [r.values, r.indices]
        case "cat": return [Tensor.cat(ins, dim: dim)]
        case "stack": return [Tensor.stack(ins, dim: dim)]
        case "flip": return [x.flip(args["dims"] as! [Int])]
        case "roll": return [x.roll(args["shifts"] as! [Int], dims: args["dims"] as! [Int])]
        case "repeat": return [x.repeat(args["sizes"] as! [Int])]
        case "tile": return [x.tile(args["sizes"] as! [Int])]
        case "tril": return [x.tril(args["diagonal"] as! Int)]
        case "triu": return [x.triu(args["diagonal"] as! Int)]
        case "pad":
            return [
                x.pad(
                    args["padding"] as! [Int], mode: PadMode(rawValue: args["mode"] as! String)!,
                    value: args["value"] as! Double)
            ]
        case "matmul": return [x.matmul(ins[1])]
        case "index": return [x[indexSpec(args["spec"] as! String, Array(ins.dropFirst()))]]
        case "gather": return [x.gather(dim, ins[1])]
        case "scatter": return [x.scatter(dim, ins[1], ins[2])]
        case "scatter_add": return [x.scatterAdd(dim, ins[1], ins[2])]
        case "index_select": return [x.indexSelect(dim, ins[1])]
        case "index_add": return [x.indexAdd(dim, ins[1], ins[2])]
        case "take": return [x.take(ins[1])]
        case "nonzero": return [x.nonzero()]
        case "where": return [Tensor.where(ins[0], ins[1], ins[2])]
        case "masked_select": return [x.maskedSelect(ins[1])]
        default: XCTFail("unknown op \(op)"); return []
        }
    }

    /// "T" a tensor index, ":" a full slice, "S<k>" a slice from k, "N:" ... see generate.py.
    func indexSpec(_ spec: String, _ tensors: [Tensor]) -> [TensorIndexConvertible] {
        var out: [TensorIndexConvertible] = []
        var ts = tensors[...]
        var chars = Array(spec)[...]
        while let c = chars.popFirst() {
            switch c {
            case "T": out.append(ts.popFirst()!)
            case ":": out.append(TensorIndex.all)
            case "S":
                let k = Int(String(chars.popFirst()!))!
                if chars.first == "N" {
                    chars.removeFirst(); out.append(k...)
                } else {
                    out.append(TensorIndex.slice(nil, nil, step: k))
                }
            default: break
            }
        }
        return out
    }

    func testAllFixtureCases() {
        var count = 0
        for c in NumPyReferenceTests.cases {
            let name = c["name"] as! String
            let expected = (c["expected"] as! [[String: Any]]).map(Fixtures.tensor)
            let got = run(c)
            XCTAssertEqual(got.count, expected.count, name)
            // Transcendentals in float32 are vectorised approximations: allow a few ulp.
            let loose = expected.first?.dtype == .float32
            for (g, e) in zip(got, expected) {
                assertMatches(g, e, name, rtol: loose ? 2e-6 : nil, atol: loose ? 1e-6 : nil)
            }
            count += 1
        }
        XCTAssertGreaterThan(count, 400)
    }
}
