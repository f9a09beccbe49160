import Torch
import TorchBase

// Channel/space rearrangements, similarity and distance measures, and one-hot encoding
// (torch.nn.functional's pixel_shuffle, pixel_unshuffle, cosine_similarity, pairwise_distance,
// normalize, one_hot).

/// [*, C·r², H, W] → [*, C, H·r, W·r] (`pixel_shuffle`).
///
/// ```swift
/// pixelShuffle(Tensor.zeros([1, 8, 3, 3]), 2).shape   // [1, 2, 6, 6]
/// ```
public func pixelShuffle(_ x: Tensor, _ upscaleFactor: Int, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
{
    let r = upscaleFactor
    if x.rank < 3 {
        torchFail(
            "pixel_shuffle",
            "pixel_shuffle expects input to have at least 3 dimensions, but got input with \(x.rank) dimension(s)",
            file: file, line: line)
    }
    if r <= 0 {
        torchFail(
            "pixel_shuffle", "pixel_shuffle expects a positive upscale_factor, but got \(r)", file: file, line: line)
    }
    let lead = Array(x.shape.dropLast(3)), (c, h, w) = (x.shape[x.rank - 3], x.shape[x.rank - 2], x.shape.last!)
    if c % (r * r) != 0 {
        torchFail(
            "pixel_shuffle",
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
                + "but input.size(-3)=\(c) is not divisible by \(r * r)", file: file, line: line)
    }
    let k = lead.count, oc = c / (r * r)
    let split = x.reshape(lead + [oc, r, r, h, w])
    let order = Array(0..<k) + [k, k + 3, k + 1, k + 4, k + 2]
    return split.permute(order).reshape(lead + [oc, h * r, w * r])
}

/// [*, C, H·r, W·r] → [*, C·r², H, W], the inverse of `pixelShuffle` (`pixel_unshuffle`).
///
/// ```swift
/// pixelUnshuffle(Tensor.zeros([1, 2, 6, 6]), 2).shape   // [1, 8, 3, 3]
/// ```
public func pixelUnshuffle(_ x: Tensor, _ downscaleFactor: Int, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
{
    let r = downscaleFactor
    if x.rank < 3 {
        torchFail(
            "pixel_unshuffle",
            "pixel_unshuffle expects input to have at least 3 dimensions, but got input with \(x.rank) dimension(s)",
            file: file, line: line)
    }
    if r <= 0 {
        torchFail(
            "pixel_unshuffle", "pixel_unshuffle expects a positive downscale_factor, but got \(r)", file: file,
            line: line)
    }
    let lead = Array(x.shape.dropLast(3)), (c, h, w) = (x.shape[x.rank - 3], x.shape[x.rank - 2], x.shape.last!)
    if h % r != 0 {
        torchFail(
            "pixel_unshuffle",
            "pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=\(h) is not "
                + "divisible by \(r)", file: file, line: line)
    }
    if w % r != 0 {
        torchFail(
            "pixel_unshuffle",
            "pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=\(w) is not "
                + "divisible by \(r)", file: file, line: line)
    }
    let k = lead.count
    let split = x.reshape(lead + [c, h / r, r, w / r, r])
    let order = Array(0..<k) + [k, k + 2, k + 4, k + 1, k + 3]
    return split.permute(order).reshape(lead + [c * r * r, h / r, w / r])
}

/// The 2-norm along `dims` kept as a dim, clamped below at `eps` in value only (the gradient is
/// the norm's, as PyTorch's in-place clamp under no_grad).
private func clampedNorm(_ x: Tensor, dim: Int, eps: Double, p: Double = 2) -> Tensor {
    let n = Linalg.vectorNorm(x, ord: p, dims: [dim], keepdim: true)
    // Below eps: eps in value, the norm's gradient; above (inf included) the norm itself.
    return Tensor.where(n .< eps, n + Torch.noGrad { eps - n }, n)
}

/// Cosine similarity along `dim`: ⟨x1/max(‖x1‖, eps), x2/max(‖x2‖, eps)⟩ (`cosine_similarity`).
///
/// ```swift
/// cosineSimilarity(Tensor([[1.0, 0.0]]), Tensor([[1.0, 1.0]]))   // [0.7071]
/// ```
public func cosineSimilarity(
    _ x1: Tensor, _ x2: Tensor, dim: Int = 1, eps: Double = 1e-8, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let common = promoteTypes(x1.dtype, x2.dtype)
    if !common.isFloatingPoint {
        torchFail(
            "cosine_similarity",
            "expected common dtype to be floating point, yet common dtype is \(common.pytorchName)", file: file,
            line: line)
    }
    let a = x1.dtype.isFloatingPoint ? x1 : x1.to(common), b = x2.dtype.isFloatingPoint ? x2 : x2.to(common)
    let shape = Checks.broadcastShapes(a.shape, b.shape).unwrap("cosine_similarity", file: file, line: line)
    let ea = a.expand(shape), eb = b.expand(shape)
    return ((ea / clampedNorm(ea, dim: dim, eps: eps)) * (eb / clampedNorm(eb, dim: dim, eps: eps))).sum(
        dim: dim, file: file, line: line)
}

/// The p-norm of `x1 - x2 + eps` along the last dim (`pairwise_distance`).
///
/// ```swift
/// pairwiseDistance(Tensor([[0.0, 0.0]]), Tensor([[3.0, 4.0]]))   // [5.0]
/// ```
public func pairwiseDistance(
    _ x1: Tensor, _ x2: Tensor, p: Double = 2, eps: Double = 1e-6, keepdim: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let d = x1 - x2 + eps
    if d.rank == 0 { return Linalg.vectorNorm(d, ord: p, file: file, line: line) }
    return Linalg.vectorNorm(d, ord: p, dims: [-1], keepdim: keepdim, file: file, line: line)
}

/// `x / max(‖x‖_p, eps)` along `dim` (`normalize`).
///
/// ```swift
/// normalize(Tensor([[3.0, 4.0]]))   // [[0.6, 0.8]]
/// ```
public func normalize(
    _ x: Tensor, p: Double = 2, dim: Int = 1, eps: Double = 1e-12, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let n = Linalg.vectorNorm(x, ord: p, dims: [dim], keepdim: true, file: file, line: line)
    return x / n.clamp(min: eps)
}

/// One-hot int64 rows of the class indices in `x` (`one_hot`); `numClasses` -1 means max + 1.
///
/// ```swift
/// oneHot(Tensor([0, 2]), numClasses: 3)   // [[1, 0, 0], [0, 0, 1]]
/// ```
public func oneHot(_ x: Tensor, numClasses: Int = -1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if x.dtype != .int64 {
        torchFail("one_hot", "one_hot is only applicable to index tensor of type LongTensor.", file: file, line: line)
    }
    var k = numClasses
    if x.numel == 0 {
        if k == -1 {
            torchFail("one_hot", "Can not infer total number of classes from empty tensor.", file: file, line: line)
        }
        return Tensor.zeros(x.shape + [k], dtype: .int64)
    }
    if x.amin().item(Int.self) < 0 {
        torchFail("one_hot", "Class values must be non-negative.", file: file, line: line)
    }
    let top = x.amax().item(Int.self)
    if k == -1 {
        k = top + 1
    } else if top >= k {
        torchFail("one_hot", "Class values must be smaller than num_classes.", file: file, line: line)
    }
    let classes = Tensor.arange(0, k).to(device: x.device)
    return (x.unsqueeze(-1) .== classes).to(.int64)
}

/// `PixelShuffle(2)`
public final class PixelShuffle: Module {
    public let upscaleFactor: Int
    public init(_ upscaleFactor: Int) { self.upscaleFactor = upscaleFactor; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { pixelShuffle(x, upscaleFactor) }
}

/// `PixelUnshuffle(2)`
public final class PixelUnshuffle: Module {
    public let downscaleFactor: Int
    public init(_ downscaleFactor: Int) { self.downscaleFactor = downscaleFactor; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { pixelUnshuffle(x, downscaleFactor) }
}

/// `CosineSimilarity(dim: 1)(a, b)`
public final class CosineSimilarity: Module {
    public let dim: Int, eps: Double
    public init(dim: Int = 1, eps: Double = 1e-8) { (self.dim, self.eps) = (dim, eps); super.init() }
    public func callAsFunction(_ x1: Tensor, _ x2: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        cosineSimilarity(x1, x2, dim: dim, eps: eps, file: file, line: line)
    }
}

/// `PairwiseDistance(p: 2)(a, b)`
public final class PairwiseDistance: Module {
    public let p: Double, eps: Double, keepdim: Bool
    public init(p: Double = 2, eps: Double = 1e-6, keepdim: Bool = false) {
        (self.p, self.eps, self.keepdim) = (p, eps, keepdim)
        super.init()
    }
    public func callAsFunction(_ x1: Tensor, _ x2: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        pairwiseDistance(x1, x2, p: p, eps: eps, keepdim: keepdim, file: file, line: line)
    }
}
