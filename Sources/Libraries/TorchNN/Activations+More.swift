import Torch
import TorchBase

// The rest of torch.nn.functional's activations, composed from differentiable primitives with
// PyTorch's NaN behaviour and gradients at the kinks (each says which side its boundary takes).

/// SELU: `scale · (max(0, x) + min(0, alpha · (eˣ - 1)))` with PyTorch's constants.
///
/// ```swift
/// selu(Tensor([-1.0, 1.0]))   // [-1.1113, 1.0507]
/// ```
public func selu(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    x.requireKernel("selu", "elu_cpu", .floating, file: file, line: line)
    let alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946
    return elu(x, alpha: alpha, file: file, line: line) * scale
}

/// CELU: `max(0, x) + min(0, alpha · (e^(x/alpha) - 1))`.
///
/// ```swift
/// celu(Tensor([-1.0, 1.0]), alpha: 2)   // [-0.7869, 1]
/// ```
public func celu(_ x: Tensor, alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    x.requireKernel("celu", "elu_cpu", .floating, file: file, line: line)
    if alpha == 0 {
        torchFail("celu", "ZeroDivisionError", file: file, line: line)
    }
    return inAccumulateType(x) { x in
        let negative = Tensor.where(x .> 0, Tensor.zerosLike(x), x)
        return Tensor.where(x .> 0, x, (negative / alpha).expm1() * alpha)
    }
}

/// `min(max(x, 0), 6)` (hardtanh on [0, 6]; integer inputs keep their dtype).
///
/// ```swift
/// relu6(Tensor([-1.0, 3.0, 8.0]))   // [0, 3, 6]
/// ```
public func relu6(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    hardtanh(x, minVal: 0, maxVal: 6, file: file, line: line)
}

/// `x · relu6(x + 3) / 6`; the gradient is 0 up to -3 (included) and 1 from 3, as PyTorch's.
///
/// ```swift
/// hardswish(Tensor([-4.0, 0.0, 1.0]))   // [0, 0, 0.6667]
/// ```
public func hardswish(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    x.requireKernel("hardswish", "hardswish_cpu", .floating, file: file, line: line)
    return inAccumulateType(x) { x in
        // The value as PyTorch's kernel computes it (x · 6 may overflow, -inf · 0 is NaN).
        Torch.customFunction(
            "Hardswish", [x], forward: { _, xs in xs[0] * (xs[0] + 3.0).clamp(min: 0.0, max: 6.0) / 6.0 },
            backward: { _, g in
                let slope = Tensor.where(
                    x .<= -3.0, Tensor.zerosLike(x), Tensor.where(x .< 3.0, x / 3.0 + 0.5, Tensor.onesLike(x)))
                return [g * slope]
            }, file: file, line: line)
    }
}

/// `relu6(x + 3) / 6`; the gradient is 1/6 strictly inside (-3, 3).
///
/// ```swift
/// hardsigmoid(Tensor([-4.0, 0.0, 4.0]))   // [0, 0.5, 1]
/// ```
public func hardsigmoid(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    x.requireKernel("hardsigmoid", "hardsigmoid_cpu", .floating, file: file, line: line)
    return inAccumulateType(x) { x in
        Tensor.where(x .<= -3.0, Tensor.zerosLike(x), Tensor.where(x .>= 3.0, Tensor.onesLike(x), x / 6.0 + 0.5))
    }
}

/// `log σ(x) = min(x, 0) - log1p(e^-|x|)`, stable for large |x|.
///
/// ```swift
/// logsigmoid(Tensor([0.0]))   // [-0.6931]
/// ```
public func logsigmoid(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    x.requireKernel("log_sigmoid", "log_sigmoid_cpu", .floating, file: file, line: line)
    return inAccumulateType(x) { x in
        Torch.customFunction(
            "LogSigmoid", [x], forward: { _, xs in xs[0].clamp(max: 0.0) - (-xs[0].abs()).exp().log1p() },
            backward: { _, g in [g * (-x).sigmoid()] }, file: file, line: line)
    }
}

/// `x / (1 + |x|)`.
///
/// ```swift
/// softsign(Tensor([-1.0, 3.0]))   // [-0.5, 0.75]
/// ```
public func softsign(_ x: Tensor) -> Tensor { x / (x.abs() + 1) }

/// `x - tanh(x)`.
///
/// ```swift
/// tanhshrink(Tensor([1.0]))   // [0.2384]
/// ```
public func tanhshrink(_ x: Tensor) -> Tensor { x - x.tanh() }

/// 0 on [-lambd, lambd], `x` outside (NaN stays NaN).
///
/// ```swift
/// hardshrink(Tensor([-1.0, 0.2, 0.7]))   // [-1, 0, 0.7]
/// ```
public func hardshrink(_ x: Tensor, lambd: Double = 0.5, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    x.requireKernel("hardshrink", "hardshrink_cpu", .floating, file: file, line: line)
    let inside = (x .>= -lambd).logicalAnd(x .<= lambd)
    return Tensor.where(inside, Tensor.zerosLike(x), x)
}

/// `x - lambd` above lambd, `x + lambd` below -lambd, 0 between (NaN stays NaN).
///
/// ```swift
/// softshrink(Tensor([-1.0, 0.2, 0.7]))   // [-0.5, 0, 0.2]
/// ```
public func softshrink(_ x: Tensor, lambd: Double = 0.5, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    x.requireKernel("softshrink", "softshrink_check", .floating, file: file, line: line)
    if lambd < 0 {
        let top: [DType: String] = [
            .float64: "1.79769e+308", .float32: "3.40282e+38", .float16: "65504", .bfloat16: "3.38953e+38",
        ]
        let shown = lambd == lambd.rounded() && Swift.abs(lambd) < 1e15 ? "\(Int(lambd))" : "\(lambd)"
        torchFail(
            "softshrink",
            "lambda must be in range [0, \(top[x.dtype] ?? "inf")] for input dtype \(x.dtype.pytorchName), but found "
                + shown, file: file, line: line)
    }
    return Tensor.where(x .> lambd, x - lambd, Tensor.where(x .< -lambd, x + lambd, x * 0.0))
}

/// `x` above `threshold`, `value` at or below it (NaN stays NaN); integer inputs keep their dtype.
///
/// ```swift
/// threshold(Tensor([0.5, 2.0]), 1.0, -1.0)   // [-1, 2]
/// ```
public func threshold(
    _ x: Tensor, _ threshold: Double, _ value: Double, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if x.dtype == .bool {
        torchFail("threshold", "\"threshold_cpu\" not implemented for 'Bool'", file: file, line: line)
    }
    let ranges: [DType: (String, Double, Double)] = [
        .uint8: ("uint8_t", 0, 255), .int8: ("int8_t", -128, 127), .int16: ("int16_t", -32768, 32767),
        .int32: ("int", -2_147_483_648, 2_147_483_647),
    ]
    if let (cName, lo, hi) = ranges[x.dtype] {
        for (what, v) in [("threshold", threshold), ("value", value)] where !(v >= lo && v <= hi) {
            torchFail(
                "threshold", "\(what) cannot be converted to type \(cName) without overflow", file: file, line: line)
        }
    }
    let replacement: Tensor
    if x.dtype.isFloatingPoint {
        replacement = Tensor.fullLike(x, value)
    } else {
        replacement = Tensor.fullLike(x, Int64(value.rounded(.towardZero)))
    }
    let t = x.dtype.isFloatingPoint ? threshold : threshold.rounded(.down)
    return Tensor.where(x .<= t, replacement, x)
}

/// The gated linear unit: `a · σ(b)` for the halves a, b of `dim`.
///
/// ```swift
/// glu(Tensor([[1.0, 2.0, 0.0, 0.0]]))   // [[0.5, 1]]
/// ```
public func glu(_ x: Tensor, dim: Int = -1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if x.rank == 0 {
        torchFail("glu", "glu does not support scalars because halving size must be even", file: file, line: line)
    }
    let d = dim < 0 ? dim + x.rank : dim
    if d < 0 || d >= x.rank {
        torchFail(
            "glu", "Dimension out of range (expected to be in range of [\(-x.rank), \(x.rank - 1)], but got \(dim))",
            file: file, line: line)
    }
    let n = x.shape[d]
    if n % 2 != 0 {
        torchFail("glu", "Halving dimension must be even, but dimension \(d) is size \(n)", file: file, line: line)
    }
    x.requireKernel("glu", "glu_cpu", .floating, file: file, line: line)
    return inAccumulateType(x) { x in
        x.narrow(d, start: 0, length: n / 2) * x.narrow(d, start: n / 2, length: n / 2).sigmoid()
    }
}

/// `x` where positive, `weight · x` elsewhere; `weight` has one value or one per channel (dim 1).
///
/// ```swift
/// prelu(Tensor([[-1.0, 2.0]]), Tensor([0.25]))   // [[-0.25, 2]]
/// ```
public func prelu(_ x: Tensor, _ weight: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    x.requireKernel("prelu", "prelu_cpu", .floating, file: file, line: line)
    if x.dtype != weight.dtype {
        torchFail(
            "prelu", "prelu: Type promoting not supported. Got \(x.dtype.pytorchName) and \(weight.dtype.pytorchName)",
            file: file, line: line)
    }
    let c = weight.numel
    var w = weight
    if c != 1 {
        let channels = x.rank >= 2 ? x.shape[1] : (x.rank == 1 ? x.shape[0] : 1)
        if weight.rank != 1 || c != channels {
            torchFail(
                "prelu",
                "Mismatch of parameter numbers and input channel size. Found parameter numbers = \(c) and channel "
                    + "size = \(channels).", file: file, line: line)
        }
        if x.rank >= 2 { w = weight.reshape([c] + Array(repeating: 1, count: x.rank - 2)) }
    } else {
        w = weight.reshape([])
    }
    return Tensor.where(x .> 0, x, w * x)
}

/// `softmax(-x)` along `dim`.
///
/// ```swift
/// softmin(Tensor([1.0, 2.0]), dim: 0)   // [0.7311, 0.2689]
/// ```
public func softmin(_ x: Tensor, dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    (-x).softmax(dim: dim, file: file, line: line)
}

/// A module for each activation above (PyTorch's names and defaults).
public final class SELU: Module {
    /// `SELU()`
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { selu(x) }
}

/// `CELU(alpha: 1)`
public final class CELU: Module {
    public let alpha: Double
    public init(alpha: Double = 1) { self.alpha = alpha; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { celu(x, alpha: alpha) }
}

/// `ReLU6()`
public final class ReLU6: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { relu6(x) }
}

/// `Hardswish()`
public final class Hardswish: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { hardswish(x) }
}

/// `Hardsigmoid()`
public final class Hardsigmoid: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { hardsigmoid(x) }
}

/// `LogSigmoid()`
public final class LogSigmoid: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { logsigmoid(x) }
}

/// `Softsign()`
public final class Softsign: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { softsign(x) }
}

/// `Tanhshrink()`
public final class Tanhshrink: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { tanhshrink(x) }
}

/// `Hardshrink(lambd: 0.5)`
public final class Hardshrink: Module {
    public let lambd: Double
    public init(lambd: Double = 0.5) { self.lambd = lambd; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { hardshrink(x, lambd: lambd) }
}

/// `Softshrink(lambd: 0.5)`
public final class Softshrink: Module {
    public let lambd: Double
    public init(lambd: Double = 0.5) { self.lambd = lambd; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { softshrink(x, lambd: lambd) }
}

/// `Threshold(0.1, 20)`
public final class Threshold: Module {
    public let threshold: Double, value: Double
    public init(_ threshold: Double, _ value: Double) {
        (self.threshold, self.value) = (threshold, value); super.init()
    }
    public override func forward(_ x: Tensor) -> Tensor { TorchNN.threshold(x, threshold, value) }
}

/// `GLU(dim: -1)`
public final class GLU: Module {
    public let dim: Int
    public init(dim: Int = -1) { self.dim = dim; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { glu(x, dim: dim) }
}

/// PReLU with a learnable slope, one shared or one per channel, initialised to `initValue`.
///
/// ```swift
/// let act = PReLU(numParameters: 16)   // one slope per channel of [N, 16, ...] inputs
/// ```
public final class PReLU: Module {
    /// The slopes (through their parametrizations, if any).
    public var weight: Tensor { tensor("weight") }
    public init(numParameters: Int = 1, initValue: Double = 0.25, dtype: DType? = nil) {
        let weight = Tensor.full([numParameters], initValue, dtype: dtype ?? Torch.defaultDType).requiresGrad_()
        super.init()
        registerParameter("weight", weight)
    }
    public override func forward(_ x: Tensor) -> Tensor { prelu(x, weight) }
}

/// `Softmin(dim: 1)`
public final class Softmin: Module {
    public let dim: Int
    public init(dim: Int) { self.dim = dim; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { softmin(x, dim: dim) }
}

/// Softmax over the channels (dim -3) of [C, H, W] or [N, C, H, W] inputs (`Softmax2d`).
public final class Softmax2d: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor {
        if x.rank != 3 && x.rank != 4 {
            torchFail(
                "Softmax2d", "Softmax2d: expected input to be 3D or 4D, got \(x.rank)D instead", file: #fileID,
                line: #line)
        }
        return x.softmax(dim: -3)
    }
}

/// The randomized leaky ReLU (`F.rrelu`): in training each negative element is scaled by its own
/// slope drawn uniformly from [lower, upper]; in evaluation by their mean, as `leakyRelu`. The
/// gradient is the slope used.
///
/// ```swift
/// let y = rrelu(x, training: true)
/// ```
public func rrelu(
    _ x: Tensor, lower: Double = 1.0 / 8, upper: Double = 1.0 / 3, training: Bool = false, inplace: Bool = false,
    generator: Generator = .default, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if lower > upper {
        torchFail(
            "rrelu_with_noise", "Lower bound should be less than or equal to the upper bound", file: file, line: line)
    }
    x.requireKernel(
        "rrelu", training ? "rrelu_with_noise_out_cpu" : "leaky_relu_cpu", .floating, file: file, line: line)
    // One multiply by the slope mask (1 where positive), whose backward needs only the mask.
    let mask = Torch.noGrad { () -> Tensor in
        let slopes =
            training
            ? Tensor.rand(x.shape, dtype: x.dtype, device: x.device, generator: generator) * (upper - lower) + lower
            : Tensor.fullLike(x, (lower + upper) / 2)
        return Tensor.where(x .> 0.0, 1.0, slopes)
    }
    return inplace ? x.mul_(mask, file: file, line: line) : x * mask
}

/// `rrelu` as a module: random slopes in training mode, their mean in evaluation mode.
/// `RReLU(lower: 0.1, upper: 0.3)`
public final class RReLU: Module {
    /// The bounds of the negative slopes.
    public let lower: Double, upper: Double
    /// Whether `forward` overwrites its input, as PyTorch's `inplace=True`.
    public let inplace: Bool
    /// Randomized leaky ReLU with PyTorch's default bounds 1/8 and 1/3.
    public init(lower: Double = 1.0 / 8, upper: Double = 1.0 / 3, inplace: Bool = false) {
        (self.lower, self.upper, self.inplace) = (lower, upper, inplace)
        super.init()
    }
    /// `rrelu(x)` in this module's mode.
    public override func forward(_ x: Tensor) -> Tensor {
        rrelu(x, lower: lower, upper: upper, training: training, inplace: inplace)
    }
    public override var extraRepr: String { "lower=\(lower), upper=\(upper)" + (inplace ? ", inplace=True" : "") }
}

/// Draws from Gumbel(0, 1) shaped as `like`, from exponential samples as PyTorch's
/// `-empty_like(x).exponential_().log()`, in double precision and rounded once (an exponential
/// that rounds to 0 in half precision would make an infinite sample; one of exactly 0 is moved to
/// the smallest normal double).
private func gumbelNoise(like x: Tensor, generator: Generator) -> Tensor {
    Torch.noGrad {
        let u = Tensor.rand(x.shape, dtype: .float64, device: x.device, generator: generator)
        let e = (u * -1.0).log1p() * -1.0
        return (e.clamp(min: Double.leastNormalMagnitude).log() * -1.0).to(x.dtype)
    }
}

/// A sample of the Gumbel-softmax distribution (`F.gumbel_softmax`): `softmax((logits + g) / tau)`
/// over `dim` with Gumbel(0, 1) noise g. With `hard`, the one-hot of its largest entry in the
/// forward pass and the soft sample's gradient in the backward pass (straight-through).
///
/// ```swift
/// let onehot = gumbelSoftmax(logits, tau: 0.5, hard: true)
/// ```
public func gumbelSoftmax(
    _ logits: Tensor, tau: Double = 1, hard: Bool = false, dim: Int = -1, generator: Generator = .default,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if !logits.dtype.isFloatingPoint {
        torchFail(
            "exponential_",
            "Exponential distribution is a continuous probability distribution. dtype must be a floating point but "
                + "you specified \(logits.dtype.pytorchName)", file: file, line: line)
    }
    let g = (logits + gumbelNoise(like: logits, generator: generator)) / tau
    let soft = g.softmax(dim: dim, file: file, line: line)
    guard hard else { return soft }
    let index = soft.argmax(dim: dim, keepdim: true)
    let oneHot = Torch.noGrad { Tensor.zerosLike(logits).scatter(dim, index, Tensor.onesLike(index.to(logits.dtype))) }
    return oneHot - soft.detach() + soft
}
