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

    func testASizeReadIntoSwiftWarnsWhenTheDimIsDynamic() throws {
        let x = Tensor.randn([4, 6])
        let line = #line + 1
        let lengthRead: ([Tensor]) -> [Tensor] = { xs in [xs[0].narrow(1, start: 0, length: xs[0].shape[0])] }
        let read = try Torch.trace(lengthRead, exampleInputs: [x], dynamicDims: [0: [0]])
        XCTAssertEqual(read.warnings.count, 1)
        XCTAssertTrue(read.warnings[0].contains("TraceTests.swift:\(line)"), read.warnings[0])
        XCTAssertTrue(read.warnings[0].contains("dynamic dim 0 of input 0"), read.warnings[0])
        // Without dynamic dims, sizes are constants by design: no warning.
        XCTAssertEqual(try Torch.trace(lengthRead, exampleInputs: [x]).warnings, [])
        // The batch size read into a reshape at its own place follows the input on replay (as ONNX's 0).
        let batchRead: ([Tensor]) -> [Tensor] = { xs in
            [xs[0].reshape([xs[0].shape[0], 2, 3]).view([xs[0].shape[0], -1])]
        }
        let follows = try Torch.trace(batchRead, exampleInputs: [x], dynamicDims: [0: [0]])
        XCTAssertEqual(follows.warnings, [])
        let y = Tensor.randn([5, 6])
        XCTAssertEqual(follows([y])[0].toArray(Float.self), y.toArray(Float.self))
        XCTAssertEqual(follows([y])[0].shape, [5, 6])
    }

    func testInPlaceOpsAreRecordedAsTheirFunctionalOps() throws {
        let x = Tensor.randn([3, 4])
        let f: ([Tensor]) -> [Tensor] = { xs in
            let y = xs[0] * 2
            y.add_(Tensor(1 as Float))
            y.relu_()
            y.mul_(xs[0])
            return [y + 1]
        }
        let g = try Torch.trace(f, exampleInputs: [x])
        XCTAssertEqual(g.nodes.map(\.op), ["mul", "add", "relu", "mul", "add"])
        let other = Tensor.randn([3, 4])
        XCTAssertEqual(g([other])[0].toArray(Float.self), f([other])[0].toArray(Float.self))
    }

    func testAnOpTheTracerCannotFollowThrows() {
        let x = Tensor([3, 1, 2] as [Float])
        // An in-place write into a view of a traced value: the viewed tensor would not see it.
        XCTAssertThrowsError(
            try Torch.trace(
                { xs in
                    let y = xs[0] * 2
                    y.narrow(0, start: 0, length: 2).add_(Tensor(1 as Float))
                    return [y]
                }, exampleInputs: [x])
        ) {
            e in
            XCTAssertTrue("\(e)".contains("trace"), "\(e)")
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

/// The tracer against the primitive registry: every primitive is either recorded by name when a
/// traced function applies it, or listed here as not traced yet (then tracing it throws).
final class TraceRegistryTests: XCTestCase {
    /// A functional convolution (through im2col inside its node).
    static func conv2dLike(_ x: Tensor) -> Tensor { conv2d(x.reshape([1, 1] + x.shape), Tensor.ones([1, 1, 2, 2])) }

    /// Structural primitives, the traced op that applies them, and a call that does.
    let structural: [String: (op: String, call: (Tensor) -> Tensor)] = [
        "view": ("reshape", { $0.reshape([-1]) }), "toDType": ("to", { $0.to(.float64) }),
        "clone": ("clone", { $0.clone() }), "cat": ("cat", { Tensor.cat([$0, $0], dim: 0) }),
        "sum": ("sum", { $0.sum(dim: 0) }), "softmax": ("softmax", { $0.softmax(dim: 0) }),
        "logSoftmax": ("logSoftmax", { $0.logSoftmax(dim: 0) }), "matmul": ("matmul", { $0.matmul($0.t()) }),
        "prod": ("prod", { $0.prod(dims: [1]) }), "amax": ("amax", { $0.amax(dims: [0]) }),
        "amin": ("amin", { $0.amin(dims: [0], keepdim: true) }), "cumsum": ("cumsum", { $0.cumsum(dim: 1) }),
        "cumprod": ("cumprod", { $0.cumprod(dim: 0) }), "addmm": ("addmm", { Tensor.addmm($0, $0, $0) }),
        "whereSelect": ("where", { Tensor.where($0 .> 0.7, $0, $0 * 2) }),
        "im2col": ("conv2d", { TraceRegistryTests.conv2dLike($0) }),
        "convolution": ("conv2d", { TraceRegistryTests.conv2dLike($0) }),
        "gatherLinear": ("gather", { $0.gather(1, Tensor([[0, 1], [1, 0]] as [[Int64]])) }),
        // Traced as the element-wise ops they are computed with.
        "addcmul": ("mul", { $0.addcmul($0, $0, value: 0.5) }), "addcdiv": ("div", { $0.addcdiv($0, $0 + 1) }),
        "scatterDim": ("scatter", { $0.scatter(1, Tensor([[1, 0], [0, 1]] as [[Int64]]), $0 * 2) }),
        "scatterAddDim": ("scatterAdd", { $0.scatterAdd(0, Tensor([[1, 0], [0, 0]] as [[Int64]]), $0) }),
        "scatterAddLinear": ("indexAdd", { $0.indexAdd(0, Tensor([1, 0] as [Int64]), $0, alpha: 2) }),
        "scatter_reduce": (
            "scatterReduce", { $0.scatterReduce(1, Tensor([[0, 0], [1, 0]] as [[Int64]]), $0, reduce: .amax) }
        ),
        "col2im": (
            "convTranspose2d", { convTranspose($0.reshape([1, 1, 2, 2]), Tensor.ones([1, 1, 2, 2]), stride: 2) }
        ),
        "view_as_real": ("view_as_real", { $0.to(.complex64).viewAsReal() }),
        "view_as_complex": ("view_as_complex", { $0.viewAsComplex() }),
        "fft_c2c": ("fft_c2c", { Torch.fft.fft($0.to(.complex64)).abs() }),
        "fft_r2c": ("fft_r2c", { Torch.fft.rfft($0).abs() }),
        "fft_c2r": ("fft_c2r", { Torch.fft.irfft($0.to(.complex64)) }),
        "linalg_inv": ("linalg_inv", { Linalg.inv($0) }), "linalg_det": ("linalg_det", { Linalg.det($0) }),
        "linalg_slogdet": ("linalg_slogdet", { Linalg.slogdet($0).logabsdet }),
        "linalg_solve": ("linalg_solve", { Linalg.solve($0, $0.t()) }),
        "linalg_cholesky": ("linalg_cholesky", { Linalg.cholesky($0.matmul($0.t()) + Tensor.eye(2)) }),
        "linalg_eigh": ("linalg_eigh", { Linalg.eigh($0 + $0.t()).eigenvalues }),
        "linalg_svdvals": ("linalg_svdvals", { Linalg.svdvals($0) }),
        "linalg_svd": ("linalg_svd", { Linalg.svd($0).s }), "linalg_qr": ("linalg_qr", { Linalg.qr($0).r }),
        "linalg_lu_factor": ("linalg_lu_factor", { Linalg.luFactor($0).lu }),
        "linalg_pinv": ("linalg_pinv", { Linalg.pinv($0) }),
        "linalg_lstsq": ("linalg_lstsq", { Linalg.lstsq($0, $0.t()).solution }),
        "linalg_eig": ("linalg_eig", { Linalg.eig($0).eigenvalues.abs() }),
    ]
    /// Traced at their public op, but applied only with a second device (a GPU), so not run here.
    let needsADevice: Set<String> = ["toDevice"]
    /// Registry entries the tracer does not record: `copySlices` is applied only by an in-place
    /// write into a view, which tracing refuses (the viewed tensor's value would not follow).
    let notTracedYet: Set<String> = ["copySlices"]

    func testEveryPrimitiveIsTracedOrListed() throws {
        let unary = Set(Tensor.unaryPrimitiveNames), binary = Set(Tensor.binaryPrimitiveNames)
        var unclassified: [String] = []
        for p in Primitive.allCases {
            let x = Tensor.rand([2, 2]) + 0.5
            if unary.contains(p.name) {
                let g = try Torch.trace({ xs in [xs[0].unary(named: p.name)!] }, exampleInputs: [x])
                XCTAssertEqual(g.nodes.map(\.op), [p.name], p.name)
            } else if binary.contains(p.name) {
                let g = try Torch.trace({ xs in [Tensor.binary(named: p.name, xs[0], xs[0])!] }, exampleInputs: [x])
                XCTAssertEqual(g.nodes.map(\.op), [p.name], p.name)
            } else if let s = structural[p.name] {
                let g = try Torch.trace({ xs in [s.call(xs[0])] }, exampleInputs: [x])
                XCTAssertTrue(g.nodes.map(\.op).contains(s.op), "\(p.name): \(g.nodes.map(\.op))")
            } else if !notTracedYet.contains(p.name) && !needsADevice.contains(p.name) {
                unclassified.append(p.name)
            }
        }
        XCTAssertEqual(unclassified, [], "primitives neither traced nor listed as not traced yet")
        let names = Set(Primitive.allCases.map(\.name))
        XCTAssertEqual(notTracedYet.subtracting(names), [], "listed but not in the registry")
        XCTAssertEqual(Set(structural.keys).subtracting(names), [], "listed but not in the registry")
    }

    func testTheListedOnesReallyThrow() {
        XCTAssertTrue(notTracedYet.contains("copySlices"))
        let x = Tensor.rand([3, 3]).requiresGrad_()
        XCTAssertThrowsError(
            try Torch.trace(
                { xs in
                    let y = xs[0] * 2
                    y[0] = xs[0][1]
                    return [y]
                }, exampleInputs: [x]), "copySlices")
    }

    func testTheNewlyTracedOpsReplayOnOtherInputs() throws {
        let x = Tensor.rand([3, 3], dtype: .float64) + Tensor.eye(3, dtype: .float64) * 3
        let index = Tensor([[2, 0, 1]] as [[Int64]])
        let f: ([Tensor]) -> [Tensor] = { xs in
            let a = xs[0]
            let s =
                a.scatterAdd(0, index, a * 2)
                + a.indexAdd(1, Tensor([2, 0] as [Int64]), a.narrow(1, start: 0, length: 2))
            let spectrum = Torch.fft.irfft(Torch.fft.rfft(s, dim: 1), n: 3, dim: 1)
            let (sign, logabs) = Linalg.slogdet(a)
            return [
                Linalg.solve(a, spectrum) * sign + logabs, Linalg.svd(a).s, a.scatterReduce(0, index, a, reduce: .prod),
            ]
        }
        let g = try Torch.trace(f, exampleInputs: [x])
        for op in ["scatterAdd", "indexAdd", "fft_r2c", "fft_c2r", "linalg_slogdet", "linalg_solve", "linalg_svd"] {
            XCTAssertTrue(g.nodes.map(\.op).contains(op), "\(op): \(g.nodes.map(\.op))")
        }
        let y = Tensor.rand([3, 3], dtype: .float64) + Tensor.eye(3, dtype: .float64) * 2
        for (replayed, eager) in zip(g([y]), f([y])) {
            XCTAssertEqual(replayed.toArray(Double.self), eager.toArray(Double.self))
        }
    }
}
