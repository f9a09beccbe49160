import Torch
import TorchBase
import RealModule

// Parameter initialisation (`torch.nn.init`): `Init`, its gains and fan modes.

/// Parameter initialisation (`torch.nn.init`), drawing from the default generator.
public enum Init {
    /// Uniform in [a, b], in place.
    public static func uniform_(_ t: Tensor, _ a: Double, _ b: Double, generator: Generator = .default) {
        Torch.noGrad { t.copy_(Tensor.rand(t.shape, dtype: t.dtype, generator: generator) * (b - a) + a) }
    }

    /// Fills `t` with normal samples of `mean` and `std` (`torch.nn.init.normal_`). `Init.normal_(w, std: 0.02)`
    public static func normal_(_ t: Tensor, mean: Double = 0, std: Double = 1, generator: Generator = .default) {
        Torch.noGrad { t.copy_(Tensor.normal(mean: mean, std: std, t.shape, dtype: t.dtype, generator: generator)) }
    }

    /// Fills `t` with zeros (`torch.nn.init.zeros_`). `Init.zeros_(b)`
    public static func zeros_(_ t: Tensor) { Torch.noGrad { _ = t.zero_() } }

    /// (fan_in, fan_out) of a weight shaped [out, in, k...].
    public static func fans(_ shape: [Int]) -> (Int, Int) {
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape.count > 1 ? shape[1] * receptive : shape[0], shape[0] * receptive)
    }

    /// PyTorch's default bias of Linear and Conv layers: uniform in ±1/√fanIn.
    public static func defaultBias(_ n: Int, fanIn: Int, dtype: DType = .float32) -> Tensor {
        let b = Tensor.empty([n], dtype: dtype)
        let bound = 1 / Double(fanIn).squareRoot()
        uniform_(b, -bound, bound)
        return b
    }

    /// Kaiming uniform with `a = sqrt(5)`: PyTorch's default for Linear and Conv weights.
    public static func kaimingUniform_(_ t: Tensor, a: Double = 5.0.squareRoot(), generator: Generator = .default) {
        let fanIn = Double(fans(t.shape).0)
        let gain = (2.0 / (1 + a * a)).squareRoot()
        let bound = gain * (3.0 / fanIn).squareRoot()
        uniform_(t, -bound, bound, generator: generator)
    }
}

extension Init {
    /// Fills `t` with `v` (`torch.nn.init.constant_`). `Init.constant_(b, 0.1)`
    public static func constant_(_ t: Tensor, _ v: Double) { Torch.noGrad { _ = t.fill_(v) } }
    /// Fills `t` with ones (`torch.nn.init.ones_`). `Init.ones_(gamma)`
    public static func ones_(_ t: Tensor) { constant_(t, 1) }

    /// Identity matrix into a 2-D tensor.
    public static func eye_(_ t: Tensor) {
        Torch.noGrad { _ = t.copy_(Tensor.eye(t.shape[0], t.shape[1], dtype: t.dtype)) }
    }

    /// The recommended gain for a nonlinearity (`torch.nn.init.calculate_gain`); `param` is
    /// leaky ReLU's negative slope (default 0.01).
    ///
    /// ```swift
    /// Init.gain(.tanh)   // 5/3
    /// ```
    public static func gain(_ nonlinearity: Nonlinearity, param: Double? = nil) -> Double {
        switch nonlinearity {
        case .linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d, .sigmoid:
            return 1
        case .tanh: return 5.0 / 3
        case .relu: return 2.0.squareRoot()
        case .leakyRelu: let s = param ?? 0.01; return (2 / (1 + s * s)).squareRoot()
        case .selu: return 3.0 / 4
        }
    }

    /// Glorot uniform: U(-a, a) with `a = gain · sqrt(6 / (fanIn + fanOut))`. `Init.xavierUniform_(w)`
    public static func xavierUniform_(_ t: Tensor, gain: Double = 1, generator: Generator = .default) {
        let (fi, fo) = fans(t.shape)
        let a = gain * (6 / Double(fi + fo)).squareRoot()
        uniform_(t, -a, a, generator: generator)
    }

    /// Glorot normal: N(0, `gain · sqrt(2 / (fanIn + fanOut))`). `Init.xavierNormal_(w)`
    public static func xavierNormal_(_ t: Tensor, gain: Double = 1, generator: Generator = .default) {
        let (fi, fo) = fans(t.shape)
        normal_(t, std: gain * (2 / Double(fi + fo)).squareRoot(), generator: generator)
    }

    /// He initialisation over the fan-in (default) or fan-out.
    public static func kaimingNormal_(
        _ t: Tensor, a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyRelu,
        generator: Generator = .default
    ) {
        let (fi, fo) = fans(t.shape)
        let fan = Double(mode == .fanOut ? fo : fi)
        normal_(t, std: gain(nonlinearity, param: a) / fan.squareRoot(), generator: generator)
    }

    /// Normal(mean, std) truncated to [a, b] by redrawing (inverse-CDF free rejection).
    public static func truncNormal_(
        _ t: Tensor, mean: Double = 0, std: Double = 1, a: Double = -2, b: Double = 2,
        generator: Generator = .default
    ) {
        var values: [Double] = []
        values.reserveCapacity(t.count)
        while values.count < t.count {
            for v in Tensor.randn([Swift.max(16, (t.count - values.count) * 2)], dtype: .float64, generator: generator)
                .scalars
            {
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
        let (n, m) = transpose ? (cols, rows) : (rows, cols)  // n >= m: orthonormal columns
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

/// The nonlinearity an initialisation's gain is for (PyTorch's `calculate_gain` names).
public enum Nonlinearity: String, Sendable, CaseIterable {
    case linear, conv1d, conv2d, conv3d
    case convTranspose1d = "conv_transpose1d", convTranspose2d = "conv_transpose2d", convTranspose3d =
        "conv_transpose3d"
    case sigmoid, tanh, relu
    case leakyRelu = "leaky_relu"
    case selu
}

/// Which fan a Kaiming initialisation scales by (PyTorch's `mode`).
public enum FanMode: String, Sendable, CaseIterable {
    case fanIn = "fan_in", fanOut = "fan_out"
}
