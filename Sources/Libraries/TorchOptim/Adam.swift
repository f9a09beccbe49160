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
public class Adam: BaseOptimizer {
    /// Adam over `params` with PyTorch's defaults (`amsgrad` keeps the maximum second moment).
    ///
    /// ```swift
    /// let opt = Adam(model.parameters(), lr: 1e-3, betas: (0.9, 0.98))
    /// ```
    public convenience init(
        _ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0, amsgrad: Bool = false, decoupledWeightDecay: Bool = false
    ) {
        self.init(
            groups: [ParamGroup(params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
            amsgrad: amsgrad, decoupledWeightDecay: decoupledWeightDecay)
    }

    /// Adam over parameter groups, each with its own options falling back to these.
    ///
    /// ```swift
    /// let opt = Adam(groups: [ParamGroup(enc.parameters(), lr: 1e-4), ParamGroup(dec.parameters())])
    /// ```
    public init(
        groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0, amsgrad: Bool = false, decoupledWeightDecay: Bool = false
    ) {
        super.init(
            groups: groups,
            defaults: [
                "lr": lr, "beta1": betas.0, "beta2": betas.1, "eps": eps, "weightDecay": weightDecay,
                "amsgrad": amsgrad ? 1 : 0, "decoupled": decoupledWeightDecay ? 1 : 0,
            ])
    }

    override func update(group: ParamGroup, index i: Int, param p: Tensor, grad: Tensor) {
        let lr = option(group, "lr"), beta1 = option(group, "beta1"), beta2 = option(group, "beta2")
        let eps = option(group, "eps"), wd = option(group, "weightDecay")
        let t = Double(paramSteps[i])
        let bc1 = 1 - Double.pow(beta1, t), bc2 = 1 - Double.pow(beta2, t)
        var g = grad
        if wd != 0 {
            if option(group, "decoupled") != 0 {
                p.mul_(Tensor.scalar(1 - lr * wd, dtype: p.dtype))
            } else {
                g = g + p * wd
            }
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
///
/// ```swift
/// let opt = AdamW(model.parameters(), lr: 1e-3)
/// ```
public final class AdamW: Adam {
    /// AdamW over `params` (weight decay 0.01 applied to the weights, not the gradient).
    ///
    /// ```swift
    /// let opt = AdamW(model.parameters(), lr: 3e-4, weightDecay: 0.1)
    /// ```
    public init(
        _ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 1e-2, amsgrad: Bool = false
    ) {
        super.init(
            groups: [ParamGroup(params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
            amsgrad: amsgrad, decoupledWeightDecay: true)
    }
}
