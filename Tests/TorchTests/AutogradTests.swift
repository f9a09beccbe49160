import XCTest
import Foundation
@testable import Torch
import TorchBase
import TorchTestSupport

final class AutogradTests: XCTestCase {
    func testBackwardAccumulatesAcrossCalls() {
        let w = Tensor([1.0, 2.0, 3.0]).requiresGrad_()
        let x = Tensor([4.0, 5.0, 6.0])
        (w * x).sum().backward()
        XCTAssertEqual(w.grad!.scalars, [4, 5, 6])
        (w * x).sum().backward()
        XCTAssertEqual(w.grad!.scalars, [8, 10, 12])
        XCTAssertNil(x.grad)
        XCTAssertTrue(w.isLeaf)
        XCTAssertFalse((w * x).isLeaf)
        XCTAssertEqual((w * x).gradFn?.name, "MulBackward0")
    }

    func testBroadcastGradientsSumBack() {
        let a = Tensor.ones([3, 1], dtype: .float64).requiresGrad_()
        let b = Tensor.ones([4], dtype: .float64).requiresGrad_()
        (a * b).sum().backward()
        XCTAssertEqual(a.grad!.shape, [3, 1]); XCTAssertEqual(a.grad!.scalars, [4, 4, 4])
        XCTAssertEqual(b.grad!.scalars, [3, 3, 3, 3])
    }

    func testRetainGraphAndGradient() {
        let x = Tensor([2.0]).requiresGrad_()
        let y = x * x
        y.backward(gradient: Tensor([1.0]), retainGraph: true)
        y.backward(gradient: Tensor([1.0]))
        XCTAssertEqual(x.grad!.scalars, [8])
    }

    func testTorchGradAndAllowUnused() {
        let x = Tensor([1.0, 2.0]).requiresGrad_()
        let z = Tensor([3.0]).requiresGrad_()
        let y = (x * x).sum()
        let g = Torch.grad(outputs: [y], inputs: [x, z], allowUnused: true)
        XCTAssertEqual(g[0]!.scalars, [2, 4])
        XCTAssertNil(g[1])
        XCTAssertNil(x.grad)  // Torch.grad returns, does not accumulate
    }

    func testHigherOrderGradients() {
        // d/dx (x^3) = 3x^2 ; d2/dx2 = 6x
        let x = Tensor([2.0], dtype: .float64).requiresGrad_()
        let y = x * x * x
        let g = Torch.grad(outputs: [y.sum()], inputs: [x], createGraph: true)[0]!
        XCTAssertEqual(g.scalars, [12])
        XCTAssertTrue(g.requiresGrad)
        let g2 = Torch.grad(outputs: [g.sum()], inputs: [x])[0]!
        XCTAssertEqual(g2.scalars, [12])
        // Hessian-vector product of f = sum(tanh(W x)) and a gradient penalty both backprop.
        let w = Tensor.randn([3, 3], dtype: .float64).requiresGrad_()
        let v = Tensor.randn([3], dtype: .float64)
        let xx = Tensor.randn([3], dtype: .float64).requiresGrad_()
        let f = w.matmul(xx).tanh().sum()
        let gx = Torch.grad(outputs: [f], inputs: [xx], createGraph: true)[0]!
        let hv = Torch.grad(outputs: [(gx * v).sum()], inputs: [xx], retainGraph: true)[0]!
        XCTAssertEqual(hv.shape, [3])
        let penalty = (gx * gx).sum()
        penalty.backward()
        XCTAssertNotNil(w.grad)
    }

    func testNoGradAndModes() {
        let w = Tensor([1.0]).requiresGrad_()
        let y = Torch.noGrad { w * 2 }
        XCTAssertFalse(y.requiresGrad)
        Torch.noGrad {
            XCTAssertFalse(Torch.isGradEnabled)
            Torch.enableGrad { XCTAssertTrue((w * 2).requiresGrad) }
            XCTAssertFalse(Torch.isGradEnabled)
        }
        XCTAssertTrue(Torch.isGradEnabled)
        Torch.inferenceMode {
            XCTAssertTrue(Torch.isInferenceMode); XCTAssertFalse((w * 2).requiresGrad)
        }
        XCTAssertFalse(w.detach().requiresGrad)
        let z = w * 3
        z.detach_()
        XCTAssertTrue(z.isLeaf); XCTAssertFalse(z.requiresGrad)
    }

    func testGradModeIsThreadLocal() {
        let w = Tensor([1.0]).requiresGrad_()
        let group = DispatchGroup()
        nonisolated(unsafe) var otherThreadRecorded = false
        Torch.noGrad {
            group.enter()
            Thread.detachNewThread {
                // A new thread starts with grad on. Its tensors (and nodes) are gone before it
                // signals, so that no node is freed on this thread while a later test counts them.
                do {
                    let v = Tensor([1.0]).requiresGrad_()
                    otherThreadRecorded = (v * 2).requiresGrad
                }
                group.leave()
            }
            group.wait()
            XCTAssertFalse((w * 2).requiresGrad)
        }
        XCTAssertTrue(otherThreadRecorded)
    }

    func testHooks() {
        let x = Tensor([1.0, 2.0]).requiresGrad_()
        var seen: [Double] = []
        let h = x.registerHook { g in
            seen = g.scalars; return g * 10
        }
        (x * 3).sum().backward()
        XCTAssertEqual(seen, [3, 3])
        XCTAssertEqual(x.grad!.scalars, [30, 30])
        h.remove()
        x.grad = nil
        (x * 3).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [3, 3])
        // Hook on a non-leaf, and retainGrad.
        let y = x * 2
        y.retainGrad()
        y.registerHook { g in g + 1 }
        x.grad = nil
        (y * y).sum().backward()
        XCTAssertEqual(y.grad!.scalars, [5, 9])  // retained after the other hooks ran: 2y + 1
        XCTAssertEqual(x.grad!.scalars, [10, 18])
    }

    func testCustomFunction() {
        let x = Tensor([1.0, 2.0], dtype: .float64).requiresGrad_()
        func cube(_ t: Tensor) -> Tensor {
            Torch.customFunction(
                "Cube", [t],
                forward: { ctx, xs in
                    ctx.saveForBackward(xs[0])
                    return xs[0] * xs[0] * xs[0]
                },
                backward: { ctx, g in
                    let v = ctx.savedTensors[0]
                    return [g * v * v * 3]
                })
        }
        let y = cube(x)
        XCTAssertEqual(y.gradFn?.name, "CubeBackward")
        y.sum().backward()
        XCTAssertEqual(x.grad!.scalars, [3, 12])
        XCTAssertTrue(Torch.gradcheck({ cube($0[0]).sin() }, [x]).passed)
        XCTAssertTrue(Torch.gradgradcheck({ cube($0[0]) }, [x]).passed)
    }

    func testCustomFunctionWithSeveralOutputs() {
        // (a + b, a · b) with a hand-written backward; the second output alone also works.
        func sumAndProduct(_ a: Tensor, _ b: Tensor) -> [Tensor] {
            Torch.customFunction(
                "SumAndProduct", [a, b],
                forwardOutputs: { ctx, x in
                    ctx.saveForBackward(x[0], x[1])
                    return [x[0] + x[1], x[0] * x[1]]
                },
                backwardOutputs: { ctx, g in
                    let a = ctx.savedTensors[0], b = ctx.savedTensors[1]
                    let gs = g[0] ?? Tensor.zerosLike(a), gp = g[1] ?? Tensor.zerosLike(a)
                    return [gs + gp * b, gs + gp * a]
                })
        }
        let a = Tensor([1.0, 2.0], dtype: .float64).requiresGrad_(),
            b = Tensor([3.0, 5.0], dtype: .float64).requiresGrad_()
        let outs = sumAndProduct(a, b)
        XCTAssertEqual(outs[1].gradFn?.name, "SumAndProductBackward")
        (outs[0] * 2 + outs[1]).sum().backward()
        XCTAssertEqual(a.grad!.toArray(Double.self), [5, 7])
        XCTAssertEqual(b.grad!.toArray(Double.self), [3, 4])
        a.grad = nil; b.grad = nil
        sumAndProduct(a, b)[1].sum().backward()
        XCTAssertEqual(a.grad!.toArray(Double.self), [3, 5])
        XCTAssertTrue(
            Torch.gradcheck(
                { x in
                    let o = sumAndProduct(x[0], x[1]); return o[0] * o[1]
                },
                [
                    Tensor([0.5, -1.5], dtype: .float64).requiresGrad_(),
                    Tensor([2.0, 0.25], dtype: .float64).requiresGrad_(),
                ]
            ).passed)
    }

    /// A gradient becomes `.grad` without a copy only when nothing else can see it: never the
    /// caller's gradient tensor, nor a tensor a custom backward hands back.
    func testLeafGradientsNeverAliasOtherTensors() {
        let x = Tensor([1.0, 2.0], dtype: .float64).requiresGrad_()
        let t = Tensor([10.0, 20.0], dtype: .float64)
        x.backward(gradient: t)
        (x * 1).backward(gradient: t)
        XCTAssertFalse(x.grad!.sharesStorage(with: t))
        XCTAssertEqual(t.toArray(Double.self), [10, 20])
        XCTAssertEqual(x.grad!.toArray(Double.self), [20, 40])

        // f(y) = y²/2 with a backward that returns the saved input itself.
        let y = Tensor([3.0, 4.0], dtype: .float64).requiresGrad_()
        for _ in 0..<2 {
            let out = Torch.customFunction(
                "HalfSquare", [y],
                forward: { ctx, v in
                    ctx.saveForBackward(v[0]); return v[0] * v[0] * 0.5
                }, backward: { ctx, g in [ctx.savedTensors[0]] })
            out.backward(gradient: Tensor([1.0, 1.0], dtype: .float64))
        }
        XCTAssertEqual(y.toArray(Double.self), [3, 4], "the input is untouched")
        XCTAssertEqual(y.grad!.toArray(Double.self), [6, 8])

        // A backward that hands back a constant it holds: the constant must stay as it was.
        let k = Tensor([0.5, 0.25], dtype: .float64)
        let z = Tensor([1.0, 1.0], dtype: .float64).requiresGrad_()
        for _ in 0..<2 {
            Torch.customFunction("Scale", [z], forward: { _, v in v[0] * k }, backward: { _, _ in [k] }).sum()
                .backward()
        }
        XCTAssertEqual(k.toArray(Double.self), [0.5, 0.25])
        XCTAssertEqual(z.grad!.toArray(Double.self), [1, 0.5])

        // The common case still reuses the fresh gradient's storage.
        let w = Tensor.randn([4, 3], dtype: .float64).requiresGrad_()
        (Tensor.randn([2, 4], dtype: .float64).matmul(w)).sum().backward()
        XCTAssertTrue(w.grad!.isContiguous)
    }

    func testInPlaceOnNonLeafIsRecorded() {
        let x = Tensor([1.0, 2.0]).requiresGrad_()
        let y = x * 2
        y.exp_()
        y.sum().backward()
        XCTAssertEqual(x.grad!.scalars[0], 2 * Foundation.exp(2.0), accuracy: 1e-4)
        let z = x * 1
        z += x
        z.sum().backward()
        XCTAssertEqual(x.grad!.scalars[0], 2 * Foundation.exp(2.0) + 2, accuracy: 1e-4)
    }

    func testInPlaceThroughViewsRewritesTheBase() {
        // y = 2x; y[1..<3] *= x[1..<3]  ->  y = [2x0, 2x1^2, 2x2^2, 2x3]
        let x = Tensor([1.0, 2.0, 3.0, 4.0], dtype: .float64).requiresGrad_()
        let y = x * 2
        y[1..<3].mul_(x[1..<3])
        XCTAssertEqual(y.toArray(Double.self), [2, 8, 18, 8])
        XCTAssertEqual(y.gradFn?.name, "CopySlicesBackward0")
        y.sum().backward()
        XCTAssertEqual(x.grad!.toArray(Double.self), [2, 8, 12, 2])

        // Writing a value that requires grad into a plain tensor makes it part of the graph.
        let w = Tensor([5.0], dtype: .float64).requiresGrad_()
        let z = Tensor.zeros([3], dtype: .float64)
        z[1..<2] = w * 3
        XCTAssertTrue(z.requiresGrad)
        (z * z).sum().backward()
        XCTAssertEqual(w.grad!.toArray(Double.self), [90])

        // fill_ on a slice cuts the gradient there; tensor-index assignment routes it to the value.
        let a = Tensor([1.0, 2.0, 3.0], dtype: .float64).requiresGrad_()
        let b = a * 3
        b[0..<2].fill_(7.0)
        b.sum().backward()
        XCTAssertEqual(a.grad!.toArray(Double.self), [0, 0, 3])
        let c = Tensor([1.0, 2.0], dtype: .float64).requiresGrad_()
        let d = Tensor.zeros([4], dtype: .float64)
        d[Tensor([3, 1])] = c * c
        XCTAssertEqual(d.toArray(Double.self), [0, 4, 0, 1])
        (d * Tensor([1.0, 10.0, 100.0, 1000.0], dtype: .float64)).sum().backward()
        XCTAssertEqual(c.grad!.toArray(Double.self), [2000, 40])

        // A view of the base read after the write sees the new graph.
        let p = Tensor([1.0, 1.0], dtype: .float64).requiresGrad_()
        let q = p * 1
        let row = q[0..<1]
        row.mul_(Tensor([4.0], dtype: .float64))
        row.sum().backward()
        XCTAssertEqual(p.grad!.toArray(Double.self), [4, 0])
    }

    func testGraphIsFreedAndNothingLeaks() {
        let w = Tensor.randn([8, 4], dtype: .float64).requiresGrad_()
        var baseline = 0
        for step in 0..<20 {
            // After the first step only w's gradient accumulator may stay alive with w.
            if step == 1 { baseline = Node.liveCount }
            let x = Tensor.randn([16, 8], dtype: .float64)
            let loss = (x.matmul(w).tanh() - 1).pow(2).mean()
            loss.backward()
            Torch.noGrad { w -= w.grad! * 0.1 }
            w.grad = nil
        }
        XCTAssertEqual(Node.liveCount, baseline, "nodes alive after a training loop")
        weak var weakOut: Tensor?
        do {
            let out = w.matmul(Tensor.ones([4, 1], dtype: .float64)).sum()
            weakOut = out
            out.backward()
        }
        XCTAssertNil(weakOut, "outputs are not kept alive by their graph")
        XCTAssertEqual(Node.liveCount, baseline)
    }

    func testViewsAndIndexingGradients() {
        let x = Tensor.arange(0.0, 12.0, dtype: .float64).reshape([3, 4]).detach().requiresGrad_()
        let loss = x[..., 1..<3].sum() + x[Tensor([0, 0])].sum() + x.t()[0].sum()
        loss.backward()
        XCTAssertEqual(x.grad!.scalars, [3, 3, 3, 2, 1, 1, 1, 0, 1, 1, 1, 0])
    }

    /// y = 2x; z = f(y); y *= 3; backward: PyTorch runs these because f's backward does not read
    /// y (it reads its output, a constant, or nothing). Gradients from PyTorch
    /// (Fixtures/generate_inplace_pairs.py); the refused counterparts are MisuseTests' ag-version*.
    func testInPlaceAfterUseWherePyTorchAllowsIt() throws {
        let data = try Data(contentsOf: Fixtures.directory.appendingPathComponent("inplace_pairs.json"))
        let grads = (try JSONSerialization.jsonObject(with: data) as! [String: Any])["grads"] as! [String: [Double]]
        let programs: [String: (Tensor) -> Tensor] = [
            "exp": { $0.exp() }, "tanh": { $0.tanh() }, "sigmoid": { $0.sigmoid() }, "relu": { $0.relu() },
            "sqrt": { $0.sqrt() }, "neg": { -$0 }, "add": { $0 + 1 }, "sub": { $0 - 1 }, "mulScalar": { $0 * 3 },
            "reciprocal": { $0.reciprocal() }, "rdiv": { 3 / $0 }, "divScalar": { $0 / 3 },
            "softmax": { $0.softmax(dim: 0) }, "sum": { $0.sum() },
            "matmulConst": { $0.matmul(Tensor([1.0, -2.0], dtype: .float64)) }, "clone": { $0.clone() },
            "mulConstTensor": { $0 * Tensor([3.0, 4.0], dtype: .float64) },
        ]
        XCTAssertEqual(Set(programs.keys), Set(grads.keys))
        for (name, f) in programs {
            let x = Tensor([1.0, 2.0], dtype: .float64).requiresGrad_()
            let y = x * 2
            let z = f(y)
            y.mul_(Tensor([3.0, 3.0], dtype: .float64))
            z.sum().backward()
            XCTAssertEqual(mismatches(x.grad!.scalars, grads[name]!, atol: 1e-12, rtol: 1e-9), [], name)
        }
    }
}
