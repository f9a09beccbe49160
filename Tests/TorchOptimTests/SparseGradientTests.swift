import Foundation
import XCTest
import Torch
import TorchBase
import TorchNN
import TorchOptim
import TorchTestSupport

/// Sparse gradients (Note [Sparse gradients]): `Embedding(sparse: true)`, `SparseTensor`, and the
/// optimizers that take one, against PyTorch (`torch_optim.json`'s "sparse" cases).
final class SparseGradientTests: XCTestCase {
    static var sparse: [String: Any] { TorchReferenceOptimTests.root["sparse"] as! [String: Any] }
    static func floats(_ key: String) -> [Float] { (sparse[key] as! [NSNumber]).map { $0.floatValue } }

    static func make(_ name: String, _ p: [Tensor]) -> Optimizer? {
        switch name {
        case "sparse_adam": return SparseAdam(p, lr: 0.05)
        case "sparse_adam_options": return SparseAdam(p, lr: 0.02, betas: (0.8, 0.9), eps: 1e-6, maximize: true)
        case "sparse_sgd": return SGD(p, lr: 0.1)
        case "sparse_sgd_momentum": return SGD(p, lr: 0.1, momentum: 0.9, nesterov: true)
        case "sparse_adagrad": return Adagrad(p, lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1)
        default: return nil
        }
    }

    func testSparseTrajectoriesMatchPyTorch() {
        let s = Self.sparse
        let v = Tensor(shape: [3], scalars: Self.floats("v"))
        let batches = (s["batches"] as! [[NSNumber]]).map { Tensor(shape: [2, 4], scalars: $0.map { $0.int64Value }) }
        let targets = (s["targets"] as! [[NSNumber]]).map { Tensor(shape: [2, 4], scalars: $0.map { $0.floatValue }) }
        let cases = s["cases"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 5)
        for c in cases {
            let name = c["name"] as! String
            let emb = Embedding(7, 3, paddingIdx: 0, sparse: true)
            Torch.noGrad { emb.weight.copy_(Tensor(shape: [7, 3], scalars: Self.floats("table0"))) }
            guard let opt = Self.make(name, emb.parameters()) else { XCTFail("\(name): no spelling"); continue }
            let trajectory = c["trajectory"] as! [[NSNumber]]
            for (step, expected) in trajectory.enumerated() {
                opt.zeroGrad()
                let r = emb(batches[step]).matmul(v) - targets[step]
                (r * r).mean().backward()
                XCTAssertNil(emb.weight.grad, "\(name): the gradient is sparse, not dense")
                if step == 0 {
                    let g = emb.weight.sparseGrad!.coalesce()
                    let first = c["first_grad"] as! [String: [NSNumber]]
                    XCTAssertEqual(g.indices.toArray(Int64.self), first["indices"]!.map { $0.int64Value }, name)
                    let e = Tensor(shape: g.values.shape, scalars: first["values"]!.map { $0.floatValue })
                    assertMatches(g.values, e, "\(name) first gradient", rtol: 1e-5, atol: 1e-7)
                }
                opt.step()
                let e = Tensor(shape: [7, 3], scalars: expected.map { $0.floatValue })
                assertMatches(emb.weight.detach(), e, "\(name) step \(step + 1)", rtol: 2e-5, atol: 2e-6)
            }
        }
    }

    func testSparseTensorCoalesceDenseAndChecks() {
        let s = SparseTensor(
            indices: Tensor([[0, 2, 0, 1], [1, 0, 1, 1]]), values: Tensor([1.0, 2.0, 3.0, -1.0]), size: [3, 2])
        XCTAssertFalse(s.isCoalesced)
        XCTAssertEqual(s.nnz, 4)
        let c = s.coalesce()
        XCTAssertTrue(c.isCoalesced)
        XCTAssertEqual(c.indices.toArray(Int64.self), [0, 1, 2, 1, 1, 0])
        XCTAssertEqual(c.values.toArray(Float.self), [4, -1, 2])
        XCTAssertEqual(s.toDense().toArray(Float.self), [0, 4, 0, -1, 2, 0])
        // Accumulation concatenates; the dense sum is the same.
        XCTAssertEqual((s + s).nnz, 8)
        XCTAssertEqual((s + s).toDense().toArray(Float.self), [0, 8, 0, -2, 4, 0])
        // Values with dense dimensions (rows of a table).
        let rows = SparseTensor(
            indices: Tensor([[2, 0, 2]]), values: Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), size: [3, 2])
        XCTAssertEqual(rows.toDense().toArray(Float.self), [3, 4, 0, 0, 6, 8])
    }

    func testEmbeddingSparseGradientEqualsTheDenseOne() {
        let idx = Tensor([[1, 2, 1], [0, 4, 1]])
        let dense = Embedding(5, 3, paddingIdx: 2)
        let sparse = Embedding(5, 3, paddingIdx: 2, sparse: true)
        Torch.noGrad { sparse.weight.copy_(dense.weight) }
        let up = Tensor.randn([2, 3, 3])
        (dense(idx) * up).sum().backward()
        (sparse(idx) * up).sum().backward()
        XCTAssertNil(sparse.weight.grad)
        let g = sparse.weight.sparseGrad!
        XCTAssertEqual(g.nnz, 5, "the padding row is left out, repeats are kept until coalesced")
        assertMatches(g.toDense(), dense.weight.grad!, "sparse vs dense gradient", rtol: 1e-6, atol: 1e-7)
        // A second backward accumulates; zeroGrad clears.
        (sparse(idx) * up).sum().backward()
        XCTAssertEqual(sparse.weight.sparseGrad!.nnz, 10)
        assertMatches(
            sparse.weight.sparseGrad!.toDense(), dense.weight.grad! * 2, "accumulated", rtol: 1e-6, atol: 1e-7)
        sparse.zeroGrad()
        XCTAssertNil(sparse.weight.sparseGrad)
        XCTAssertEqual(sparse.description, "Embedding(5, 3, padding_idx=2, sparse=True)")
        // Clipping counts the sparse gradient.
        (sparse(idx) * up).sum().backward()
        let norm = clipGradNorm(sparse.parameters(), maxNorm: 0.1)
        XCTAssertEqual(norm, Linalg.vectorNorm(dense.weight.grad!).item(), accuracy: 1e-4)
        XCTAssertEqual(Linalg.vectorNorm(sparse.weight.sparseGrad!.values).item(), 0.1, accuracy: 1e-4)
    }

    /// EmbeddingBag(sparse: true): one row per entry counted (padding left out), in input order as
    /// PyTorch's (`indices=[[1, 4, 1]]` for bags [1, 2 | 4, 1] with padding 2), equal to the dense gradient.
    func testEmbeddingBagSparseGradient() {
        let input = Tensor([1, 2, 4, 1]), offsets = Tensor([0, 2])
        for mode in [EmbeddingBagMode.mean, .sum] {
            let dense = EmbeddingBag(6, 3, mode: mode, paddingIdx: 2)
            let sparse = EmbeddingBag(6, 3, mode: mode, paddingIdx: 2, sparse: true)
            Torch.noGrad { sparse.weight.copy_(dense.weight) }
            let up = Tensor.randn([2, 3])
            (dense(input, offsets: offsets) * up).sum().backward()
            (sparse(input, offsets: offsets) * up).sum().backward()
            XCTAssertNil(sparse.weight.grad)
            let g = sparse.weight.sparseGrad!
            XCTAssertEqual(g.indices.toArray(Int64.self), [1, 4, 1], "\(mode)")
            assertMatches(g.toDense(), dense.weight.grad!, "\(mode) sparse vs dense", rtol: 1e-6, atol: 1e-7)
        }
    }

    /// LBFGS takes a sparse gradient densified (PyTorch's `_gather_flat_grad`): the same steps as
    /// with the dense gradient.
    func testLBFGSDensifiesSparseGradients() {
        let idx = Tensor([[1, 2, 1], [0, 4, 3]]), target = Tensor.randn([2, 3, 3])
        var tables: [Tensor] = []
        for sparse in [false, true] {
            Torch.manualSeed(7)
            let emb = Embedding(5, 3, sparse: sparse)
            let opt = LBFGS(emb.parameters(), lr: 0.5, maxIter: 4)
            for _ in 0..<2 {
                _ = opt.step {
                    opt.zeroGrad()
                    let loss = ((emb(idx) - target) * (emb(idx) - target)).mean()
                    loss.backward()
                    return loss
                }
            }
            tables.append(emb.weight.detach())
        }
        assertMatches(tables[1], tables[0], "LBFGS sparse vs dense", rtol: 1e-5, atol: 1e-6)
    }

    func testRefusals() throws {
        guard let exe = programBinary("torch-misuse") else { return XCTFail("torch-misuse not built") }
        let cases: [(String, String)] = [
            ("sparse-adam", "Adam does not support sparse gradients, please consider SparseAdam instead"),
            ("sparse-dense", "SparseAdam does not support dense gradients, please consider Adam instead"),
            ("sparse-lr", "SparseAdam: Invalid learning rate: -0.1"),
            ("sparse-index", "size is inconsistent with indices: for dim 0, size is 3 but found index 3"),
            ("sparse-bag-max", "embedding_bag: max mode does not support sparse weights"),
        ]
        for (name, message) in cases {
            let r = runCapturing(exe, [name])
            XCTAssertNotEqual(r.status, 0, "\(name) should trap")
            XCTAssertTrue(r.stderr.contains(message), "\(name): expected '\(message)' in \(r.stderr)")
        }
    }
}
