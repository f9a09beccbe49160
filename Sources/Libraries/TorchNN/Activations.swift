import Torch
import TorchBase

// Activation functions (functional forms and modules), composed from differentiable primitives.

/// Runs `f` on `x` in float32 when `x` is float16/bfloat16 and rounds the result once, as
/// PyTorch's kernels compute in their accumulate type.
func inAccumulateType(_ x: Tensor, _ f: (Tensor) -> Tensor) -> Tensor {
    x.dtype == .float16 || x.dtype == .bfloat16 ? f(x.to(.float32)).to(x.dtype) : f(x)
}

/// `x` where positive, `negativeSlope·x` elsewhere.
///
/// ```swift
/// leakyRelu(Tensor([-1.0, 2.0]), negativeSlope: 0.1)   // [-0.1, 2]
/// ```
public func leakyRelu(_ x: Tensor, negativeSlope: Double = 0.01, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
{
    x.requireKernel("leaky_relu", "leaky_relu_cpu", .floating, file: file, line: line)
    return Tensor.where(x .> 0, x, x * negativeSlope)
}

/// `x` where positive, `alpha·(exp(x) - 1)` elsewhere. The exponential only sees `min(x, 0)`, so
/// the unselected branch never overflows into a NaN gradient.
public func elu(_ x: Tensor, alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    x.requireKernel("elu", "elu_cpu", .floating, file: file, line: line)
    return inAccumulateType(x) { x in
        let negative = Tensor.where(x .> 0, Tensor.zerosLike(x), x)  // gradient 1 where x <= 0, as PyTorch
        return Tensor.where(x .> 0, x, negative.expm1() * alpha)
    }
}

/// Gaussian error linear unit; `approximate: .tanh` uses the tanh approximation.
public func gelu(_ x: Tensor, approximate: GELUApproximation = .none) -> Tensor { x.gelu(approximate: approximate) }

/// SiLU, `x · sigmoid(x)` (`torch.nn.functional.silu`).
///
/// ```swift
/// let y = silu(x)
/// ```
public func silu(_ x: Tensor) -> Tensor { x.silu() }

/// `x · tanh(softplus(x))`.
public func mish(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    x.requireKernel("mish", "mish_cpu", .floating, file: file, line: line)
    return inAccumulateType(x) { x in x * x.softplus().tanh() }
}

/// `log(1 + exp(beta·x)) / beta`, linear above `threshold` (PyTorch's defaults 1 and 20). The
/// exponential only sees `min(beta·x, threshold)`, and float16/bfloat16 compute in float32.
public func softplus(
    _ x: Tensor, beta: Double = 1, threshold: Double = 20, file: StaticString = #fileID,
    line: UInt = #line
) -> Tensor {
    x.requireKernel("softplus", "softplus_cpu", .floating, file: file, line: line)
    if beta == 1 && threshold == 20 { return x.softplus() }
    return inAccumulateType(x) { x in
        let z = x * beta
        let above = z .> threshold
        let zs = Tensor.where(above, Tensor.fullLike(z, threshold), z)  // finite exp, full gradient below
        return Tensor.where(above, x, zs.exp().log1p() / beta)
    }
}

/// Clamps to `[minVal, maxVal]`. Integer inputs keep their dtype (bounds truncated); the gradient
/// is zero at the bounds themselves, as PyTorch's hardtanh_backward.
public func hardtanh(
    _ x: Tensor, minVal: Double = -1, maxVal: Double = 1, file: StaticString = #fileID,
    line: UInt = #line
) -> Tensor {
    if x.dtype == .bool { torchFail("hardtanh", "Bool inputs not supported for hardtanh", file: file, line: line) }
    if !x.dtype.isFloatingPoint {
        let (lo, hi) = (Int(minVal.rounded(.towardZero)), Int(maxVal.rounded(.towardZero)))
        return x.to(.int64).clamp(min: lo, max: hi, file: file, line: line).to(x.dtype)
    }
    let value = Torch.noGrad { x.clamp(min: minVal, max: maxVal, file: file, line: line) }
    guard x.requiresGrad else { return value }
    let inside = Torch.noGrad { (x .> minVal) & (x .< maxVal) }
    return Tensor.where(inside, x, value)
}

/// A module wrapping an element-wise function.
public final class Activation: Module {
    let f: (Tensor) -> Tensor
    /// A module applying `f` (any tensor function) in `forward`.
    ///
    /// ```swift
    /// let square = Activation { $0 * $0 }
    /// ```
    public init(_ f: @escaping (Tensor) -> Tensor) { self.f = f; super.init() }
    /// `f(x)`.
    public override func forward(_ x: Tensor) -> Tensor { f(x) }
}

/// `leakyRelu` as a module. `Sequential(Linear(4, 8), LeakyReLU(0.2))`
public final class LeakyReLU: Module {
    /// The slope for negative inputs.
    public let negativeSlope: Double
    /// Whether `forward` overwrites its input, as PyTorch's `inplace=True`.
    public let inplace: Bool
    /// Leaky ReLU with `negativeSlope` (PyTorch's default 0.01). `LeakyReLU(0.2, inplace: true)`
    public init(_ negativeSlope: Double = 0.01, inplace: Bool = false) {
        self.negativeSlope = negativeSlope
        self.inplace = inplace
        super.init()
    }
    /// `x` where positive, `negativeSlope · x` elsewhere. In place: one multiply by the slope
    /// mask (1 where positive), whose backward needs only the mask.
    public override func forward(_ x: Tensor) -> Tensor {
        guard inplace else { return leakyRelu(x, negativeSlope: negativeSlope) }
        let mask = Torch.noGrad {
            Tensor.where(
                x.gt(Tensor(0.0, dtype: x.dtype)), Tensor.ones([], dtype: x.dtype, device: x.device),
                Tensor.full([], negativeSlope, dtype: x.dtype, device: x.device))
        }
        return x.mul_(mask)
    }
    public override var extraRepr: String {
        "negative_slope=\(negativeSlope)" + (inplace ? ", inplace=True" : "")
    }
}

/// `elu` as a module. `ELU(alpha: 1)`
public final class ELU: Module {
    /// The scale of the negative branch, `alpha · (e^x - 1)`.
    public let alpha: Double
    /// ELU with `alpha` (default 1). `ELU(alpha: 0.5)`
    public init(alpha: Double = 1) { self.alpha = alpha; super.init() }
    /// `x` where positive, `alpha · (e^x - 1)` elsewhere.
    public override func forward(_ x: Tensor) -> Tensor { elu(x, alpha: alpha) }
    public override var extraRepr: String { "alpha=\(alpha)" }
}

/// `gelu` as a module. `GELU(approximate: .tanh)`
public final class GELU: Module {
    /// The exact form (`.none`) or the tanh approximation.
    public let approximate: GELUApproximation
    /// GELU, exact or with `approximate: .tanh`. `GELU(approximate: .tanh)`
    public init(approximate: GELUApproximation = .none) { self.approximate = approximate; super.init() }
    /// `x · Φ(x)` (or its tanh approximation).
    public override func forward(_ x: Tensor) -> Tensor { gelu(x, approximate: approximate) }
}

/// `silu` as a module. `SiLU()`
public final class SiLU: Module {
    /// The SiLU layer. `SiLU()`
    public override init() { super.init() }
    /// `x · sigmoid(x)`.
    public override func forward(_ x: Tensor) -> Tensor { x.silu() }
}

/// `mish` as a module. `Mish()`
public final class Mish: Module {
    /// The Mish layer. `Mish()`
    public override init() { super.init() }
    /// `x · tanh(softplus(x))`.
    public override func forward(_ x: Tensor) -> Tensor { mish(x) }
}

/// `tanh` as a module. `Tanh()`
public final class Tanh: Module {
    /// The tanh layer. `Tanh()`
    public override init() { super.init() }
    /// `tanh(x)`.
    public override func forward(_ x: Tensor) -> Tensor { x.tanh() }
}

/// `sigmoid` as a module. `Sigmoid()`
public final class Sigmoid: Module {
    /// The logistic sigmoid layer. `Sigmoid()`
    public override init() { super.init() }
    /// `1 / (1 + e^-x)`.
    public override func forward(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// `softplus` as a module. `Softplus(beta: 2)`
public final class Softplus: Module {
    /// `beta` and `threshold` of `softplus(x) = log(1 + e^(beta·x)) / beta` (linear above threshold).
    public let beta: Double, threshold: Double
    /// Softplus with PyTorch's defaults `beta: 1, threshold: 20`. `Softplus(beta: 2)`
    public init(beta: Double = 1, threshold: Double = 20) { self.beta = beta; self.threshold = threshold; super.init() }
    /// `log(1 + e^(beta·x)) / beta`, `x` where `beta·x > threshold`.
    public override func forward(_ x: Tensor) -> Tensor { softplus(x, beta: beta, threshold: threshold) }
    public override var extraRepr: String { "beta=\(beta), threshold=\(threshold)" }
}

/// `hardtanh` as a module. `Hardtanh(minVal: -2, maxVal: 2)`
public final class Hardtanh: Module {
    /// The clamping range.
    public let minVal: Double, maxVal: Double
    /// Hardtanh clamping to `[minVal, maxVal]` (default [-1, 1]). `Hardtanh(minVal: 0, maxVal: 6)`
    public init(minVal: Double = -1, maxVal: Double = 1) { self.minVal = minVal; self.maxVal = maxVal; super.init() }
    /// `x` clamped to `[minVal, maxVal]`.
    public override func forward(_ x: Tensor) -> Tensor { hardtanh(x, minVal: minVal, maxVal: maxVal) }
    public override var extraRepr: String { "min_val=\(minVal), max_val=\(maxVal)" }
}

/// Softmax along `dim` as a module. `Softmax(dim: 1)`
public final class Softmax: Module {
    /// The dimension the probabilities sum to 1 along.
    public let dim: Int
    /// Softmax along `dim`. `Softmax(dim: 1)`
    public init(dim: Int) { self.dim = dim; super.init() }
    /// `x.softmax(dim: dim)`.
    public override func forward(_ x: Tensor) -> Tensor { x.softmax(dim: dim) }
    public override var extraRepr: String { "dim=\(dim)" }
}

/// Log-softmax along `dim` as a module. `LogSoftmax(dim: 1)`
public final class LogSoftmax: Module {
    /// The dimension normalised along.
    public let dim: Int
    /// Log-softmax along `dim`. `LogSoftmax(dim: 1)`
    public init(dim: Int) { self.dim = dim; super.init() }
    /// `x.logSoftmax(dim: dim)`.
    public override func forward(_ x: Tensor) -> Tensor { x.logSoftmax(dim: dim) }
    public override var extraRepr: String { "dim=\(dim)" }
}

/// The identity as a module (a placeholder layer). `Identity()`
public final class Identity: Module {
    /// A layer that returns its input (a placeholder in a `Sequential`). `Identity()`
    public override init() { super.init() }
    /// `x` itself.
    public override func forward(_ x: Tensor) -> Tensor { x }
}
