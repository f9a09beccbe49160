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

/// Average over `kernel`×`kernel` windows (no padding), as the mean of the strided views.
public func avgPool2d(_ x: Tensor, kernel: Int, stride: Int? = nil) -> Tensor {
    let views = windowViews(x, kernel: kernel, stride: stride ?? kernel)
    return views.dropFirst().reduce(views[0]) { $0 + $1 } / Double(kernel * kernel)
}

/// Mean over adaptive windows giving an `outH`×`outW` output (PyTorch's start/end index rule).
public func adaptiveAvgPool2d(_ x: Tensor, _ outH: Int, _ outW: Int) -> Tensor {
    let h = x.shape[2], w = x.shape[3]
    var rows: [Tensor] = []
    for i in 0..<outH {
        let h0 = i * h / outH, h1 = ((i + 1) * h + outH - 1) / outH
        var cols: [Tensor] = []
        for j in 0..<outW {
            let w0 = j * w / outW, w1 = ((j + 1) * w + outW - 1) / outW
            cols.append(x[TensorIndex.all, TensorIndex.all, h0..<h1, w0..<w1].mean(dims: [2, 3]))
        }
        rows.append(Tensor.stack(cols, dim: -1))
    }
    return Tensor.stack(rows, dim: -2)
}

public final class AvgPool2d: Module {
    let kernel: Int, stride: Int?
    public init(_ kernel: Int, stride: Int? = nil) { self.kernel = kernel; self.stride = stride; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { avgPool2d(x, kernel: kernel, stride: stride) }
}

public final class AdaptiveAvgPool2d: Module {
    let h: Int, w: Int
    public init(_ h: Int, _ w: Int) { self.h = h; self.w = w; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { adaptiveAvgPool2d(x, h, w) }
}

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
        let n = x.shape[0]
        let g = x.reshape([n, numGroups, -1])
        let norm = ((g - g.mean(dims: [2], keepdim: true)) / (g.variance(dims: [2], correction: 0, keepdim: true) + eps).sqrt()).reshape(x.shape)
        var shape = [Int](repeating: 1, count: x.rank)
        shape[1] = numChannels
        return norm * weight.view(shape) + bias.view(shape)
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
        let dims = Array((x.rank - normalizedShape.count)..<x.rank)
        let e = eps ?? Double(x.dtype == .float64 ? Double.ulpOfOne : Double(Float.ulpOfOne))
        return x / ((x * x).mean(dims: dims, keepdim: true) + e).sqrt() * weight
    }
}
