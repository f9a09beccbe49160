#if canImport(Glibc)
    import Glibc
#endif
import Torch
import TorchBase

// Functional forms of activations and losses, built from differentiable primitives.

/// `max(x, 0)` (`torch.nn.functional.relu`). `relu(x)`
public func relu(_ x: Tensor) -> Tensor { x.relu() }

/// `log(softmax(x))` along `dim`, computed stably.
public func logSoftmax(_ x: Tensor, dim: Int) -> Tensor { x.logSoftmax(dim: dim) }

/// Softmax along `dim` (`torch.nn.functional.softmax`). `softmax(logits, dim: 1)`
public func softmax(_ x: Tensor, dim: Int) -> Tensor { x.softmax(dim: dim) }

func reduce(_ t: Tensor, _ r: Reduction) -> Tensor {
    switch r {
    case .none: return t
    case .mean: return t.mean()
    case .sum: return t.sum()
    }
}

/// PyTorch's UserWarning for `mse_loss` with broadcasting shapes, printed once per process.
enum MSEWarning {
    nonisolated(unsafe) static var warned = false
    static func once(_ a: [Int], _ b: [Int]) {
        if warned { return }
        warned = true
        let msg =
            "UserWarning: Using a target size (\(b)) that is different to the input size (\(a)). This will likely "
            + "lead to incorrect results due to broadcasting. Please ensure they have the same size.\n"
        fputs(msg, stderr)
    }
}

/// Zeroes elements with probability `p` in training and rescales the rest by 1/(1-p).
public func dropout(
    _ x: Tensor, p: Double = 0.5, training: Bool = true, inplace: Bool = false, generator: Generator = .default,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if p < 0 || p > 1 || p.isNaN {
        torchFail("dropout", "dropout probability has to be between 0 and 1, but got \(p)", file: file, line: line)
    }
    if !training || p == 0 { return x }
    // Everything dropped: x · 0, as PyTorch (no division by zero).
    if p == 1 {
        return inplace ? x.mul_(Tensor.scalar(0.0, dtype: x.dtype)) : x * Tensor.scalar(0.0, dtype: x.dtype)
    }
    let keep = Tensor.bernoulli(x.shape, p: 1 - p, dtype: x.dtype, generator: generator)
    // In place: one multiply by the scaled mask, whose backward needs only the mask.
    return inplace ? x.mul_(keep / (1 - p), file: file, line: line) : x * keep / (1 - p)
}

/// Alpha dropout (`F.alpha_dropout`), for SELU networks: in training each element is dropped with
/// probability `p` to SELU's negative saturation value and the result scaled and shifted so that
/// a zero-mean, unit-variance input keeps its mean and variance. Unchanged in evaluation mode.
public func alphaDropout(
    _ x: Tensor, p: Double = 0.5, training: Bool = false, inplace: Bool = false, generator: Generator = .default,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    alphaDropout(x, p, training, inplace, feature: false, generator, file, line)
}

/// Feature alpha dropout (`F.feature_alpha_dropout`): `alphaDropout` with one draw per channel of
/// [N, C, ...] (at least 2-D in training).
public func featureAlphaDropout(
    _ x: Tensor, p: Double = 0.5, training: Bool = false, inplace: Bool = false, generator: Generator = .default,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    alphaDropout(x, p, training, inplace, feature: true, generator, file, line)
}

/// PyTorch's `_dropout_impl` with alpha: noise m ~ Bernoulli(1 − p), a = 1/√((α²p + 1)(1 − p)),
/// b = (m − 1)·α·a + α·a·p, out = x·(m·a) + b, computed in that order.
private func alphaDropout(
    _ x: Tensor, _ p: Double, _ training: Bool, _ inplace: Bool, feature: Bool, _ generator: Generator,
    _ file: StaticString, _ line: UInt
) -> Tensor {
    let op = feature ? "feature_alpha_dropout" : "alpha_dropout"
    if p < 0 || p > 1 || p.isNaN {
        torchFail(op, "dropout probability has to be between 0 and 1, but got \(p)", file: file, line: line)
    }
    if p == 0 || !training || x.count == 0 { return x }
    if p == 1 {
        return inplace ? x.mul_(Tensor.scalar(0.0, dtype: x.dtype)) : x * Tensor.scalar(0.0, dtype: x.dtype)
    }
    if feature && x.rank < 2 {
        torchFail(op, "Feature dropout requires at least 2 dimensions in the input", file: file, line: line)
    }
    if !x.dtype.isFloatingPoint {
        torchFail(
            op, "result type Float can't be cast to the desired output type \(x.dtype.pytorchName)",
            file: file, line: line)
    }
    let shape = feature ? Array(x.shape.prefix(2)) + [Int](repeating: 1, count: x.rank - 2) : x.shape
    let alpha = 1.7580993408473766
    let a = 1 / ((alpha * alpha * p + 1) * (1 - p)).squareRoot()
    let (scale, shift) = Torch.noGrad { () -> (Tensor, Tensor) in
        let noise = Tensor.bernoulli(shape, p: 1 - p, dtype: x.dtype, generator: generator).to(device: x.device)
        return (noise * a, (noise - 1.0) * (alpha * a) + alpha * a * p)
    }
    return inplace ? x.mul_(scale, file: file, line: line).add_(shift) : x * scale + shift
}

/// Channel dropout (`F.dropout1d`/`dropout2d`/`dropout3d`): in training, each whole channel of
/// [N, C, spatial...] (or [C, spatial...]) is zeroed with probability `p` and the others scaled by
/// 1/(1 − p), one draw per channel. `spatialDims` is the 1, 2 or 3 of the function's name.
public func channelDropout(
    _ x: Tensor, p: Double = 0.5, training: Bool = true, spatialDims: Int, generator: Generator = .default,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let op = "dropout\(spatialDims)d"
    if p < 0 || p > 1 || p.isNaN {
        torchFail(op, "dropout probability has to be between 0 and 1, but got \(p)", file: file, line: line)
    }
    if x.rank != spatialDims + 1 && x.rank != spatialDims + 2 {
        torchFail(
            op,
            "\(op): Expected \(spatialDims + 1)D or \(spatialDims + 2)D input, but received a \(x.rank)D input",
            file: file, line: line)
    }
    if !training || p == 0 { return x }
    if p == 1 { return x * Tensor.scalar(0.0, dtype: x.dtype) }
    let channels = Array(x.shape.prefix(x.rank - spatialDims))
    let mask = Tensor.bernoulli(channels, p: 1 - p, dtype: x.dtype, generator: generator)
    return x * (mask / (1 - p)).reshape(channels + Array(repeating: 1, count: spatialDims))
}
