import Foundation
import XCTest
import TorchTestSupport

/// The main job's command line and its `--resume` path, end to end.
final class TrainProgramTests: XCTestCase {
    func train(_ args: [String]) -> (status: Int32, stdout: String, stderr: String) {
        guard let exe = programBinary("torch-train") else {
            XCTFail("torch-train is not built")
            return (1, "", "")
        }
        let r = runCapturing(exe, args)
        return (r.status, r.stdout, r.stderr)
    }

    func testHelpAndValidation() {
        let help = train(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("USAGE: torch-train"), help.stdout)
        XCTAssertTrue(help.stdout.contains("--resume <resume>"), help.stdout)
        let badModel = train(["--model", "resnet"])
        XCTAssertNotEqual(badModel.status, 0)
        XCTAssertTrue(badModel.stderr.contains("unknown model 'resnet' (mlp or cnn)"), badModel.stderr)
        let badNumber = train(["--epochs", "three"])
        XCTAssertNotEqual(badNumber.status, 0)
        XCTAssertTrue(
            badNumber.stderr.contains("The value 'three' is invalid for '--epochs <epochs>'"), badNumber.stderr)
        let unknown = train(["--epoch", "3"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("Unknown option '--epoch'"), unknown.stderr)
    }

    func testResumeContinuesExactlyWhereTheRunStopped() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist") else {
            throw XCTSkip("no Fashion-MNIST (apt-get install dataset-fashion-mnist)")
        }
        let dir = NSTemporaryDirectory() + "torch-train-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = ["--limit", "512", "--workers", "0", "--seed", "3"]
        let first = train(common + ["--epochs", "1", "--logdir", dir + "/resumed"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let checkpoint = dir + "/resumed/checkpoint.safetensors"
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint))
        let resumed = train(common + ["--epochs", "2", "--logdir", dir + "/resumed", "--resume", checkpoint])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resumed from \(checkpoint) after epoch 1"), resumed.stdout)
        XCTAssertFalse(resumed.stdout.contains("epoch 1 done"), resumed.stdout)
        let straight = train(common + ["--epochs", "2", "--logdir", dir + "/straight"])
        XCTAssertEqual(straight.status, 0, straight.stderr)
        // Parameters, momentum, shuffling and random state all come back: the same second epoch.
        func epoch2(_ out: String) -> String? {
            out.split(separator: "\n").first { $0.hasPrefix("epoch 2 done") }.map {
                String($0[$0.range(of: "train loss")!.lowerBound...])
            }
        }
        XCTAssertNotNil(epoch2(straight.stdout), straight.stdout)
        // The run reports its peak resident memory per phase; the uint8 dataset and the bounded
        // cache keep it far below the 700+ MB of float copies it once held (the release build's
        // figure, 88 MiB, is `torch-bench`'s; this is a debug build).
        let peakLine = straight.stdout.split(separator: "\n").first { $0.hasPrefix("peak resident memory") }
        let peak = peakLine.flatMap { Double($0.split(separator: " ")[3]) }
        XCTAssertNotNil(peak, straight.stdout)
        XCTAssertLessThan(peak ?? .infinity, 200, straight.stdout)
        XCTAssertEqual(epoch2(resumed.stdout), epoch2(straight.stdout))
        // A missing checkpoint names its path and the reason.
        let missing = train(common + ["--epochs", "1", "--logdir", dir + "/x", "--resume", dir + "/none.safetensors"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(
            missing.stderr.contains("\(dir)/none.safetensors: cannot open file (No such file or directory)"),
            missing.stderr)
    }

    /// `--export-onnx` writes the trained model; onnxruntime (when installed) runs it.
    func testExportONNXAndProfileTheMainJob() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist") else {
            throw XCTSkip("no Fashion-MNIST (apt-get install dataset-fashion-mnist)")
        }
        let dir = NSTemporaryDirectory() + "torch-train-onnx-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/cnn.onnx"
        let r = train([
            "--model", "cnn", "--limit", "256", "--workers", "0", "--epochs", "1", "--logdir", dir,
            "--export-onnx", path, "--profile", dir + "/trace.json",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("exported cnn to \(path)"), r.stdout)
        // `--profile`: the table and a Chrome trace of the first steps.
        XCTAssertTrue(r.stdout.contains("profiled 4 steps: Chrome trace in \(dir)/trace.json"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Self CPU time total:"), r.stdout)
        let trace = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/trace.json")))
        let events = (trace as? [String: Any])?["traceEvents"] as? [[String: Any]] ?? []
        XCTAssertTrue(events.contains { $0["name"] as? String == "Optimizer.step#SGD.step" })
        let python = repositoryRoot.appendingPathComponent(".venv-onnx/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("no .venv-onnx with onnx and onnxruntime (scripts/setup.sh creates it)")
        }
        let check = try runProgram(
            python,
            [
                "-c",
                "import onnx, onnxruntime as ort, numpy as np, sys; m = onnx.load(sys.argv[1]); "
                    + "onnx.checker.check_model(m, full_check=True); s = ort.InferenceSession(sys.argv[1]); "
                    + "y = s.run(None, {'image': np.zeros((5,) + tuple(d.dim_value for d in "
                    + "m.graph.input[0].type.tensor_type.shape.dim[1:]), np.float32)})[0]; print('logits', y.shape)",
                path,
            ])
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("logits (5, 10)"), check.output)
    }
}
