import Torch
import TorchBase
import RealModule

// Gradient clipping (`torch.nn.utils.clip_grad_norm_`, `clip_grad_value_`).

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
