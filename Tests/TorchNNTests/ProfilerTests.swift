import Foundation
import Torch
import TorchData
import TorchNN
import TorchOptim
import TorchTestSupport
import XCTest

final class ProfilerTests: XCTestCase {
    func profileTrainingStep() -> (ProfileResult, line: Int) {
        Torch.manualSeed(0)
        let model = Sequential(Linear(8, 16), ReLU(), Linear(16, 4))
        let opt = SGD(model.parameters(), lr: 0.1)
        let x = Tensor.randn([32, 8]), y = Tensor.randint(0, 4, [32])
        let loader = DataLoader(TensorDataset(x, y), batchSize: 16)
        var line = 0
        let prof = Torch.profiler.profile(recordShapes: true, profileMemory: true, withStack: true) {
            for b in loader {
                Torch.profiler.recordFunction("my step") {
                    line = #line + 1
                    let h = model(b[0]).tanh() * 2
                    let loss = crossEntropy(h, b[1])
                    opt.zeroGrad()
                    loss.backward()
                    opt.step()
                }
            }
        }
        return (prof, line)
    }

    func testSpansNestAndCoverTheKindsOfWork() {
        let (prof, line) = profileTrainingStep()
        let names = Set(prof.events.map(\.name))
        for n in [
            "my step", "nn.Module: Sequential", "nn.Module: Linear", "nn.Module: ReLU", "relu", "mul", "tanh",
            "MulBackward0", "Optimizer.step#SGD.step", "enumerate(DataLoader)#next",
        ] {
            XCTAssertTrue(names.contains(n), "\(n) missing from \(names.sorted())")
        }
        // Each span lies inside the span it is nested in, one level deeper.
        var stack: [ProfileEvent] = []
        for e in prof.events {
            while let top = stack.last, top.depth >= e.depth { stack.removeLast() }
            if let parent = stack.last {
                XCTAssertEqual(e.depth, parent.depth + 1, e.name)
                XCTAssertGreaterThanOrEqual(e.start, parent.start, e.name)
                XCTAssertLessThanOrEqual(e.start + e.duration, parent.start + parent.duration, e.name)
            } else {
                XCTAssertEqual(e.depth, 0, e.name)
            }
            stack.append(e)
        }
        // The layer's relu is inside the ReLU layer's span; shapes, bytes and the user's line are kept.
        let relu = prof.events.first { $0.name == "relu" }!
        XCTAssertEqual(relu.inputShapes, [[16, 16]])
        XCTAssertEqual(relu.inputDTypes, [.float32])
        XCTAssertEqual(relu.bytesAllocated, 16 * 16 * 4)
        let tanh = prof.events.first { $0.name == "tanh" }!
        XCTAssertTrue(tanh.file.hasSuffix("ProfilerTests.swift"), tanh.file)
        XCTAssertEqual(Int(tanh.line), line)
        let layer = prof.events.first { $0.name == "nn.Module: Sequential" }!
        XCTAssertEqual(Int(layer.line), line)
    }

    func testBackwardSpansLinkToTheirForwardOps() {
        let (prof, _) = profileTrainingStep()
        let backward = prof.events.filter { $0.kind == .backward }
        XCTAssertFalse(backward.isEmpty)
        XCTAssertTrue(backward.allSatisfy { $0.isBackward && $0.sequenceNr != nil })
        let forwardBySeq = Dictionary(
            prof.events.filter { !$0.isBackward && $0.kind == .op && $0.sequenceNr != nil }.map {
                ($0.sequenceNr!, $0)
            },
            uniquingKeysWith: { a, _ in a })
        for (back, forward) in [("MulBackward0", "mul"), ("TanhBackward0", "tanh"), ("ReluBackward0", "relu")] {
            let spans = backward.filter { $0.name == back }
            XCTAssertEqual(spans.count >= 2, true, back)
            for b in spans { XCTAssertEqual(forwardBySeq[b.sequenceNr!]?.name, forward, back) }
        }
    }

    func testTableTotalsAddUp() {
        let (prof, _) = profileTrainingStep()
        let avg = prof.keyAverages()
        let selfSum = avg.rows.reduce(UInt64(0)) { $0 + $1.selfTime }
        XCTAssertEqual(selfSum, avg.selfTotal)
        let topLevel = prof.events.filter { $0.depth == 0 }.reduce(UInt64(0)) { $0 + $1.duration }
        XCTAssertEqual(avg.selfTotal, topLevel)
        XCTAssertEqual(avg.rows.first { $0.key == "my step" }?.count, 2)
        let table = avg.table(sortBy: .selfCPUTime, rowLimit: 5)
        let lines = table.split(separator: "\n")
        XCTAssertEqual(lines.count, 3 + 5 + 2, table)
        XCTAssertTrue(lines[1].contains("Self CPU %") && lines[1].contains("# of Calls"), table)
        XCTAssertTrue(table.hasSuffix("Self CPU time total: " + lines.last!.split(separator: ": ")[1]), table)
        // Sorted by self time, descending.
        let top = avg.rows.max { $0.selfTime < $1.selfTime }!
        XCTAssertTrue(lines[3].hasPrefix(top.key), table)
        let byShape = prof.keyAverages(groupByInputShape: true).table()
        XCTAssertTrue(byShape.contains("Input Shapes"), byShape)
    }

    func testChromeTraceParses() throws {
        let (prof, _) = profileTrainingStep()
        let path = NSTemporaryDirectory() + "swifttorch-trace-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try prof.exportChromeTrace(path)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        let events = try XCTUnwrap((json as? [String: Any])?["traceEvents"] as? [[String: Any]])
        XCTAssertEqual(events.count, prof.events.count)
        XCTAssertTrue(events.allSatisfy { $0["ph"] as? String == "X" && $0["dur"] is Double && $0["ts"] is Double })
        let back = events.first { $0["name"] as? String == "MulBackward0" }
        XCTAssertNotNil((back?["args"] as? [String: Any])?["Sequence number"])
        XCTAssertEqual(back?["cat"] as? String, "backward")
    }

    func testOffAfterTheProfile() {
        _ = Torch.profiler.profile { _ = Tensor.ones([2]) + 1 }
        XCTAssertFalse(Tracing.anyObserver)
        let prof = Torch.profiler.profile {}
        XCTAssertTrue(prof.events.isEmpty)
    }
}
