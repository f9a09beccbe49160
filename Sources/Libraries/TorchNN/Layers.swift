import Torch
import TorchBase
import RealModule

/// `y = x Wᵀ + b`, PyTorch's default initialisation.
public final class Linear: Module {
    /// The weight [out, in], Kaiming-uniform initialised as PyTorch.
    public let weight: Tensor
    /// The bias [out], or nil.
    public let bias: Tensor?

    /// `y = x · Wᵀ + b` from `inFeatures` to `outFeatures`.
    ///
    /// ```swift
    /// let fc = Linear(784, 10)
    /// ```
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32) {
        weight = Tensor.empty([outFeatures, inFeatures], dtype: dtype)
        Init.kaimingUniform_(weight)
        self.bias = bias ? Init.defaultBias(outFeatures, fanIn: inFeatures, dtype: dtype) : nil
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    /// `x · weightᵀ + bias` over the last dimension of `x`.
    public override func forward(_ x: Tensor) -> Tensor { linear(x, weight, bias) }
}

/// The ReLU layer (`torch.nn.ReLU`).
///
/// ```swift
/// let model = Sequential(Linear(4, 8), ReLU(), Linear(8, 1))
/// ```
public final class ReLU: Module {
    /// The ReLU layer.
    public override init() { super.init() }
    /// `max(x, 0)`.
    public override func forward(_ x: Tensor) -> Tensor { x.relu() }
}

/// Flattens the dimensions from `startDim` on (`torch.nn.Flatten`). ```Flatten()```
public final class Flatten: Module {
    let start: Int, end: Int
    /// Flattening dims `startDim...endDim` (defaults 1 and -1: keep the batch dimension).
    public init(startDim: Int = 1, endDim: Int = -1) { (start, end) = (startDim, endDim); super.init() }
    /// Positional form, as PyTorch's `Flatten(1, -1)`. ```Flatten(1, 2)```
    public convenience init(_ startDim: Int, _ endDim: Int) { self.init(startDim: startDim, endDim: endDim) }
    /// `x.flatten(startDim:endDim:)`.
    public override func forward(_ x: Tensor) -> Tensor { x.flatten(startDim: start, endDim: end) }
}

/// Zeroes elements with probability `p` in training, scaling the rest by `1 / (1 - p)` (`torch.nn.Dropout`).
/// ```Dropout(0.1)```
public final class Dropout: Module {
    let p: Double
    /// Dropout with probability `p` (default 0.5).
    public init(_ p: Double = 0.5) { self.p = p; super.init() }
    /// `x` with dropout in training mode, `x` unchanged in evaluation mode.
    public override func forward(_ x: Tensor) -> Tensor { dropout(x, p: p, training: training) }
}

/// Splits dimension `dim` into `sizes`.
public final class Unflatten: Module {
    let dim: Int, sizes: [Int]
    /// Splits dimension `dim` into `sizes`. ```Unflatten(1, [1, 28, 28])```
    public init(_ dim: Int, _ sizes: [Int]) { self.dim = dim; self.sizes = sizes; super.init() }
    /// `x.unflatten(dim, sizes)`.
    public override func forward(_ x: Tensor) -> Tensor { x.unflatten(dim, sizes) }
}

/// `y = x1ᵀ A x2 + b` for each output feature.
public final class Bilinear: Module {
    /// The weight [out, in1, in2] and bias [out].
    public let weight: Tensor, bias: Tensor
    /// `y = x1ᵀ · W · x2 + b` from features `in1` and `in2` to `out`. ```Bilinear(4, 5, 3)```
    public init(_ in1: Int, _ in2: Int, _ out: Int) {
        let bound = 1 / Double(in1).squareRoot()
        weight = Tensor.empty([out, in1, in2]); bias = Tensor.empty([out])
        Init.uniform_(weight, -bound, bound); Init.uniform_(bias, -bound, bound)
        super.init()
        registerParameter("weight", weight)
        registerParameter("bias", bias)
    }
    /// The bilinear form of `x1` and `x2`.
    public func callAsFunction(_ x1: Tensor, _ x2: Tensor) -> Tensor { bilinear(x1, x2, weight, bias) }
}
