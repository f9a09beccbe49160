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

    func fashionMNIST() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist") else {
            throw XCTSkip("no Fashion-MNIST (apt-get install dataset-fashion-mnist)")
        }
    }

    /// The number after `label` in `out`.
    func figure(_ label: String, in out: String) -> Double {
        guard let r = out.range(of: label, options: .backwards) else { return .nan }
        return Double(out[r.upperBound...].drop { $0 == " " }.prefix { !$0.isWhitespace && $0 != "," && $0 != "%" })
            ?? .nan
    }

    func testMNISTConvNetLearns() throws {
        try fashionMNIST()
        let out = try run("mnist-example", ["--epochs", "1", "--limit", "640", "--log-interval", "100"])
        // Ten classes: chance is 10%; one pass over 640 images gets well above it.
        guard let r = out.range(of: "Accuracy: ") else { return XCTFail("no accuracy in: \(out)") }
        let pct = Double(out[r.upperBound...].drop { $0 != "(" }.dropFirst().prefix { $0 != "%" }) ?? .nan
        XCTAssertGreaterThan(pct, 40, out)
    }

    func testTimeSequencePredictionLearns() throws {
        let out = try run(
            "time-sequence-example", ["--steps", "1", "--length", "50", "--future", "10", "--max-iter", "6"])
        // An untrained predictor's loss on the sine waves is about 0.5.
        XCTAssertLessThan(figure("final test loss:", in: out), 0.3, out)
    }

    func testWordLanguageModelLSTMLearns() throws {
        let out = try run("word-language-model-example", ["--epochs", "2", "--sentences", "1500"])
        // 38 tokens: a uniform guess has perplexity 38.
        XCTAssertLessThan(figure("test ppl", in: out), 22, out)
    }

    func testWordLanguageModelTransformerLearns() throws {
        let out = try run(
            "word-language-model-example",
            ["--model", "Transformer", "--epochs", "1", "--sentences", "600", "--lr", "5"])
        XCTAssertLessThan(figure("test ppl", in: out), 20, out)
    }

    func testDCGANTrains() throws {
        try fashionMNIST()
        let out = try run("dcgan-example", ["--limit", "320", "--ngf", "16", "--ndf", "16", "--log-interval", "1"])
        // Five steps: the discriminator already tells the real images from the generated ones.
        XCTAssertGreaterThan(figure("final D(x):", in: out), 0.55, out)
        XCTAssertTrue(out.contains("ConvTranspose2d(100, 64, kernel_size=(4, 4), stride=(1, 1), bias=False)"), out)
    }

    func testSuperResolutionLearns() throws {
        try fashionMNIST()
        let out = try run("super-resolution-example", ["--epochs", "1", "--limit", "1280", "--lr", "0.003"])
        // An untrained network's PSNR is about 5 dB; one short epoch gets well above it.
        XCTAssertGreaterThan(figure("final PSNR", in: out), 12, out)
    }

    func testLearningPyTorchWithExamples() throws {
        let out = try run("pytorch-with-examples-example", ["--steps", "1000", "--dynamic-steps", "100"])
        // The third-order fit of sin(x) from random coefficients (losses in the thousands at first;
        // the tutorial's are about 9 after 2000 steps).
        for section in ["tensors:", "autograd:", "nn:", "optim:", "custom module:", "custom function:"] {
            XCTAssertLessThan(figure(section + " loss", in: out), 300, "\(section) \(out)")
        }
    }

    func testWhatIsTorchNNReally() throws {
        try fashionMNIST()
        let out = try run("nn-tutorial-example", ["--epochs", "1", "--limit", "3000"])
        XCTAssertGreaterThan(figure("logistic: accuracy", in: out), 0.5, out)
        XCTAssertTrue(out.contains("cnn: final valid loss"), out)
    }
}
