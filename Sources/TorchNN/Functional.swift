import Torch
import TorchBase

// Functional forms of activations and losses, built from differentiable primitives.

public func relu(_ x: Tensor) -> Tensor { x.relu() }

/// `log(softmax(x))` along `dim`, computed stably.
public func logSoftmax(_ x: Tensor, dim: Int) -> Tensor { x.logSoftmax(dim: dim) }

public func softmax(_ x: Tensor, dim: Int) -> Tensor { x.softmax(dim: dim) }

/// How a loss reduces over the batch.
public enum Reduction: String, Sendable { case none, mean, sum }

func reduce(_ t: Tensor, _ r: Reduction) -> Tensor {
    switch r {
    case .none: return t
    case .mean: return t.mean()
    case .sum: return t.sum()
    }
}

/// Negative log likelihood of `target` class indices under log-probabilities `input` [N, C].
public func nllLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean,
                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if input.rank != 2 || target.rank != 1 || target.shape[0] != input.shape[0] {
        torchFail("nllLoss", "expected input [N, C] and target [N], got \(input.shape) and \(target.shape)", file: file, line: line)
    }
    let picked = input.gather(1, target.unsqueeze(1), file: file, line: line).squeeze(1)
    return reduce(-picked, reduction)
}

/// Cross entropy between logits [N, C] and class indices [N] (PyTorch's default use).
///
/// ```swift
/// let loss = crossEntropy(model(x), labels)
/// ```
public func crossEntropy(_ logits: Tensor, _ target: Tensor, reduction: Reduction = .mean,
                         file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    nllLoss(logSoftmax(logits, dim: 1), target, reduction: reduction, file: file, line: line)
}

public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    let d = input - target
    return reduce(d * d, reduction)
}

/// 2-D convolution of `x` [N, C, H, W] with `weight` [O, C, kh, kw] (im2col through `unfold`
/// views and one matrix multiply, so autograd differentiates it with no extra code).
public func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                   file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if x.rank != 4 || weight.rank != 4 || x.shape[1] != weight.shape[1] {
        torchFail("conv2d", "expected input [N, C, H, W] and weight [O, C, kh, kw] with matching C, got \(x.shape) and \(weight.shape)", file: file, line: line)
    }
    let (n, o, kh, kw) = (x.shape[0], weight.shape[0], weight.shape[2], weight.shape[3])
    let xp = padding > 0 ? x.pad([padding, padding, padding, padding]) : x
    let oh = (xp.shape[2] - kh) / stride + 1, ow = (xp.shape[3] - kw) / stride + 1
    let cols = xp.im2col(kh: kh, kw: kw, stride: stride)   // [N*OH*OW, C*kh*kw]
    var out = cols.matmul(weight.reshape([o, -1]).t())
    if let bias { out = out + bias }
    return out.reshape([n, oh, ow, o]).permute([0, 3, 1, 2])
}

/// Max over `kernel`×`kernel` windows with the given stride (default: the kernel size).
/// Computed as the element-wise maximum of the kernel×kernel strided views (one fast kernel per
/// offset instead of a windowed reduction).
public func maxPool2d(_ x: Tensor, kernel: Int, stride: Int? = nil) -> Tensor {
    let views = windowViews(x, kernel: kernel, stride: stride ?? kernel)
    return views.dropFirst().reduce(views[0]) { $0.maximum($1) }.contiguous()
}

/// The kernel×kernel offset views of a [N, C, H, W] input (see `Tensor.windowOffsetView`).
func windowViews(_ x: Tensor, kernel: Int, stride s: Int) -> [Tensor] {
    let oh = (x.shape[2] - kernel) / s + 1, ow = (x.shape[3] - kernel) / s + 1
    return (0..<(kernel * kernel)).map { x.windowOffsetView($0 / kernel, $0 % kernel, stride: s, outH: oh, outW: ow) }
}

/// Zeroes elements with probability `p` in training and rescales the rest by 1/(1-p).
public func dropout(_ x: Tensor, p: Double, training: Bool, generator: Generator = .default) -> Tensor {
    if !training || p == 0 { return x }
    let keep = Tensor.bernoulli(x.shape, p: 1 - p, dtype: x.dtype, generator: generator)
    return x * keep / (1 - p)
}
