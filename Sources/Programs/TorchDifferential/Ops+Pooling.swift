import Torch
import TorchNN

/// Pooling with indices, unpooling, `divisorOverride` and 3-D pooling (#16).
let poolingOps: [String: DiffOp] = [
    "fractional_max_pool2d": { xs, c in
        let (y, i) = fractionalMaxPool2dWithIndices(
            xs[0], kernelSize: c.ints("k"), outputSize: c.intsOrNil("out"), outputRatio: c.doublesOrNil("ratio"),
            randomSamples: xs[1])
        return [y, i]
    },
    "interpolate_cubic_area": interpolateOp,
    "interpolate_antialias": interpolateOp,
    "max_pool1d_with_indices": { xs, c in
        let (y, i) = maxPool1dWithIndices(
            xs[0], kernel: c.int("k"), stride: c.intOrNil("s"), padding: c.int("p"), dilation: c.int("d"),
            ceilMode: c.bool("ceil"))
        return [y, i]
    },
    "max_pool2d_with_indices": { xs, c in
        let (y, i) = maxPool2dWithIndices(
            xs[0], kernel: c.int("k"), stride: c.intOrNil("s"), padding: c.int("p"), dilation: c.int("d"),
            ceilMode: c.bool("ceil"))
        return [y, i]
    },
    "max_unpool1d": { xs, c in
        [
            maxUnpool1d(
                xs[0], xs[1], kernel: c.int("k"), stride: c.intOrNil("s"), padding: c.int("p"),
                outputSize: c.intsOrNil("out"))
        ]
    },
    "max_unpool2d": { xs, c in
        [
            maxUnpool2d(
                xs[0], xs[1], kernel: c.int("k"), stride: c.intOrNil("s"), padding: c.int("p"),
                outputSize: c.intsOrNil("out"))
        ]
    },
    "avg_pool2d_divisor": { xs, c in
        [
            avgPool2d(
                xs[0], kernel: c.int("k"), stride: c.intOrNil("s"), padding: c.int("p"), ceilMode: c.bool("ceil"),
                countIncludePad: c.bool("cip"), divisorOverride: c.intOrNil("div"))
        ]
    },
    "max_pool3d": { xs, c in
        [maxPool3d(xs[0], kernel: c.int("k"), stride: c.intOrNil("s"), padding: c.int("p"), ceilMode: c.bool("ceil"))]
    },
    "avg_pool3d": { xs, c in
        [
            avgPool3d(
                xs[0], kernel: c.int("k"), stride: c.intOrNil("s"), padding: c.int("p"), ceilMode: c.bool("ceil"),
                countIncludePad: c.bool("cip"), divisorOverride: c.intOrNil("div"))
        ]
    },
]

/// The remaining losses (#16).
let moreLossOps: [String: DiffOp] = [
    "soft_margin_loss": { xs, c in [softMarginLoss(xs[0], xs[1], reduction: Reduction(rawValue: c.string("red"))!)] },
    "multilabel_soft_margin_loss": { xs, c in
        [
            multiLabelSoftMarginLoss(
                xs[0], xs[1], weight: xs.count > 2 ? xs[2] : nil, reduction: Reduction(rawValue: c.string("red"))!)
        ]
    },
    "multi_margin_loss": { xs, c in
        [
            multiMarginLoss(
                xs[0], xs[1], p: c.int("p"), margin: c.double("margin"), weight: xs.count > 2 ? xs[2] : nil,
                reduction: Reduction(rawValue: c.string("red"))!)
        ]
    },
    "poisson_nll_loss": { xs, c in
        [
            poissonNllLoss(
                xs[0], xs[1], logInput: c.bool("log"), full: c.bool("full"),
                reduction: Reduction(rawValue: c.string("red"))!)
        ]
    },
    "triplet_margin_loss": { xs, c in
        [
            tripletMarginLoss(
                xs[0], xs[1], xs[2], margin: c.double("margin"), p: c.double("p"), swap: c.bool("swap"),
                reduction: Reduction(rawValue: c.string("red"))!)
        ]
    },
    "hinge_embedding_loss": { xs, c in
        [
            hingeEmbeddingLoss(
                xs[0], xs[1], margin: c.double("margin"), reduction: Reduction(rawValue: c.string("red"))!)
        ]
    },
    "gaussian_nll_loss": { xs, c in
        [
            gaussianNllLoss(
                xs[0], xs[1], xs[2], full: c.bool("full"), eps: c.double("eps"),
                reduction: Reduction(rawValue: c.string("red"))!)
        ]
    },
    "ctc_loss": { xs, c in
        [
            ctcLoss(
                xs[0].logSoftmax(dim: 2), xs[1], inputLengths: c.ints("in"), targetLengths: c.ints("tl"),
                reduction: Reduction(rawValue: c.string("red"))!, zeroInfinity: c.bool("zero"))
        ]
    },
]
