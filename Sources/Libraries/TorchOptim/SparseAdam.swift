import Torch
import TorchBase

/// Adam for sparse gradients (PyTorch's `SparseAdam`): only the rows a step's gradient holds
/// have their moments and values updated (`Embedding(sparse: true)`'s table, Note [Sparse
/// gradients]); a dense gradient is refused, as in PyTorch.
///
/// ```swift
/// let emb = Embedding(50_000, 64, sparse: true)
/// let opt = SparseAdam(emb.parameters(), lr: 1e-3)
/// ```
public final class SparseAdam: BaseOptimizer {
    /// SparseAdam over `params` with PyTorch's defaults and argument checks.
    public convenience init(
        _ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        maximize: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(
            groups: [ParamGroup(params)], lr: lr, betas: betas, eps: eps, maximize: maximize, file: file, line: line)
    }

    /// SparseAdam over parameter groups, each with its own options falling back to these.
    public init(
        groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        maximize: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) {
        let op = "SparseAdam"
        if !(lr > 0) { torchFail(op, "Invalid learning rate: \(lr)", file: file, line: line) }
        if !(eps > 0) { torchFail(op, "Invalid epsilon value: \(eps)", file: file, line: line) }
        if !(betas.0 >= 0 && betas.0 < 1) {
            torchFail(op, "Invalid beta parameter at index 0: \(betas.0)", file: file, line: line)
        }
        if !(betas.1 >= 0 && betas.1 < 1) {
            torchFail(op, "Invalid beta parameter at index 1: \(betas.1)", file: file, line: line)
        }
        var complex: [[Int]] = []
        for (gi, g) in groups.enumerated() {
            for (pi, p) in g.params.enumerated() where p.isComplex { complex.append([gi, pi]) }
        }
        if !complex.isEmpty {
            torchFail(
                op, "Complex params at indices \(complex): SparseAdam does not support complex parameters",
                file: file, line: line)
        }
        super.init(
            groups: groups,
            defaults: ["lr": lr, "beta1": betas.0, "beta2": betas.1, "eps": eps, "maximize": maximize ? 1 : 0],
            file: file, line: line)
    }

    override func update(group: ParamGroup, index i: Int, param p: Tensor, grad: Tensor) {
        torchFail(
            "SparseAdam", "SparseAdam does not support dense gradients, please consider Adam instead",
            file: #fileID, line: #line)
    }

    /// PyTorch's `sparse_adam`: the coalesced gradient's rows move the moments by
    /// `(1 - β)·(new - old)`, and the parameter by `-lr·√(1-β2ᵗ)/(1-β1ᵗ) · m / (√v + ε)` there.
    override func updateSparse(group: ParamGroup, index i: Int, param p: Tensor, grad: SparseTensor) {
        let beta1 = option(group, "beta1"), beta2 = option(group, "beta2"), eps = option(group, "eps")
        var g = grad.coalesce()
        if option(group, "maximize") != 0 { g = g.withValues(-g.values) }
        let m = buffer(i, "exp_avg", p), v = buffer(i, "exp_avg_sq", p)
        if g.nnz == 0 { return }
        let oldM = g.gather(from: m), oldV = g.gather(from: v)
        let mUpdate = (g.values - oldM) * (1 - beta1)
        let vUpdate = (g.values * g.values - oldV) * (1 - beta2)
        g.withValues(mUpdate).addInto(m)
        g.withValues(vUpdate).addInto(v)
        let numer = mUpdate + oldM
        let denom = (vUpdate + oldV).sqrt() + eps
        let t = Double(paramSteps[i])
        let stepSize = option(group, "lr") * (1 - Double.pow(beta2, t)).squareRoot() / (1 - Double.pow(beta1, t))
        g.withValues(numer / denom * -stepSize).addInto(p)
    }
}
