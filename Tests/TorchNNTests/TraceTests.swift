import Torch
import TorchNN
import TorchTestSupport
import XCTest

final class TraceTests: XCTestCase {
    func testAClosureTraceReplaysBitForBit() throws {
        Torch.manualSeed(0)
        let x = Tensor.randn([3, 4])
        let g = try Torch.trace({ xs in [(xs[0] * 2).relu() + xs[0].sin().softmax(dim: 1)] }, exampleInputs: [x])
        XCTAssertEqual(g.nodes.map(\.op), ["mul", "relu", "sin", "softmax", "add"])
        let y = Tensor.randn([3, 4])
        let eager = (y * 2).relu() + y.sin().softmax(dim: 1)
        XCTAssertEqual(g([y])[0].toArray(Float.self), eager.toArray(Float.self))
        let text = "\(g)"
        XCTAssertTrue(text.contains("softmax"), text)
        XCTAssertTrue(text.contains("dim=1"), text)
        XCTAssertTrue(text.contains("TraceTests.swift:"), text)
    }

    func testDeadCodeAndConstantFolding() throws {
        let x = Tensor([1, 2, 3] as [Float])
        let raw = try Torch.trace(
            { xs in
                _ = xs[0].exp()  // unused
                let c = Tensor.ones([3]) * 2  // constant
                return [xs[0] + c]
            }, exampleInputs: [x], simplify: false)
        XCTAssertEqual(raw.nodes.map(\.op), ["exp", "mul", "add"])
        raw.foldConstants()
        XCTAssertEqual(raw.nodes.map(\.op), ["exp", "add"])
        raw.eliminateDeadCode()
        XCTAssertEqual(raw.nodes.map(\.op), ["add"])
        XCTAssertEqual(raw([Tensor([0, 1, 2] as [Float])])[0].toArray(Float.self), [2, 3, 4])
    }

    func testReadingAValueIntoSwiftWarnsAtTheUsersLine() throws {
        let x = Tensor([1, 2, 3] as [Float])
        let line = #line + 1
        let g = try Torch.trace({ xs in xs[0].sum().item() > 0 ? [xs[0] * 2] : [xs[0]] }, exampleInputs: [x])
        XCTAssertEqual(g.warnings.count, 1)
        XCTAssertTrue(g.warnings[0].contains("TraceTests.swift:\(line)"), g.warnings[0])
        XCTAssertTrue(g.warnings[0].contains("item()"), g.warnings[0])
    }

    func testAnOpTheTracerCannotFollowThrows() {
        let x = Tensor([3, 1, 2] as [Float])
        XCTAssertThrowsError(try Torch.trace({ xs in [xs[0].cumsum(dim: 0) * 2] }, exampleInputs: [x])) { e in
            XCTAssertTrue("\(e)".contains("cumsum"), "\(e)")
        }
    }

    func testAModuleTracesItsLayersAsNodesWithADynamicBatch() throws {
        Torch.manualSeed(1)
        let model = Sequential(Linear(6, 5), ReLU(), Linear(5, 2))
        let x = Tensor.randn([4, 6])
        let g = try Torch.trace(model, exampleInputs: [x], dynamicDims: [0: [0]])
        XCTAssertEqual(g.nodes.map(\.op), ["Linear", "ReLU", "Linear"])
        let y = Tensor.randn([7, 6])
        XCTAssertEqual(g([y])[0].toArray(Float.self), model(y).toArray(Float.self))
    }
}
