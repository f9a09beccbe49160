import Torch
import TorchBase

// Channel-wise layers and sequence padding of torch.nn (#16): channel_shuffle,
// local_response_norm, lp_pool1d/2d and nn.utils.rnn.pad_sequence, each composed from
// differentiable ops as PyTorch's functional forms are.

/// Interleaves the channels of [N, C, *] from `groups` groups (`torch.nn.functional.channel_shuffle`):
/// [N, g, C/g, *] transposed to [N, C/g, g, *].
///
/// ```swift
/// channelShuffle(Tensor.arange(0, 4).reshape([1, 4, 1]), groups: 2)   // channels 0, 2, 1, 3
/// ```
public func channelShuffle(_ x: Tensor, groups: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if x.rank <= 2 {
        torchFail(
            "channel_shuffle", "channel_shuffle expects input with > 2 dims, but got input with sizes \(x.shape)",
            file: file, line: line)
    }
    if groups <= 0 {
        torchFail(
            "channel_shuffle", "Number of groups to divide channels in must be positive. Value of groups:\(groups)",
            file: file, line: line)
    }
    let c = x.shape[1]
    if c % groups != 0 {
        torchFail(
            "channel_shuffle",
            "Number of channels must be divisible by groups. Got \(c) channels and \(groups) groups.",
            file: file, line: line)
    }
    let rest = Array(x.shape.dropFirst(2))
    return x.reshape([x.shape[0], groups, c / groups] + rest).transpose(1, 2).reshape(x.shape)
}

/// Normalises each element by the energy of its `size` neighbouring channels
/// (`torch.nn.functional.local_response_norm`): x / (k + α/size · Σ x²)^β over channels
/// [c − ⌊size/2⌋, c + ⌊(size − 1)/2⌋], zero outside.
///
/// ```swift
/// localResponseNorm(Tensor.randn([2, 8, 5, 5]), size: 3)
/// ```
public func localResponseNorm(
    _ x: Tensor, size: Int, alpha: Double = 1e-4, beta: Double = 0.75, k: Double = 1,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if x.rank < 3 {
        torchFail(
            "local_response_norm",
            "Expected 3D or higher dimensionality                          input (got \(x.rank) dimensions)",
            file: file, line: line)
    }
    if x.count == 0 { return x }
    let c = x.shape[1]
    let square = x * x
    var padShape = x.shape
    padShape[1] = size / 2
    var after = x.shape
    after[1] = (size - 1) / 2
    let padded = Tensor.cat(
        [
            Tensor.zeros(padShape, dtype: x.dtype, device: x.device), square,
            Tensor.zeros(after, dtype: x.dtype, device: x.device),
        ], dim: 1)
    var window = padded.narrow(1, start: 0, length: c)
    for j in 1..<Swift.max(size, 1) { window = window + padded.narrow(1, start: j, length: c) }
    let div = (window / Double(size) * alpha + k).pow(beta)
    return x / div
}

/// The power-average pooling (Σ x^p)^(1/p) over 1-D windows of [N, C, L]
/// (`torch.nn.functional.lp_pool1d`; `stride` defaults to the window).
///
/// ```swift
/// lpPool1d(Tensor.rand([1, 2, 8]), normType: 2, kernelSize: 2)   // [1, 2, 4]
/// ```
public func lpPool1d(
    _ x: Tensor, normType: Double, kernelSize: Int, stride: Int? = nil, ceilMode: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let out = avgPool1d(
        x.pow(normType), kernel: SizeSpec(kernelSize), stride: stride.map { SizeSpec($0) }, ceilMode: ceilMode,
        file: file, line: line)
    return lpFinish(out, normType: normType, window: kernelSize)
}

/// The power-average pooling (Σ x^p)^(1/p) over 2-D windows of [N, C, H, W]
/// (`torch.nn.functional.lp_pool2d`; `stride` defaults to the window).
///
/// ```swift
/// lpPool2d(Tensor.rand([1, 2, 4, 4]), normType: 2, kernelSize: 2)   // [1, 2, 2, 2]
/// ```
public func lpPool2d(
    _ x: Tensor, normType: Double, kernelSize: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    ceilMode: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let k = kernelSize.expand(2, "kernel_size", "lp_pool2d", file: file, line: line)
    let out = avgPool2d(x.pow(normType), kernel: kernelSize, stride: stride, ceilMode: ceilMode, file: file, line: line)
    return lpFinish(out, normType: normType, window: k[0] * k[1])
}

/// sign(m)·relu(|m|)·window, to the power 1/p (PyTorch's formula, which keeps negative means'
/// sign for odd p).
private func lpFinish(_ mean: Tensor, normType: Double, window: Int) -> Tensor {
    (mean.sign() * mean.abs().relu() * Double(window)).pow(1 / normType)
}

/// Stacks sequences of different lengths [Lᵢ, *] into one tensor padded with `paddingValue`:
/// [maxL, B, *], or [B, maxL, *] with `batchFirst` (`torch.nn.utils.rnn.pad_sequence`);
/// `paddingSide: .left` pads before each sequence.
///
/// ```swift
/// padSequence([Tensor([1.0, 2.0]), Tensor([3.0])], batchFirst: true)   // [[1, 2], [3, 0]]
/// ```
public func padSequence(
    _ sequences: [Tensor], batchFirst: Bool = false, paddingValue: Double = 0, paddingSide: PaddingSide = .right,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    guard !sequences.isEmpty else {
        torchFail("pad_sequence", "received an empty list of sequences", file: file, line: line)
    }
    let maxLen = sequences.map { $0.rank == 0 ? 1 : $0.shape[0] }.max() ?? 0
    let padded = sequences.map { s -> Tensor in
        let n = s.shape[0]
        if n == maxLen { return s }
        var fill = s.shape
        fill[0] = maxLen - n
        let pad = Tensor.full(fill, paddingValue, dtype: s.dtype, device: s.device)
        return Tensor.cat(paddingSide == .right ? [s, pad] : [pad, s], dim: 0, file: file, line: line)
    }
    return Tensor.stack(padded, dim: batchFirst ? 0 : 1, file: file, line: line)
}

/// Where `padSequence` pads (`padding_side`).
public enum PaddingSide: String, Sendable { case left, right }

/// `channelShuffle` as a module (`torch.nn.ChannelShuffle`). `ChannelShuffle(2)(x)`
public final class ChannelShuffle: Module {
    public let groups: Int
    /// Shuffles channels from `groups` groups.
    public init(_ groups: Int) {
        self.groups = groups
        super.init()
    }
    /// `channelShuffle(x, groups:)`.
    public override func forward(_ x: Tensor) -> Tensor { channelShuffle(x, groups: groups) }
}

/// `localResponseNorm` as a module (`torch.nn.LocalResponseNorm`). `LocalResponseNorm(5)(x)`
public final class LocalResponseNorm: Module {
    public let size: Int, alpha: Double, beta: Double, k: Double
    /// Normalisation over `size` neighbouring channels.
    public init(_ size: Int, alpha: Double = 1e-4, beta: Double = 0.75, k: Double = 1) {
        (self.size, self.alpha, self.beta, self.k) = (size, alpha, beta, k)
        super.init()
    }
    /// `localResponseNorm(x, ...)`.
    public override func forward(_ x: Tensor) -> Tensor {
        localResponseNorm(x, size: size, alpha: alpha, beta: beta, k: k)
    }
}

/// `lpPool1d` as a module (`torch.nn.LPPool1d`). `LPPool1d(2, kernelSize: 3)(x)`
public final class LPPool1d: Module {
    public let normType: Double, kernelSize: Int, stride: Int?, ceilMode: Bool
    /// Power-average pooling over windows of `kernelSize`.
    public init(_ normType: Double, kernelSize: Int, stride: Int? = nil, ceilMode: Bool = false) {
        (self.normType, self.kernelSize, self.stride, self.ceilMode) = (normType, kernelSize, stride, ceilMode)
        super.init()
    }
    /// `lpPool1d(x, ...)`.
    public override func forward(_ x: Tensor) -> Tensor {
        lpPool1d(x, normType: normType, kernelSize: kernelSize, stride: stride, ceilMode: ceilMode)
    }
}

/// `lpPool2d` as a module (`torch.nn.LPPool2d`). `LPPool2d(2, kernelSize: 2)(x)`
public final class LPPool2d: Module {
    public let normType: Double, kernelSize: SizeSpec, stride: SizeSpec?, ceilMode: Bool
    /// Power-average pooling over windows of `kernelSize`.
    public init(
        _ normType: Double, kernelSize: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
        ceilMode: Bool = false
    ) {
        (self.normType, self.kernelSize, self.stride, self.ceilMode) = (
            normType, kernelSize.sizeSpec, stride?.sizeSpec, ceilMode
        )
        super.init()
    }
    /// `lpPool2d(x, ...)`.
    public override func forward(_ x: Tensor) -> Tensor {
        lpPool2d(x, normType: normType, kernelSize: kernelSize, stride: stride, ceilMode: ceilMode)
    }
}
