import Torch
import TorchBase
import RealModule

extension Init {
    public static func constant_(_ t: Tensor, _ v: Double) { Torch.noGrad { _ = t.fill_(v) } }
    public static func ones_(_ t: Tensor) { constant_(t, 1) }

    /// Identity matrix into a 2-D tensor.
    public static func eye_(_ t: Tensor) { Torch.noGrad { _ = t.copy_(Tensor.eye(t.shape[0], t.shape[1], dtype: t.dtype)) } }

    /// The recommended gain for a nonlinearity (`torch.nn.init.calculate_gain`); `param` is
    /// leaky ReLU's negative slope (default 0.01).
    ///
    /// ```swift
    /// Init.gain(.tanh)   // 5/3
    /// ```
    public static func gain(_ nonlinearity: Nonlinearity, param: Double? = nil) -> Double {
        switch nonlinearity {
        case .linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d, .sigmoid: return 1
        case .tanh: return 5.0 / 3
        case .relu: return 2.0.squareRoot()
        case .leakyRelu: let s = param ?? 0.01; return (2 / (1 + s * s)).squareRoot()
        case .selu: return 3.0 / 4
        }
    }

    public static func xavierUniform_(_ t: Tensor, gain: Double = 1, generator: Generator = .default) {
        let (fi, fo) = fans(t.shape)
        let a = gain * (6 / Double(fi + fo)).squareRoot()
        uniform_(t, -a, a, generator: generator)
    }

    public static func xavierNormal_(_ t: Tensor, gain: Double = 1, generator: Generator = .default) {
        let (fi, fo) = fans(t.shape)
        normal_(t, std: gain * (2 / Double(fi + fo)).squareRoot(), generator: generator)
    }

    /// He initialisation over the fan-in (default) or fan-out.
    public static func kaimingNormal_(_ t: Tensor, a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyRelu,
                                      generator: Generator = .default) {
        let (fi, fo) = fans(t.shape)
        let fan = Double(mode == .fanOut ? fo : fi)
        normal_(t, std: gain(nonlinearity, param: a) / fan.squareRoot(), generator: generator)
    }

    /// Normal(mean, std) truncated to [a, b] by redrawing (inverse-CDF free rejection).
    public static func truncNormal_(_ t: Tensor, mean: Double = 0, std: Double = 1, a: Double = -2, b: Double = 2,
                                    generator: Generator = .default) {
        var values: [Double] = []
        values.reserveCapacity(t.count)
        while values.count < t.count {
            for v in Tensor.randn([Swift.max(16, (t.count - values.count) * 2)], dtype: .float64, generator: generator).scalars {
                let x = mean + std * v
                if x >= a && x <= b && values.count < t.count { values.append(x) }
            }
        }
        Torch.noGrad { _ = t.copy_(Tensor(shape: t.shape, scalars: values)) }
    }

    /// A (semi-)orthogonal matrix from Gram-Schmidt on a Gaussian matrix, scaled by `gain`.
    public static func orthogonal_(_ t: Tensor, gain: Double = 1, generator: Generator = .default) {
        let rows = t.shape[0], cols = t.count / rows
        let transpose = rows < cols
        let (n, m) = transpose ? (cols, rows) : (rows, cols)     // n >= m: orthonormal columns
        var a = Tensor.randn([n * m], dtype: .float64, generator: generator).scalars
        for j in 0..<m {
            for k in 0..<j {
                var dot = 0.0
                for i in 0..<n { dot += a[i * m + j] * a[i * m + k] }
                for i in 0..<n { a[i * m + j] -= dot * a[i * m + k] }
            }
            var norm = 0.0
            for i in 0..<n { norm += a[i * m + j] * a[i * m + j] }
            norm = norm.squareRoot()
            for i in 0..<n { a[i * m + j] /= norm }
        }
        var q = Tensor(shape: [n, m], scalars: a.map { $0 * gain }, dtype: t.dtype)
        if transpose { q = q.t() }
        Torch.noGrad { _ = t.copy_(q.reshape(t.shape)) }
    }
}

/// Splits dimension `dim` into `sizes`.
public final class Unflatten: Module {
    let dim: Int, sizes: [Int]
    public init(_ dim: Int, _ sizes: [Int]) { self.dim = dim; self.sizes = sizes; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.unflatten(dim, sizes) }
}

/// `y = x1ᵀ A x2 + b` for each output feature.
public final class Bilinear: Module {
    public let weight: Tensor, bias: Tensor
    public init(_ in1: Int, _ in2: Int, _ out: Int) {
        let bound = 1 / Double(in1).squareRoot()
        weight = Tensor.empty([out, in1, in2]); bias = Tensor.empty([out])
        Init.uniform_(weight, -bound, bound); Init.uniform_(bias, -bound, bound)
        super.init()
        registerParameter("weight", weight)
        registerParameter("bias", bias)
    }
    public func callAsFunction(_ x1: Tensor, _ x2: Tensor) -> Tensor { bilinear(x1, x2, weight, bias) }
}

/// `max(0, -y (x1 - x2) + margin)` averaged.
public func marginRankingLoss(_ x1: Tensor, _ x2: Tensor, _ y: Tensor, margin: Double = 0, reduction: Reduction = .mean) -> Tensor {
    reduce((-y * (x1 - x2) + margin).relu(), reduction)
}

/// `1 - cos(x1, x2)` where y = 1, `max(0, cos - margin)` where y = -1.
public func cosineEmbeddingLoss(_ x1: Tensor, _ x2: Tensor, _ y: Tensor, margin: Double = 0, reduction: Reduction = .mean) -> Tensor {
    let cos = (x1 * x2).sum(dims: [1]) / ((x1 * x1).sum(dims: [1]) * (x2 * x2).sum(dims: [1]) + 1e-12).sqrt()
    let l = Tensor.where(y .> 0, 1 - cos, (cos - margin).relu())
    return reduce(l, reduction)
}

/// Cross entropy against class probabilities [N, C] (soft targets).
public func crossEntropy(_ logits: Tensor, probabilities target: Tensor, reduction: Reduction = .mean) -> Tensor {
    reduce(-(logits.logSoftmax(dim: 1) * target).sum(dims: [1]), reduction)
}

/// The nonlinearity an initialisation's gain is for (PyTorch's `calculate_gain` names).
public enum Nonlinearity: String, Sendable, CaseIterable {
    case linear, conv1d, conv2d, conv3d
    case convTranspose1d = "conv_transpose1d", convTranspose2d = "conv_transpose2d", convTranspose3d = "conv_transpose3d"
    case sigmoid, tanh, relu
    case leakyRelu = "leaky_relu"
    case selu
}

/// Which fan a Kaiming initialisation scales by (PyTorch's `mode`).
public enum FanMode: String, Sendable, CaseIterable {
    case fanIn = "fan_in", fanOut = "fan_out"
}
