import Foundation
import XCTest
import TorchTestSupport

/// The programs in examples/, on shortened runs: they build, run and learn.
final class ExamplesTests: XCTestCase {
    func run(_ program: String, _ args: [String]) throws -> String {
        guard let exe = programBinary(program) else {
            XCTFail("\(program) is not built")
            return ""
        }
        let r = runCapturing(exe, args)
        XCTAssertEqual(r.status, 0, "\(program) failed: \(r.stderr.suffix(500))")
        return r.stdout
    }

    func testReinforceRuns() throws {
        let out = try run("reinforce-example", ["--episodes", "30", "--seed", "543"])
        XCTAssertTrue(out.contains("Episode 30\t"), out)
    }

    func testVAELearns() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist") else {
            throw XCTSkip("no Fashion-MNIST (apt-get install dataset-fashion-mnist)")
        }
        let out = try run("vae-example", ["--epochs", "1", "--limit", "3000"])
        // An untrained decoder costs 784·ln 2 ≈ 543 per image; one epoch over 3000 images gets well below.
        guard let r = out.range(of: "Average loss: ") else { return XCTFail("no loss in: \(out)") }
        let loss = Double(out[r.upperBound...].prefix { $0 != " " }) ?? .nan
        XCTAssertLessThan(loss, 480, out)
    }
}
