import Torch
import TorchBase
import RealModule

/// RMSprop: v = α v + (1-α) g²; p -= lr · g / (√v + ε) (optionally with momentum, centered).
public final class RMSprop: BaseOptimizer {
    /// The smoothing constant, `eps`, the momentum and whether the variance is centred.
    public let alpha: Double, eps: Double, momentum: Double, centered: Bool
    /// RMSprop over `params` with PyTorch's defaults. `RMSprop(model.parameters(), lr: 1e-3)`
    public init(
        _ params: [Tensor], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8, weightDecay: Double = 0,
        momentum: Double = 0, centered: Bool = false
    ) {
        self.alpha = alpha; self.eps = eps; self.momentum = momentum; self.centered = centered
        super.init(groups: [ParamGroup(params)], defaults: ["lr": lr, "weightDecay": weightDecay])
    }
    override func update(group: ParamGroup, index i: Int, param p: Tensor, grad: Tensor) {
        let lr = option(group, "lr"), wd = option(group, "weightDecay")
        let g = wd != 0 ? grad + p * wd : grad
        let v = buffer(i, "square_avg", p)
        v.mul_(Tensor.scalar(alpha, dtype: v.dtype)).add_(g * g, alpha: 1 - alpha)
        var avg = v
        if centered {
            let ga = buffer(i, "grad_avg", p)
            ga.mul_(Tensor.scalar(alpha, dtype: ga.dtype)).add_(g, alpha: 1 - alpha)
            avg = v - ga * ga
        }
        let denom = avg.sqrt() + eps
        if momentum > 0 {
            let b = buffer(i, "momentum_buffer", p)
            b.mul_(Tensor.scalar(momentum, dtype: b.dtype)).add_(g / denom)
            p.add_(b, alpha: -lr)
        } else {
            p.add_(g / denom, alpha: -lr)
        }
    }
}

/// Adagrad: s += g²; p -= clr · g / (√s + ε) with clr = lr / (1 + (t-1)·lrDecay).
public final class Adagrad: BaseOptimizer {
    /// The learning-rate decay, `eps` and the accumulator's initial value.
    public let lrDecay: Double, eps: Double, initialAccumulator: Double
    /// Adagrad over `params` with PyTorch's defaults. `Adagrad(model.parameters(), lr: 0.1)`
    public init(
        _ params: [Tensor], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
        initialAccumulatorValue: Double = 0, eps: Double = 1e-10
    ) {
        self.lrDecay = lrDecay; self.eps = eps; initialAccumulator = initialAccumulatorValue
        super.init(groups: [ParamGroup(params)], defaults: ["lr": lr, "weightDecay": weightDecay])
    }
    override func update(group: ParamGroup, index i: Int, param p: Tensor, grad: Tensor) {
        let lr = option(group, "lr"), wd = option(group, "weightDecay")
        let g = wd != 0 ? grad + p * wd : grad
        let s = buffer(i, "sum", p, fill: initialAccumulator)
        s.add_(g * g)
        let clr = lr / (1 + Double(paramSteps[i] - 1) * lrDecay)
        p.add_(g / (s.sqrt() + eps), alpha: -clr)
    }

    /// PyTorch's sparse Adagrad: the squared values added to the rows' sums, then those rows
    /// stepped by `g / (√sum + ε)`.
    override func updateSparse(group: ParamGroup, index i: Int, param p: Tensor, grad: SparseTensor) {
        if option(group, "weightDecay") != 0 {
            torchFail(
                "Adagrad", "weight_decay option is not compatible with sparse gradients", file: #fileID, line: #line)
        }
        let g = grad.coalesce()
        let s = buffer(i, "sum", p, fill: initialAccumulator)
        g.withValues(g.values * g.values).addInto(s)
        let std = g.gather(from: s).sqrt() + eps
        let clr = option(group, "lr") / (1 + Double(paramSteps[i] - 1) * lrDecay)
        g.withValues(g.values / std).addInto(p, alpha: -clr)
    }
}

/// Adadelta: v = ρv + (1-ρ)g²; Δ = √(u+ε)/√(v+ε)·g; u = ρu + (1-ρ)Δ²; p -= lr·Δ.
public final class Adadelta: BaseOptimizer {
    /// The running averages' coefficient and `eps`.
    public let rho: Double, eps: Double
    /// Adadelta over `params` with PyTorch's defaults. `Adadelta(model.parameters())`
    public init(_ params: [Tensor], lr: Double = 1, rho: Double = 0.9, eps: Double = 1e-6, weightDecay: Double = 0) {
        self.rho = rho; self.eps = eps
        super.init(groups: [ParamGroup(params)], defaults: ["lr": lr, "weightDecay": weightDecay])
    }
    override func update(group: ParamGroup, index i: Int, param p: Tensor, grad: Tensor) {
        let lr = option(group, "lr"), wd = option(group, "weightDecay")
        let g = wd != 0 ? grad + p * wd : grad
        let v = buffer(i, "square_avg", p), u = buffer(i, "acc_delta", p)
        v.mul_(Tensor.scalar(rho, dtype: v.dtype)).add_(g * g, alpha: 1 - rho)
        // In place on two temporaries, as PyTorch's single-tensor loop (four fewer allocations).
        let std = (v + eps).sqrt_()
        let delta = (u + eps).sqrt_().div_(std).mul_(g)
        u.mul_(Tensor.scalar(rho, dtype: u.dtype)).add_(delta * delta, alpha: 1 - rho)
        p.add_(delta, alpha: -lr)
    }
}

/// Adamax: m = β1 m + (1-β1) g; u = max(β2 u, |g| + ε); p -= lr/(1-β1^t) · m / u.
public final class Adamax: BaseOptimizer {
    /// The moment coefficients and `eps`.
    public let beta1: Double, beta2: Double, eps: Double
    /// Adamax over `params` with PyTorch's defaults. `Adamax(model.parameters(), lr: 2e-3)`
    public init(
        _ params: [Tensor], lr: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0
    ) {
        (beta1, beta2) = betas
        self.eps = eps
        super.init(groups: [ParamGroup(params)], defaults: ["lr": lr, "weightDecay": weightDecay])
    }
    override func update(group: ParamGroup, index i: Int, param p: Tensor, grad: Tensor) {
        let lr = option(group, "lr"), wd = option(group, "weightDecay")
        let g = wd != 0 ? grad + p * wd : grad
        let m = buffer(i, "exp_avg", p), u = buffer(i, "exp_inf", p)
        m.mul_(Tensor.scalar(beta1, dtype: m.dtype)).add_(g, alpha: 1 - beta1)
        u.copy_((u * beta2).maximum(g.abs() + eps))
        let bc = 1 - Double.pow(beta1, Double(paramSteps[i]))
        p.add_(m / u, alpha: -lr / bc)
    }
}

/// Averaged stochastic gradient descent (`torch.optim.ASGD`, PyTorch's single-tensor update):
/// the step size decays as lr / (1 + λ·lr·t)^α, each step shrinks the parameter by 1 − λ·η, and
/// `ax` (state "ax") keeps the running average of the iterates once t exceeds `t0`.
///
/// ```swift
/// let opt = ASGD(model.parameters(), lr: 0.01)
/// ```
public final class ASGD: BaseOptimizer {
    /// The decay term λ, the power α of the step-size decay and the step at which averaging starts.
    public let lambd: Double, alpha: Double, t0: Double
    /// ASGD over `params` with PyTorch's defaults.
    public init(
        _ params: [Tensor], lr: Double = 1e-2, lambd: Double = 1e-4, alpha: Double = 0.75, t0: Double = 1e6,
        weightDecay: Double = 0
    ) {
        (self.lambd, self.alpha, self.t0) = (lambd, alpha, t0)
        super.init(groups: [ParamGroup(params)], defaults: ["lr": lr, "weightDecay": weightDecay])
    }
    override func update(group: ParamGroup, index i: Int, param p: Tensor, grad: Tensor) {
        let lr = option(group, "lr"), wd = option(group, "weightDecay")
        let g = wd != 0 ? grad + p * wd : grad
        // η and μ of the previous step (lr and 1 before the first), kept as 0-d state tensors.
        let eta = buffer(i, "eta", Tensor.scalar(0.0, dtype: .float64), fill: lr)
        let mu = buffer(i, "mu", Tensor.scalar(0.0, dtype: .float64), fill: 1)
        let ax = buffer(i, "ax", p)
        let etaValue = eta.item()
        p.mul_(Tensor.scalar(1 - lambd * etaValue, dtype: p.dtype))
        p.add_(g, alpha: -etaValue)
        if mu.item() != 1 { ax.add_((p - ax) * mu.item()) } else { ax.copy_(p) }
        let step = Double(paramSteps[i])
        eta.fill_(lr / Double.pow(1 + lambd * lr * step, alpha))
        mu.fill_(1 / Swift.max(1, step - t0))
    }
}
