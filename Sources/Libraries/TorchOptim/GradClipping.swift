import Torch
import TorchBase
import RealModule

// Gradient clipping (`torch.nn.utils.clip_grad_norm_`, `clip_grad_value_`).

/// Rescales gradients so that their total 2-norm is at most `maxNorm`; returns the norm before.
/// Sparse gradients count with their coalesced values (Note [Sparse gradients]).
@discardableResult
public func clipGradNorm(_ params: [Tensor], maxNorm: Double) -> Double {
    let grads = params.compactMap { $0.grad }
    for p in params { if let s = p.sparseGrad { p.sparseGrad = s.coalesce() } }
    let sparse = params.filter { $0.sparseGrad != nil }
    let total = Torch.noGrad {
        let squares = (grads + sparse.map { $0.sparseGrad!.values }).map { ($0 * $0).sum().item(Double.self) }
        return squares.reduce(0, +).squareRoot()
    }
    let scale = maxNorm / (total + 1e-6)
    if scale < 1 {
        Torch.noGrad {
            for g in grads { g.mul_(Tensor.scalar(scale, dtype: g.dtype)) }
            for p in sparse { p.sparseGrad!.values.mul_(Tensor.scalar(scale, dtype: p.sparseGrad!.dtype)) }
        }
    }
    return total
}

/// Clamps every gradient element into [-clip, clip] (a sparse gradient's coalesced values).
public func clipGradValue(_ params: [Tensor], clip: Double) {
    Torch.noGrad {
        for p in params {
            p.grad?.clamp_(min: -clip, max: clip)
            if let s = p.sparseGrad {
                let c = s.coalesce()
                c.values.clamp_(min: -clip, max: clip)
                p.sparseGrad = c
            }
        }
    }
}

/// Clamps every gradient element into [-clipValue, clipValue] (`clip_grad_value_`).
///
/// ```swift
/// clipGradValue_(model.parameters(), clipValue: 0.5)
/// ```
public func clipGradValue_(_ params: [Tensor], clipValue: Double) { clipGradValue(params, clip: clipValue) }

/// The parameters flattened and concatenated into one vector (`parameters_to_vector`).
///
/// ```swift
/// let v = parametersToVector(model.parameters())
/// ```
public func parametersToVector(_ params: [Tensor]) -> Tensor {
    Tensor.cat(params.map { $0.reshape([-1]) }, dim: 0)
}

/// Copies consecutive slices of `vector` into the parameters, in order (`vector_to_parameters`);
/// refuses a vector whose length is not the parameters' total.
///
/// ```swift
/// vectorToParameters(v, model.parameters())
/// ```
public func vectorToParameters(
    _ vector: Tensor, _ params: [Tensor], file: StaticString = #fileID, line: UInt = #line
) {
    if vector.rank != 1 {
        torchFail(
            "vector_to_parameters", "expected a 1-D vector, got a tensor of shape \(vector.shape)", file: file,
            line: line)
    }
    let total = params.reduce(0) { $0 + $1.numel }
    if vector.shape[0] != total {
        torchFail(
            "vector_to_parameters", "the vector has \(vector.shape[0]) elements, the parameters \(total)", file: file,
            line: line)
    }
    var offset = 0
    Torch.noGrad {
        for p in params {
            let n = p.numel
            p.copy_(vector.narrow(0, start: offset, length: n).reshape(p.shape))
            offset += n
        }
    }
}
