import XCTest
import Torch
import TorchBase
@testable import TorchNN
import TorchTestSupport

/// Parametrizations (Note [Parametrizations]): registration, state-dict names, assignment through
/// the right inverse, removal, caching, user modules. Values against PyTorch are in
/// `TorchReferenceLayerTests` (the `*_weight_norm*` and `*_spectral_norm*` fixture cases).
final class ParametrizationTests: XCTestCase {
    /// PyTorch's tutorial parametrization: the upper triangle mirrored.
    final class Symmetric: Parametrization {
        var calls = 0
        override func forward(_ x: Tensor) -> Tensor {
            calls += 1
            return x.triu() + x.triu(1).mT
        }
        override func rightInverse(_ value: Tensor) -> [Tensor]? { [value.triu()] }
    }

    func testWeightNormNamesValueAndTraining() {
        Torch.manualSeed(1)
        let fc = Linear(4, 3, dtype: .float64)
        let w0 = fc.weight
        weightNorm(fc)
        XCTAssertTrue(isParametrized(fc, "weight"))
        XCTAssertFalse(isParametrized(fc, "bias"))
        XCTAssertEqual(
            fc.namedParameters().map(\.0),
            ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"])
        XCTAssertEqual(fc.stateDict().keys.sorted(), fc.namedParameters().map(\.0).sorted())
        // The value is unchanged at registration: g = ‖w_i‖ per row, v = w.
        assertMatches(fc.weight, w0, "weight after registration", rtol: 1e-12, atol: 1e-14)
        let g = parametrizations(of: fc, "weight")!.original(0)
        XCTAssertEqual(g.shape, [3, 1])
        assertMatches(g, Linalg.vectorNorm(w0, dims: [1], keepdim: true), "g", rtol: 1e-12, atol: 0)
        // Scaling g scales the rows; gradients reach g and v, not a stale `weight`.
        let x = Tensor.randn([5, 4], dtype: .float64)
        fc(x).sum().backward()
        XCTAssertNotNil(g.grad)
        XCTAssertNotNil(parametrizations(of: fc, "weight")!.original(1).grad)
        XCTAssertTrue(fc.description.hasPrefix("ParametrizedLinear(\n  in_features=4, out_features=3"), fc.description)
        XCTAssertTrue(fc.description.contains("(parametrizations): ModuleDict("), fc.description)
    }

    func testAssignmentUsesTheRightInverse() {
        let fc = weightNorm(Linear(3, 2, dtype: .float64))
        let target = Tensor([[3.0, 4.0, 0.0], [0.0, 0.0, -2.0]]).to(.float64)
        fc.weight = target
        assertMatches(fc.weight, target, "weight after assignment", rtol: 1e-12, atol: 1e-14)
        assertMatches(
            parametrizations(of: fc, "weight")!.original(0), Tensor([[5.0], [2.0]]).to(.float64), "g", rtol: 0, atol: 0)
    }

    func testRemoveLeavesTheValueInTheSameParameter() {
        let conv = Conv2d(2, 3, 3, dtype: .float64)
        let original = conv.weight
        spectralNorm(conv)
        XCTAssertTrue(parametrizations(of: conv, "weight")!.original === original, "spectral norm keeps the tensor")
        let value = Torch.noGrad { conv.eval().weight }
        removeParametrizations(conv, "weight")
        XCTAssertFalse(isParametrized(conv))
        XCTAssertTrue(conv.weight === original, "the parameter keeps its identity (optimizers still hold it)")
        assertMatches(conv.weight, value, "value left parametrized", rtol: 0, atol: 0)
        XCTAssertEqual(conv.namedParameters().map(\.0), ["bias", "weight"])  // PyTorch re-registers it last
        XCTAssertEqual(conv.namedBuffers().count, 0)
        XCTAssertEqual(conv.description, "Conv2d(2, 3, kernel_size=(3, 3), stride=(1, 1))")

        // Weight norm has two originals: removal makes a new parameter holding the value.
        let fc = weightNorm(Linear(3, 2, dtype: .float64))
        let v = fc.weight.detach().clone()
        removeParametrizations(fc, "weight")
        XCTAssertEqual(fc.namedParameters().map(\.0), ["bias", "weight"])
        XCTAssertTrue(fc.weight.requiresGrad && fc.weight.isLeaf)
        assertMatches(fc.weight, v, "weight after removal", rtol: 0, atol: 0)
    }

    func testSpectralNormBoundsTheLargestSingularValue() {
        Torch.manualSeed(3)
        let fc = spectralNorm(Linear(6, 5, dtype: .float64), nPowerIterations: 1)
        // Enough power iterations in training mode converge σ(W / σ̂) to 1.
        for _ in 0..<30 { _ = fc(Tensor.zeros([1, 6], dtype: .float64)) }
        let s = Linalg.svdvals(Torch.noGrad { fc.eval().weight })
        XCTAssertEqual(s[0].item(), 1, accuracy: 1e-6)
        // Evaluation mode leaves the buffers alone.
        let u = parametrizations(of: fc, "weight")!.namedBuffers().first!.1.clone()
        _ = fc(Tensor.zeros([1, 6], dtype: .float64))
        assertMatches(parametrizations(of: fc, "weight")!.namedBuffers().first!.1, u, "_u in eval", rtol: 0, atol: 0)
    }

    func testCustomParametrizationChainAndCaching() {
        let fc = Linear(3, 3, bias: false, dtype: .float64)
        let sym = Symmetric()
        registerParametrization(fc, "weight", sym)
        let w = fc.weight
        assertMatches(w, w.mT, "symmetric", rtol: 0, atol: 0)
        // One call of the module computes the weight once, however often the layer reads it.
        sym.calls = 0
        _ = fc(Tensor.ones([2, 3], dtype: .float64))
        XCTAssertEqual(sym.calls, 1)
        // Outside a call each read computes again; inside cachedParametrizations once.
        sym.calls = 0
        _ = fc.weight
        _ = fc.weight
        XCTAssertEqual(sym.calls, 2)
        sym.calls = 0
        cachedParametrizations {
            for _ in 0..<4 { _ = fc(Tensor.ones([1, 3], dtype: .float64)) }
            _ = fc.weight
        }
        XCTAssertEqual(sym.calls, 1)
        // A second parametrization is appended to the chain.
        registerParametrization(fc, "weight", Scale2())
        XCTAssertEqual(parametrizations(of: fc, "weight")!.items.count, 2)
        assertMatches(fc.weight, w * 2, "chain", rtol: 0, atol: 1e-15)
        XCTAssertTrue(fc.stateDict().keys.contains("parametrizations.weight.original"))
    }

    final class Scale2: Module {
        override func forward(_ x: Tensor) -> Tensor { x * 2 }
    }

    /// A module of one's own: a registered tensor read through `tensor(_:)` is parametrized.
    final class Gain: Module {
        override init() {
            super.init()
            registerParameter("g", Tensor([1.0, -2.0, 3.0]).to(.float64))
        }
        var g: Tensor { tensor("g") }
        override func forward(_ x: Tensor) -> Tensor { x * g }
    }

    func testUserModulesAndStateDictRoundTrip() throws {
        let m = weightNorm(Gain(), name: "g", dim: nil)
        let y = m(Tensor.ones([3], dtype: .float64))
        assertMatches(y, Tensor([1.0, -2.0, 3.0]).to(.float64), "value", rtol: 1e-12, atol: 1e-15)
        XCTAssertEqual(parametrizations(of: m, "g")!.original(0).shape, [])
        // Saved and loaded into a fresh parametrized module by PyTorch's names.
        let other = weightNorm(Gain(), name: "g", dim: nil)
        Torch.noGrad { parametrizations(of: other, "g")!.original(1).fill_(5) }
        try other.loadStateDict(m.stateDict())
        assertMatches(other(Tensor.ones([3], dtype: .float64)), y, "loaded", rtol: 1e-12, atol: 1e-15)
        // Old-style `weight_g`/`weight_v` keys (torch.nn.utils.weight_norm) load into the new form.
        let fc = weightNorm(Linear(2, 2, dtype: .float64))
        let old: [String: Tensor] = [
            "weight_g": Tensor([[2.0], [3.0]]).to(.float64),
            "weight_v": Tensor([[1.0, 0.0], [0.0, -1.0]]).to(.float64),
            "bias": Tensor([0.0, 0.0]).to(.float64),
        ]
        try fc.loadStateDict(old)
        assertMatches(fc.weight, Tensor([[2.0, 0.0], [0.0, -3.0]]).to(.float64), "compat keys", rtol: 0, atol: 1e-15)
    }

    func testWeightNormGradcheck() {
        let wn = WeightNorm(dim: 0)
        let g = Tensor.randn([3, 1], dtype: .float64), v = Tensor.randn([3, 4], dtype: .float64)
        let r = Torch.gradcheck({ wn.value($0) }, [g.requiresGrad_(), v.requiresGrad_()])
        XCTAssertTrue(r.passed, "\(r)")
        let sn = SpectralNorm(Tensor.randn([4, 3], dtype: .float64)).eval()
        let r2 = Torch.gradcheck({ sn.value($0) }, [Tensor.randn([4, 3], dtype: .float64).requiresGrad_()])
        XCTAssertTrue(r2.passed, "\(r2)")
    }

    func testRefusalsAreMisuseCases() throws {
        // Each traps naming the op and the caller's line (torch-misuse, MisuseTests-style).
        guard let exe = programBinary("torch-misuse") else { return XCTFail("torch-misuse not built") }
        let cases: [(String, String)] = [
            (
                "param-shape",
                "register_parametrization: Registering a parametrization may not change the shape of the tensor, "
                    + "unless `unsafe` flag is enabled.\nunparametrized shape: [3, 4]\nparametrized shape: [4, 3]"
            ),
            ("param-stored", "is a stored property, which a parametrization cannot redirect"),
            ("param-no-inverse", "parametrization Scale does not implement right_inverse."),
            ("param-missing", "Module 'Linear' has no parameter or buffer with name 'wieght'"),
            (
                "spectral-dim",
                "spectral_norm: Dimension out of range (expected to be in range of [-2, 1] but got 2)"
            ),
        ]
        for (name, message) in cases {
            let r = runCapturing(exe, [name])
            XCTAssertNotEqual(r.status, 0, "\(name) should trap")
            XCTAssertTrue(r.stderr.contains(message), "\(name): expected '\(message)' in \(r.stderr)")
            let line = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(
                of: "line ", with: "")
            XCTAssertTrue(r.stderr.contains("TorchMisuse/main.swift:\(line):"), "\(name): no caller line: \(r.stderr)")
        }
    }
}
