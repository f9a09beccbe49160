import Torch
import TorchBase

/// Layer normalisation over the trailing `normalizedShape` dimensions, with affine weight and bias.
public final class LayerNorm: Module {
    /// The trailing shape normalised over.
    public let normalizedShape: [Int]
    /// Added to the variance.
    public let eps: Double
    /// The elementwise scale (ones) and shift (zeros).
    public var weight: Tensor { tensor("weight") }
    /// The shift (through its parametrizations, if any).
    public var bias: Tensor { tensor("bias") }

    /// Layer normalisation over the last `normalizedShape.count` dimensions. `LayerNorm([512])`
    public init(_ normalizedShape: [Int], eps: Double = 1e-5) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        let weight = Tensor.ones(normalizedShape)
        let bias = Tensor.zeros(normalizedShape)
        super.init()
        registerParameter("weight", weight)
        registerParameter("bias", bias)
    }

    public override var extraRepr: String {
        "\(reprTuple(normalizedShape)), eps=\(eps), elementwise_affine=True, bias=True"
    }
    /// `(x - mean) / sqrt(var + eps) · weight + bias` over the normalised dimensions.
    public override func forward(_ x: Tensor) -> Tensor {
        layerNorm(x, normalizedShape, weight: weight, bias: bias, eps: eps)
    }
}

/// Batch normalisation over the channel dimension 1 of [N, C], [N, C, L] or [N, C, H, W] inputs:
/// batch statistics in training (running statistics updated with `momentum`, or a cumulative
/// average when it is nil, with the unbiased variance), running statistics in eval mode. The
/// state dict holds `weight`, `bias`, `running_mean`, `running_var` and `num_batches_tracked`,
/// as PyTorch's.
public class BatchNorm: Module {
    /// The channel count, `eps` and the running statistics' `momentum` (nil: cumulative average).
    public let numFeatures: Int, eps: Double, momentum: Double?
    /// Whether there is a learnable scale and shift, and whether running statistics are kept.
    public let affine: Bool, trackRunningStats: Bool
    /// The learnable scale and shift (nil when not affine).
    public var weight: Tensor? { optionalTensor("weight") }
    /// The shift, or nil without `affine`.
    public var bias: Tensor? { optionalTensor("bias") }
    /// The running statistics (nil when not tracked).
    public let runningMean: Tensor?, runningVar: Tensor?, numBatchesTracked: Tensor?

    /// Batch normalisation over channel dimension 1 of [N, C, ...] inputs.
    ///
    /// ```swift
    /// let bn = BatchNorm(64)
    /// ```
    public init(
        _ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
        trackRunningStats: Bool = true, dtype: DType = .float32
    ) {
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.trackRunningStats = trackRunningStats
        let weight = affine ? Tensor.ones([numFeatures], dtype: dtype) : nil
        let bias = affine ? Tensor.zeros([numFeatures], dtype: dtype) : nil
        runningMean = trackRunningStats ? Tensor.zeros([numFeatures], dtype: dtype) : nil
        runningVar = trackRunningStats ? Tensor.ones([numFeatures], dtype: dtype) : nil
        numBatchesTracked = trackRunningStats ? Tensor.zeros([], dtype: .int64) : nil
        super.init()
        if let weight, let bias {
            registerParameter("weight", weight)
            registerParameter("bias", bias)
        }
        if let runningMean, let runningVar, let numBatchesTracked {
            registerBuffer("running_mean", runningMean)
            registerBuffer("running_var", runningVar)
            registerBuffer("num_batches_tracked", numBatchesTracked)
        }
    }

    public override var extraRepr: String {
        let m = momentum.map { "\($0)" } ?? "None"
        return "\(numFeatures), eps=\(eps), momentum=\(m), affine=\(reprBool(affine)), bias=\(reprBool(affine)), "
            + "track_running_stats=\(reprBool(trackRunningStats))"
    }
    /// Normalises with the batch's statistics in training (updating the running ones), with the running ones in
    /// evaluation.
    /// The input ranks this class takes (PyTorch's `_check_input_dim`); any for plain `BatchNorm`.
    var acceptedRanks: [Int]? { nil }

    public override func forward(_ x: Tensor) -> Tensor {
        if let ranks = acceptedRanks, !ranks.contains(x.rank) {
            let expected = ranks.map { "\($0)D" }.joined(separator: " or ")
            torchFail(
                typeName, "expected \(expected) input (got \(x.rank)D input)", file: #fileID, line: #line)
        }
        if x.rank < 2 || x.shape[1] != numFeatures {
            torchFail(
                "BatchNorm", "expected input with \(numFeatures) channels in dimension 1, got input of size \(x.shape)",
                file: #fileID, line: #line)
        }
        if training && x.count / numFeatures <= 1 {
            torchFail(
                "BatchNorm", "Expected more than 1 value per channel when training, got input size \(x.shape)",
                file: #fileID, line: #line)
        }
        // The cumulative average (momentum nil) weighs batch k by 1/k.
        var m = momentum ?? 0
        if training, let numBatchesTracked {
            Torch.noGrad { _ = numBatchesTracked.add_(Tensor.scalar(1, dtype: .int64)) }
            if momentum == nil { m = 1 / Double(numBatchesTracked.item(Int64.self)) }
        }
        return batchNorm(
            x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
            training: training, momentum: m, eps: eps)
    }
}

/// Batch norm of [N, C] or [N, C, L] inputs (`torch.nn.BatchNorm1d`).
///
/// ```swift
/// let bn = BatchNorm1d(64)
/// ```
public final class BatchNorm1d: BatchNorm {
    override var acceptedRanks: [Int]? { [2, 3] }
}

/// Batch norm of [N, C, H, W] inputs (`torch.nn.BatchNorm2d`).
///
/// ```swift
/// let bn = BatchNorm2d(64)
/// ```
public final class BatchNorm2d: BatchNorm {
    override var acceptedRanks: [Int]? { [4] }
}

/// Batch norm of [N, C, D, H, W] inputs (`torch.nn.BatchNorm3d`).
///
/// ```swift
/// let bn = BatchNorm3d(16)
/// ```
public final class BatchNorm3d: BatchNorm {
    override var acceptedRanks: [Int]? { [5] }
}

/// Group normalisation: channels split into `numGroups`, normalised over each group and the
/// spatial dimensions, then an affine per channel.
public final class GroupNorm: Module {
    /// The number of groups, of channels (a multiple of it), and `eps`.
    public let numGroups: Int, numChannels: Int, eps: Double
    /// The per-channel scale and shift.
    public var weight: Tensor { tensor("weight") }
    /// The shift (through its parametrizations, if any).
    public var bias: Tensor { tensor("bias") }
    /// Group normalisation of `numChannels` channels in `numGroups` groups. `GroupNorm(8, 64)`
    public init(_ numGroups: Int, _ numChannels: Int, eps: Double = 1e-5) {
        precondition(numChannels % numGroups == 0, "GroupNorm: num_channels must be divisible by num_groups")
        self.numGroups = numGroups; self.numChannels = numChannels; self.eps = eps
        let weight = Tensor.ones([numChannels]), bias = Tensor.zeros([numChannels])
        super.init()
        registerParameter("weight", weight)
        registerParameter("bias", bias)
    }
    public override var extraRepr: String { "\(numGroups), \(numChannels), eps=\(eps), affine=True" }
    /// Normalises each group of channels of each sample, then scales and shifts per channel.
    public override func forward(_ x: Tensor) -> Tensor {
        groupNorm(x, numGroups, weight: weight, bias: bias, eps: eps)
    }
}

/// RMS normalisation over the trailing `normalizedShape` dimensions with a learned scale.
public final class RMSNorm: Module {
    /// The trailing shape normalised over and `eps` (nil: the dtype's machine epsilon).
    public let normalizedShape: [Int], eps: Double?
    /// The elementwise scale.
    public var weight: Tensor { tensor("weight") }
    /// RMS normalisation over the last dimensions. `RMSNorm([512])`
    public init(_ normalizedShape: [Int], eps: Double? = nil) {
        self.normalizedShape = normalizedShape; self.eps = eps
        let weight = Tensor.ones(normalizedShape)
        super.init()
        registerParameter("weight", weight)
    }
    /// `x / sqrt(mean(x²) + eps) · weight`.
    public override func forward(_ x: Tensor) -> Tensor {
        rmsNorm(x, normalizedShape, weight: weight, eps: eps)
    }
}

/// Normalises each (sample, channel) over its spatial elements (`instance_norm` with the input's
/// own statistics), then scales and shifts by per-channel `weight` and `bias` when given.
///
/// ```swift
/// let y = instanceNorm(x)   // x: [N, C, H, W]
/// ```
public func instanceNorm(
    _ x: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let spatialCount = x.rank < 2 ? 1 : x.shape[2...].reduce(1, *)
    if spatialCount <= 1 {
        torchFail(
            "instance_norm",
            "Expected more than 1 spatial element when training, got input size torch.Size(\(x.shape))", file: file,
            line: line)
    }
    x.requireKernel("instance_norm", "batch_norm", .floating, file: file, line: line)
    // As PyTorch's batch norm over [1, N·C, spatial…]: biased variance, then y = x·α + β with
    // α = weight / sqrt(var + eps) and β = bias - mean·α (so an infinite weight gives its NaNs).
    let compute = x.dtype == .float16 || x.dtype == .bfloat16 ? x.to(.float32) : x
    let dims = Array(2..<x.rank)
    let mean = compute.mean(dims: dims, keepdim: true)
    let centered = compute - mean
    let variance = (centered * centered).mean(dims: dims, keepdim: true)
    let shape = [x.shape[1]] + Array(repeating: 1, count: x.rank - 2)
    var alpha = (variance + eps).rsqrt()
    if let weight { alpha = alpha * weight.to(compute.dtype).reshape(shape) }
    var beta = -(mean * alpha)
    if let bias { beta = beta + bias.to(compute.dtype).reshape(shape) }
    let y = compute * alpha + beta
    return y.dtype == x.dtype ? y : y.to(x.dtype)
}

/// Instance normalisation for [N, C, L] or [C, L] (`spatialDims` 1), [N, C, H, W] or [C, H, W] (2),
/// [N, C, D, H, W] or [C, D, H, W] (3), with a learnable per-channel affine when `affine`
/// (`InstanceNorm1d/2d/3d`; running statistics are not kept).
public class InstanceNorm: Module {
    public let numFeatures: Int, spatialDims: Int, eps: Double
    public var weight: Tensor? { optionalTensor("weight") }
    /// The shift, or nil without `affine`.
    public var bias: Tensor? { optionalTensor("bias") }
    public init(_ numFeatures: Int, spatialDims: Int, eps: Double = 1e-5, affine: Bool = false, dtype: DType? = nil) {
        (self.numFeatures, self.spatialDims, self.eps) = (numFeatures, spatialDims, eps)
        let dt = dtype ?? Torch.defaultDType
        let weight = affine ? Tensor.ones([numFeatures], dtype: dt).requiresGrad_() : nil
        let bias = affine ? Tensor.zeros([numFeatures], dtype: dt).requiresGrad_() : nil
        super.init()
        if let weight, let bias {
            registerParameter("weight", weight)
            registerParameter("bias", bias)
        }
    }
    public override func forward(_ x: Tensor) -> Tensor {
        let batched = spatialDims + 2, unbatched = spatialDims + 1
        if x.rank != batched && x.rank != unbatched {
            torchFail(
                "InstanceNorm\(spatialDims)d", "expected \(unbatched)D or \(batched)D input (got \(x.rank)D input)",
                file: #fileID, line: #line)
        }
        let input = x.rank == unbatched ? x.unsqueeze(0) : x
        let y = instanceNorm(input, weight: weight, bias: bias, eps: eps)
        return x.rank == unbatched ? y.squeeze(0) : y
    }
}

/// `InstanceNorm1d(16, affine: true)`
public final class InstanceNorm1d: InstanceNorm {
    public init(_ numFeatures: Int, eps: Double = 1e-5, affine: Bool = false, dtype: DType? = nil) {
        super.init(numFeatures, spatialDims: 1, eps: eps, affine: affine, dtype: dtype)
    }
}
/// `InstanceNorm2d(16)`
public final class InstanceNorm2d: InstanceNorm {
    public init(_ numFeatures: Int, eps: Double = 1e-5, affine: Bool = false, dtype: DType? = nil) {
        super.init(numFeatures, spatialDims: 2, eps: eps, affine: affine, dtype: dtype)
    }
}
/// `InstanceNorm3d(8)`
public final class InstanceNorm3d: InstanceNorm {
    public init(_ numFeatures: Int, eps: Double = 1e-5, affine: Bool = false, dtype: DType? = nil) {
        super.init(numFeatures, spatialDims: 3, eps: eps, affine: affine, dtype: dtype)
    }
}
