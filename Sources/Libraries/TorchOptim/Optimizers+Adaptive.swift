#if canImport(Glibc)
    import Glibc
#endif
import Torch
import TorchBase

// NAdam, RAdam and Rprop as PyTorch's single-tensor implementations compute them (its CPU default).

extension BaseOptimizer {
    /// The step shared by NAdam and RAdam: weight decay (L2 into the gradient, or decoupled on the
    /// parameter), then the moments m ← lerp(m, g, 1 - β1) (PyTorch's `lerp_` formula for a weight
    /// below 0.5) and v ← β2 v + (1 - β2) g². Returns the gradient used and the two moments.
    func adamMoments(
        _ i: Int, _ p: Tensor, _ grad: Tensor, lr: Double, weightDecay wd: Double, decoupled: Bool,
        betas: (Double, Double)
    ) -> (g: Tensor, m: Tensor, v: Tensor) {
        var g = grad
        if wd != 0 {
            if decoupled { p.mul_(Tensor.scalar(1 - lr * wd, dtype: p.dtype)) } else { g = grad + p * wd }
        }
        let m = buffer(i, "exp_avg", p), v = buffer(i, "exp_avg_sq", p)
        m.add_((g - m) * (1 - betas.0))
        v.mul_(Tensor.scalar(betas.1, dtype: v.dtype)).add_(g * g * (1 - betas.1))
        return (g, m, v)
    }
}

/// NAdam: Adam with Nesterov momentum and PyTorch's momentum-decay schedule
/// μ_t = β1 (1 - ½ · 0.96^(t · momentumDecay)).
///
/// ```swift
/// let opt = NAdam(model.parameters(), lr: 2e-3)
/// ```
public final class NAdam: BaseOptimizer {
    public let beta1: Double, beta2: Double, eps: Double, momentumDecay: Double, decoupledWeightDecay: Bool
    public init(
        _ params: [Tensor], lr: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0, momentumDecay: Double = 4e-3, decoupledWeightDecay: Bool = false
    ) {
        (beta1, beta2) = betas
        (self.eps, self.momentumDecay, self.decoupledWeightDecay) = (eps, momentumDecay, decoupledWeightDecay)
        super.init(groups: [ParamGroup(params)], defaults: ["lr": lr, "weightDecay": weightDecay])
    }
    override func update(group: ParamGroup, index i: Int, param p: Tensor, grad: Tensor) {
        let lr = option(group, "lr"), wd = option(group, "weightDecay")
        let t = Double(paramSteps[i])
        let (g, m, v) = adamMoments(
            i, p, grad, lr: lr, weightDecay: wd, decoupled: decoupledWeightDecay, betas: (beta1, beta2))
        let mu = beta1 * (1 - 0.5 * Glibc.pow(0.96, t * momentumDecay))
        let muNext = beta1 * (1 - 0.5 * Glibc.pow(0.96, (t + 1) * momentumDecay))
        // PyTorch keeps the running product of μ in a float32 scalar tensor.
        let product = buffer(i, "mu_product", Tensor.scalar(Float(1), dtype: .float32), fill: 1)
        product.mul_(Tensor.scalar(mu, dtype: .float32))
        let muProduct = product.item()
        let denom = (v / (1 - Glibc.pow(beta2, t))).sqrt() + eps
        p.add_(g / denom * (-lr * (1 - mu) / (1 - muProduct)))
        p.add_(m / denom * ((-lr * muNext) / (1 - muProduct * muNext)))
    }
}

/// RAdam: Adam with the variance rectification of Liu et al.; plain momentum SGD while the
/// rectification term is undefined (ρ_t ≤ 5).
///
/// ```swift
/// let opt = RAdam(model.parameters(), lr: 1e-3)
/// ```
public final class RAdam: BaseOptimizer {
    public let beta1: Double, beta2: Double, eps: Double, decoupledWeightDecay: Bool
    public init(
        _ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0, decoupledWeightDecay: Bool = false
    ) {
        (beta1, beta2) = betas
        (self.eps, self.decoupledWeightDecay) = (eps, decoupledWeightDecay)
        super.init(groups: [ParamGroup(params)], defaults: ["lr": lr, "weightDecay": weightDecay])
    }
    override func update(group: ParamGroup, index i: Int, param p: Tensor, grad: Tensor) {
        let lr = option(group, "lr"), wd = option(group, "weightDecay")
        let t = Double(paramSteps[i])
        let (_, m, v) = adamMoments(
            i, p, grad, lr: lr, weightDecay: wd, decoupled: decoupledWeightDecay, betas: (beta1, beta2))
        let bc1 = 1 - Glibc.pow(beta1, t), bc2 = 1 - Glibc.pow(beta2, t)
        let corrected = m / bc1
        let rhoInf = 2 / (1 - beta2) - 1
        let rhoT = rhoInf - 2 * t * Glibc.pow(beta2, t) / bc2
        if rhoT > 5 {
            let rect = ((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)).squareRoot()
            let adaptive = bc2.squareRoot() / (v.sqrt() + eps)
            p.sub_(corrected * lr * adaptive * rect)
        } else {
            p.sub_(corrected * lr)
        }
    }
}

/// Rprop: per-element step sizes grown by `etas.1` while the gradient keeps its sign and shrunk by
/// `etas.0` when it flips (that step is skipped), clamped to `stepSizes`.
///
/// ```swift
/// let opt = Rprop(model.parameters(), lr: 1e-2)
/// ```
public final class Rprop: BaseOptimizer {
    public let etaMinus: Double, etaPlus: Double, minStep: Double, maxStep: Double
    public init(
        _ params: [Tensor], lr: Double = 1e-2, etas: (Double, Double) = (0.5, 1.2),
        stepSizes: (Double, Double) = (1e-6, 50)
    ) {
        (etaMinus, etaPlus) = etas
        (minStep, maxStep) = stepSizes
        super.init(groups: [ParamGroup(params)], defaults: ["lr": lr])
    }
    override func update(group: ParamGroup, index i: Int, param p: Tensor, grad: Tensor) {
        let prev = buffer(i, "prev", p)
        let stepSize = buffer(i, "step_size", grad, fill: option(group, "lr"))
        let product = (grad * prev).sign()
        let factor = Tensor.where(
            product .> 0.0, Tensor.fullLike(product, etaPlus),
            Tensor.where(product .< 0.0, Tensor.fullLike(product, etaMinus), Tensor.onesLike(product)))
        stepSize.copy_((stepSize * factor).clamp(min: minStep, max: maxStep))
        let g = Tensor.where(factor .== etaMinus, Tensor.zerosLike(grad), grad)
        p.sub_(g.sign() * stepSize)
        prev.copy_(g)
    }
}
