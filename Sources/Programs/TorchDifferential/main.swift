// Replays the differential cases against PyTorch (Tests/TorchTests/Fixtures/differential).
//
// Usage: torch-diff FILE [--from N] [--only OP,OP] [--skip-refusals]
//
// For every case from N on it prints one line to stdout before running it ("run ID") and one
// after ("ok ID", "fail ID OP: why", "missing ID OP"). A case PyTorch refuses must trap here: the
// process then ends inside that case and the driver (DifferentialTests) reads the trap message from
// stderr, checks it, and starts again from the next case. `--skip-refusals` leaves those cases out
// (the replays on the lower kernel paths: a refusal is decided before any kernel runs).
import Foundation
import Torch
import TorchBase
import TorchIO

setvbuf(stdout, nil, _IOLBF, 0)
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: torch-diff FILE [--from N] [--only OP,OP] [--skip-refusals]")
    exit(2)
}
var from = 0
var only: Set<String>? = nil
if let i = arguments.firstIndex(of: "--from"), i + 1 < arguments.count { from = Int(arguments[i + 1]) ?? 0 }
if let i = arguments.firstIndex(of: "--only"), i + 1 < arguments.count {
    only = Set(arguments[i + 1].split(separator: ",").map(String.init))
}

let skipRefusals = arguments.contains("--skip-refusals")

let file: (tensors: [String: Tensor], metadata: [String: String])
do { file = try SafeTensors.load(arguments[1]) } catch {
    print("error: cannot read \(arguments[1]): \(error)")
    exit(2)
}
let json = try! JSONSerialization.jsonObject(with: Data(file.metadata["cases"]!.utf8)) as! [[String: Any]]
print("cases \(json.count)")
print("kernels \(Torch.backends.cpu.capability)")

for entry in json.dropFirst(from) {
    let c = DiffCase(entry, tensors: file.tensors)
    if let only, !only.contains(c.op) { continue }
    if skipRefusals && c.error != nil { continue }
    guard let run = allOps[c.op] else {
        print("missing \(c.id) \(c.op)")
        continue
    }
    print("run \(c.id)")
    Torch.manualSeed(0)
    let (leaves, views) = c.makeInputs()
    let outs = run(views, c)
    if let e = c.error {
        print("fail \(c.id) \(c.op): computed a result where PyTorch refuses: \(e)")
        continue
    }
    if let why = compare(c, outs, leaves) {
        print("fail \(c.id) \(c.op): \(why)")
    } else {
        print("ok \(c.id)")
    }
}
print("done")
