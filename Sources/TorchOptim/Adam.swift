import Torch
import TorchBase
import RealModule

/// Adam and AdamW (decoupled weight decay), with amsgrad, following PyTorch's update rule:
/// m = β1·m + (1-β1)·g, v = β2·v + (1-β2)·g², p -= lr · m̂ / (√v̂ + ε) with bias corrections.
/// Per-group options: "beta1", "beta2", "eps", "weightDecay", "amsgrad", "decoupled".
///
/// ```swift
/// let opt = Adam(model.parameters(), lr: 1e-3)
/// ```
public final class Adam: BaseOptimizer {
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 0, amsgrad: Bool = false, decoupledWeightDecay: Bool = false) {
        self.init(groups: [ParamGroup(params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, decoupledWeightDecay: decoupledWeightDecay)
    }

    public init(groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                weightDecay: Double = 0, amsgrad: Bool = false, decoupledWeightDecay: Bool = false) {
        super.init(groups: groups, defaults: ["lr": lr, "beta1": betas.0, "beta2": betas.1, "eps": eps, "weightDecay": weightDecay,
                                              "amsgrad": amsgrad ? 1 : 0, "decoupled": decoupledWeightDecay ? 1 : 0])
    }

    override func update(group: ParamGroup, index i: Int, param p: Tensor, grad: Tensor) {
        let lr = option(group, "lr"), beta1 = option(group, "beta1"), beta2 = option(group, "beta2")
        let eps = option(group, "eps"), wd = option(group, "weightDecay")
        let t = Double(stepCount)
        let bc1 = 1 - Double.pow(beta1, t), bc2 = 1 - Double.pow(beta2, t)
        var g = grad
        if wd != 0 {
            if option(group, "decoupled") != 0 { p.mul_(Tensor.scalar(1 - lr * wd, dtype: p.dtype)) } else { g = g + p * wd }
        }
        let m = buffer(i, "exp_avg", p), v = buffer(i, "exp_avg_sq", p)
        m.mul_(Tensor.scalar(beta1, dtype: m.dtype)).add_(g, alpha: 1 - beta1)
        v.mul_(Tensor.scalar(beta2, dtype: v.dtype)).add_(g * g, alpha: 1 - beta2)
        var second = v
        if option(group, "amsgrad") != 0 {
            let mx = state[i]["max_exp_avg_sq"].map { $0.maximum(v) } ?? v.clone()
            state[i]["max_exp_avg_sq"] = mx
            second = mx
        }
        p.sub_(m / ((second / bc2).sqrt() + eps) * (lr / bc1))
    }
}

/// AdamW: Adam with decoupled weight decay (default 0.01, as in PyTorch).
public func AdamW(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                  weightDecay: Double = 1e-2, amsgrad: Bool = false) -> Adam {
    Adam(params, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad, decoupledWeightDecay: true)
}

/// Learning-rate schedulers (`torch.optim.lr_scheduler`): call `step()` once per epoch (or step)
/// after the optimizer's step; the optimizer's `lr` follows the closed-form schedule.
public final class LRScheduler {
    public let optimizer: Optimizer
    /// Each group's learning rate when the scheduler was made (PyTorch's `base_lrs`).
    public let baseLRs: [Double]
    public private(set) var lastEpoch = 0
    let schedule: (_ epoch: Int, _ base: Double) -> Double

    public init(_ optimizer: Optimizer, schedule: @escaping (_ epoch: Int, _ base: Double) -> Double) {
        self.optimizer = optimizer
        baseLRs = optimizer.paramGroups.map { $0.lr ?? 0 }
        self.schedule = schedule
        apply()
    }

    func apply() { for (g, b) in zip(optimizer.paramGroups, baseLRs) { g.lr = schedule(lastEpoch, b) } }

    public func step() {
        lastEpoch += 1
        apply()
    }

    /// Continues a schedule from `epoch` (for resuming).
    public func setEpoch(_ epoch: Int) {
        lastEpoch = epoch
        apply()
    }

    public var lastLR: Double { optimizer.lr }

    /// `base · gamma^(epoch / stepSize)`.
    public static func stepLR(_ o: Optimizer, stepSize: Int, gamma: Double = 0.1) -> LRScheduler {
        LRScheduler(o) { e, b in b * Double.pow(gamma, Double(e / stepSize)) }
    }
    /// `base · gamma^(number of milestones ≤ epoch)`.
    public static func multiStepLR(_ o: Optimizer, milestones: [Int], gamma: Double = 0.1) -> LRScheduler {
        LRScheduler(o) { e, b in b * Double.pow(gamma, Double(milestones.filter { $0 <= e }.count)) }
    }
    public static func exponentialLR(_ o: Optimizer, gamma: Double) -> LRScheduler {
        LRScheduler(o) { e, b in b * Double.pow(gamma, Double(e)) }
    }
    /// `etaMin + (base - etaMin)(1 + cos(π · epoch / tMax)) / 2`.
    public static func cosineAnnealingLR(_ o: Optimizer, tMax: Int, etaMin: Double = 0) -> LRScheduler {
        LRScheduler(o) { e, b in etaMin + (b - etaMin) * (1 + Double.cos(Double.pi * Double(e) / Double(tMax))) / 2 }
    }
    /// Linear factor from `startFactor` to `endFactor` over `totalIters` epochs.
    public static func linearLR(_ o: Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalIters: Int = 5) -> LRScheduler {
        LRScheduler(o) { e, b in b * (startFactor + (endFactor - startFactor) * Double(Swift.min(e, totalIters)) / Double(totalIters)) }
    }
    public static func lambdaLR(_ o: Optimizer, _ f: @escaping (Int) -> Double) -> LRScheduler {
        LRScheduler(o) { e, b in b * f(e) }
    }
}

/// Rescales gradients so that their total 2-norm is at most `maxNorm`; returns the norm before.
@discardableResult
public func clipGradNorm(_ params: [Tensor], maxNorm: Double) -> Double {
    let grads = params.compactMap { $0.grad }
    let total = Torch.noGrad { grads.map { ($0 * $0).sum().item() }.reduce(0, +).squareRoot() }
    let scale = maxNorm / (total + 1e-6)
    if scale < 1 { Torch.noGrad { for g in grads { g.mul_(Tensor.scalar(scale, dtype: g.dtype)) } } }
    return total
}

/// Clamps every gradient element into [-clip, clip].
public func clipGradValue(_ params: [Tensor], clip: Double) {
    Torch.noGrad { for p in params { p.grad?.clamp_(min: -clip, max: clip) } }
}

extension LRScheduler {
    /// Cosine annealing restarted every `t0` epochs, periods growing by `tMult`.
    public static func cosineAnnealingWarmRestarts(_ o: Optimizer, t0: Int, tMult: Int = 1, etaMin: Double = 0) -> LRScheduler {
        LRScheduler(o) { e, b in
            var tCur = Double(e), tI = Double(t0)
            if tMult == 1 {
                tCur = Double(e % t0)
            } else {
                let n = Int(Double.log(Double(e) / Double(t0) * Double(tMult - 1) + 1) / Double.log(Double(tMult)))
                tCur = Double(e) - Double(t0) * (Double.pow(Double(tMult), Double(n)) - 1) / Double(tMult - 1)
                tI = Double(t0) * Double.pow(Double(tMult), Double(n))
            }
            return etaMin + (b - etaMin) * (1 + Double.cos(Double.pi * tCur / tI)) / 2
        }
    }

    /// The 1cycle policy (cosine annealing, two phases): up from maxLR/divFactor to maxLR over
    /// `pctStart` of the steps, then down to the initial rate / finalDivFactor.
    public static func oneCycleLR(_ o: Optimizer, maxLR: Double, totalSteps: Int, pctStart: Double = 0.3,
                                  divFactor: Double = 25, finalDivFactor: Double = 1e4) -> LRScheduler {
        let initial = maxLR / divFactor, minLR = initial / finalDivFactor
        let phases: [(end: Double, start: Double, stop: Double)] = [(pctStart * Double(totalSteps) - 1, initial, maxLR),
                                                                     (Double(totalSteps - 1), maxLR, minLR)]
        return LRScheduler(o) { e, _ in
            var startStep = 0.0
            for (i, p) in phases.enumerated() {
                if Double(e) <= p.end || i == phases.count - 1 {
                    let pct = (Double(e) - startStep) / (p.end - startStep)
                    return p.stop + (p.start - p.stop) / 2 * (Double.cos(Double.pi * pct) + 1)
                }
                startStep = p.end
            }
            return minLR
        }
    }
}

/// Lowers the learning rate by `factor` when a metric stops improving for `patience` epochs
/// (mode "min", relative threshold, cooldown), as PyTorch's ReduceLROnPlateau.
public final class ReduceLROnPlateau {
    public let optimizer: Optimizer
    public let factor: Double, patience: Int, threshold: Double, cooldown: Int, minLR: Double, maximize: Bool
    var best: Double
    var badEpochs = 0, cooldownLeft = 0

    public init(_ optimizer: Optimizer, mode: String = "min", factor: Double = 0.1, patience: Int = 10,
                threshold: Double = 1e-4, cooldown: Int = 0, minLR: Double = 0) {
        self.optimizer = optimizer
        self.factor = factor; self.patience = patience; self.threshold = threshold
        self.cooldown = cooldown; self.minLR = minLR
        maximize = mode == "max"
        best = maximize ? -.infinity : .infinity
    }

    public func step(_ metric: Double) {
        let better = maximize ? metric > best * (1 + threshold) : metric < best * (1 - threshold)
        if better { best = metric; badEpochs = 0 } else { badEpochs += 1 }
        if cooldownLeft > 0 { cooldownLeft -= 1; badEpochs = 0 }
        if badEpochs > patience {
            for g in optimizer.paramGroups { g.lr = Swift.max((g.lr ?? 0) * factor, minLR) }
            cooldownLeft = cooldown
            badEpochs = 0
        }
    }
}
