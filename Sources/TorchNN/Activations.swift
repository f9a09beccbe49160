import Torch
import TorchBase

// Activation functions (functional forms and modules), composed from differentiable primitives.

public func leakyRelu(_ x: Tensor, negativeSlope: Double = 0.01) -> Tensor { Tensor.where(x .> 0, x, x * negativeSlope) }
public func elu(_ x: Tensor, alpha: Double = 1) -> Tensor { Tensor.where(x .> 0, x, x.expm1() * alpha) }
public func gelu(_ x: Tensor, approximate: String = "none") -> Tensor { x.gelu(approximate: approximate) }
public func silu(_ x: Tensor) -> Tensor { x.silu() }
public func mish(_ x: Tensor) -> Tensor { x * x.softplus().tanh() }
/// `log(1 + exp(beta·x)) / beta`, linear above `threshold` (PyTorch's defaults 1 and 20).
public func softplus(_ x: Tensor, beta: Double = 1, threshold: Double = 20) -> Tensor {
    beta == 1 && threshold == 20 ? x.softplus() : Tensor.where(x * beta .> threshold, x, ((x * beta).exp().log1p()) / beta)
}
public func hardtanh(_ x: Tensor, minVal: Double = -1, maxVal: Double = 1) -> Tensor { x.clamp(min: minVal, max: maxVal) }

/// A module wrapping an element-wise function.
public final class Activation: Module {
    let f: (Tensor) -> Tensor
    public init(_ f: @escaping (Tensor) -> Tensor) { self.f = f; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { f(x) }
}

public func LeakyReLU(_ negativeSlope: Double = 0.01) -> Module { Activation { leakyRelu($0, negativeSlope: negativeSlope) } }
public func ELU(alpha: Double = 1) -> Module { Activation { elu($0, alpha: alpha) } }
public func GELU(approximate: String = "none") -> Module { Activation { gelu($0, approximate: approximate) } }
public func SiLU() -> Module { Activation { $0.silu() } }
public func Mish() -> Module { Activation { mish($0) } }
public func Tanh() -> Module { Activation { $0.tanh() } }
public func Sigmoid() -> Module { Activation { $0.sigmoid() } }
public func Softplus(beta: Double = 1, threshold: Double = 20) -> Module { Activation { softplus($0, beta: beta, threshold: threshold) } }
public func Hardtanh(minVal: Double = -1, maxVal: Double = 1) -> Module { Activation { hardtanh($0, minVal: minVal, maxVal: maxVal) } }
public func Softmax(dim: Int) -> Module { Activation { $0.softmax(dim: dim) } }
public func LogSoftmax(dim: Int) -> Module { Activation { $0.logSoftmax(dim: dim) } }
public func Identity() -> Module { Activation { $0 } }

/// Group normalisation: channels split into `numGroups`, normalised over each group and the
/// spatial dimensions, then an affine per channel.
public final class GroupNorm: Module {
    public let numGroups: Int, numChannels: Int, eps: Double
    public let weight: Tensor, bias: Tensor
    public init(_ numGroups: Int, _ numChannels: Int, eps: Double = 1e-5) {
        precondition(numChannels % numGroups == 0, "GroupNorm: num_channels must be divisible by num_groups")
        self.numGroups = numGroups; self.numChannels = numChannels; self.eps = eps
        weight = Tensor.ones([numChannels]); bias = Tensor.zeros([numChannels])
        super.init()
        registerParameter("weight", weight)
        registerParameter("bias", bias)
    }
    public override func forward(_ x: Tensor) -> Tensor {
        groupNorm(x, numGroups, weight: weight, bias: bias, eps: eps)
    }
}

/// RMS normalisation over the trailing `normalizedShape` dimensions with a learned scale.
public final class RMSNorm: Module {
    public let normalizedShape: [Int], eps: Double?
    public let weight: Tensor
    public init(_ normalizedShape: [Int], eps: Double? = nil) {
        self.normalizedShape = normalizedShape; self.eps = eps
        weight = Tensor.ones(normalizedShape)
        super.init()
        registerParameter("weight", weight)
    }
    public override func forward(_ x: Tensor) -> Tensor {
        rmsNorm(x, normalizedShape, weight: weight, eps: eps)
    }
}
