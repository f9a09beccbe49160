import Torch
import TorchBase
import RealModule

/// `y = x Wᵀ + b`, PyTorch's default initialisation.
public final class Linear: Module {
    /// The sizes of the input's last dimension and of the output's.
    public let inFeatures: Int, outFeatures: Int
    /// The weight [out, in], Kaiming-uniform initialised as PyTorch (its parametrized value once
    /// it has a parametrization, Note [Parametrizations]). Assigning another tensor registers it
    /// in its place: `decoder.weight = encoder.weight` ties the two, as PyTorch's weight tying
    /// (one parameter, two state-dict entries).
    public var weight: Tensor {
        get { tensor("weight") }
        set { setTensor("weight", newValue) }
    }
    /// The bias [out], or nil.
    public var bias: Tensor? { optionalTensor("bias") }

    /// `y = x · Wᵀ + b` from `inFeatures` to `outFeatures`.
    ///
    /// ```swift
    /// let fc = Linear(784, 10)
    /// ```
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32) {
        (self.inFeatures, self.outFeatures) = (inFeatures, outFeatures)
        let weight = Tensor.empty([outFeatures, inFeatures], dtype: dtype)
        Init.kaimingUniform_(weight)
        super.init()
        registerParameter("weight", weight)
        if bias { registerParameter("bias", Init.defaultBias(outFeatures, fanIn: inFeatures, dtype: dtype)) }
    }

    /// `x · weightᵀ + bias` over the last dimension of `x`; an input whose last dimension is not
    /// `inFeatures` is refused naming the layer and both shapes.
    public override func forward(_ x: Tensor) -> Tensor {
        let w = weight
        let width = w.shape[1]
        if x.rank == 0 || x.shape[x.rank - 1] != width {
            torchFail(
                callSiteDescription, "expected input [*, \(width)], got \(x.shape)", file: #fileID, line: #line)
        }
        return linear(x, w, bias)
    }
    public override var extraRepr: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(hasTensor("bias") ? "True" : "False")"
    }
}

/// The ReLU layer (`torch.nn.ReLU`).
///
/// ```swift
/// let model = Sequential(Linear(4, 8), ReLU(), Linear(8, 1))
/// ```
public final class ReLU: Module {
    /// Whether `forward` overwrites its input (`relu_`), as PyTorch's `inplace=True`.
    public let inplace: Bool
    /// The ReLU layer. `ReLU(inplace: true)`
    public init(inplace: Bool = false) {
        self.inplace = inplace
        super.init()
    }
    /// `max(x, 0)`.
    public override func forward(_ x: Tensor) -> Tensor { inplace ? x.relu_() : x.relu() }
    public override var extraRepr: String { inplace ? "inplace=True" : "" }
}

/// Flattens the dimensions from `startDim` on (`torch.nn.Flatten`). `Flatten()`
public final class Flatten: Module {
    package let start: Int, end: Int
    /// Flattening dims `startDim...endDim` (defaults 1 and -1: keep the batch dimension).
    public init(startDim: Int = 1, endDim: Int = -1) { (start, end) = (startDim, endDim); super.init() }
    /// Positional form, as PyTorch's `Flatten(1, -1)`. `Flatten(1, 2)`
    public convenience init(_ startDim: Int, _ endDim: Int) { self.init(startDim: startDim, endDim: endDim) }
    /// `x.flatten(startDim:endDim:)`.
    public override func forward(_ x: Tensor) -> Tensor { x.flatten(startDim: start, endDim: end) }
    public override var extraRepr: String { "start_dim=\(start), end_dim=\(end)" }
}

/// Zeroes whole channels with probability `p` in training (`torch.nn.Dropout1d/2d/3d`).
public class ChannelDropout: Module {
    let p: Double, spatialDims: Int
    init(_ p: Double, spatialDims: Int) {
        (self.p, self.spatialDims) = (p, spatialDims)
        super.init()
    }
    /// `x` with channel dropout in training mode, unchanged in evaluation mode.
    public override func forward(_ x: Tensor) -> Tensor {
        channelDropout(x, p: p, training: training, spatialDims: spatialDims)
    }
    public override var extraRepr: String { "p=\(p), inplace=False" }
}

/// Channel dropout over [N, C, L]. `Dropout1d(0.2)`
public final class Dropout1d: ChannelDropout {
    /// Dropout of whole channels with probability `p`.
    public init(_ p: Double = 0.5) { super.init(p, spatialDims: 1) }
}

/// Channel dropout over [N, C, H, W] (`torch.nn.Dropout2d`). `Dropout2d(0.25)`
public final class Dropout2d: ChannelDropout {
    /// Dropout of whole feature maps with probability `p`.
    public init(_ p: Double = 0.5) { super.init(p, spatialDims: 2) }
}

/// Channel dropout over [N, C, D, H, W]. `Dropout3d(0.1)`
public final class Dropout3d: ChannelDropout {
    /// Dropout of whole volumes with probability `p`.
    public init(_ p: Double = 0.5) { super.init(p, spatialDims: 3) }
}

/// Zeroes elements with probability `p` in training, scaling the rest by `1 / (1 - p)` (`torch.nn.Dropout`).
/// `Dropout(0.1)`
public final class Dropout: Module {
    let p: Double
    /// Whether training-mode dropout overwrites its input, as PyTorch's `inplace=True`.
    public let inplace: Bool
    /// Dropout with probability `p` (default 0.5). `Dropout(0.2, inplace: true)`
    public init(_ p: Double = 0.5, inplace: Bool = false) {
        self.p = p
        self.inplace = inplace
        super.init()
    }
    /// `x` with dropout in training mode, `x` unchanged in evaluation mode.
    public override func forward(_ x: Tensor) -> Tensor { dropout(x, p: p, training: training, inplace: inplace) }
    public override var extraRepr: String { "p=\(p), inplace=\(inplace ? "True" : "False")" }
}

/// The alpha dropout layers: one draw per element (`AlphaDropout`) or per channel
/// (`FeatureAlphaDropout`) in training mode, the identity in evaluation mode.
public class AlphaDropoutLayer: Module {
    let p: Double, feature: Bool
    /// Whether training-mode dropout overwrites its input, as PyTorch's `inplace=True`.
    public let inplace: Bool
    init(_ p: Double, inplace: Bool, feature: Bool) {
        (self.p, self.inplace, self.feature) = (p, inplace, feature)
        super.init()
    }
    /// `alphaDropout(x)` (or `featureAlphaDropout(x)`) in training mode, `x` in evaluation mode.
    public override func forward(_ x: Tensor) -> Tensor {
        feature
            ? featureAlphaDropout(x, p: p, training: training, inplace: inplace)
            : alphaDropout(x, p: p, training: training, inplace: inplace)
    }
    public override var extraRepr: String { "p=\(p), inplace=\(inplace ? "True" : "False")" }
}

/// Alpha dropout (`torch.nn.AlphaDropout`), for SELU networks. `AlphaDropout(0.1)`
public final class AlphaDropout: AlphaDropoutLayer {
    /// Alpha dropout with probability `p` (default 0.5).
    public init(_ p: Double = 0.5, inplace: Bool = false) { super.init(p, inplace: inplace, feature: false) }
}

/// Feature alpha dropout (`torch.nn.FeatureAlphaDropout`): one draw per channel. `FeatureAlphaDropout(0.2)`
public final class FeatureAlphaDropout: AlphaDropoutLayer {
    /// Feature alpha dropout with probability `p` (default 0.5).
    public init(_ p: Double = 0.5, inplace: Bool = false) { super.init(p, inplace: inplace, feature: true) }
}

/// Splits dimension `dim` into `sizes`.
public final class Unflatten: Module {
    let dim: Int, sizes: [Int]
    /// Splits dimension `dim` into `sizes`. `Unflatten(1, [1, 28, 28])`
    public init(_ dim: Int, _ sizes: [Int]) { self.dim = dim; self.sizes = sizes; super.init() }
    /// `x.unflatten(dim, sizes)`.
    public override func forward(_ x: Tensor) -> Tensor { x.unflatten(dim, sizes) }
}

/// `y = x1ᵀ A x2 + b` for each output feature.
public final class Bilinear: Module {
    /// The weight [out, in1, in2] (through its parametrizations, if any).
    public var weight: Tensor { tensor("weight") }
    /// The bias [out].
    public var bias: Tensor { tensor("bias") }
    /// `y = x1ᵀ · W · x2 + b` from features `in1` and `in2` to `out`. `Bilinear(4, 5, 3)`
    public init(_ in1: Int, _ in2: Int, _ out: Int) {
        let bound = 1 / Double(in1).squareRoot()
        let weight = Tensor.empty([out, in1, in2]), bias = Tensor.empty([out])
        Init.uniform_(weight, -bound, bound); Init.uniform_(bias, -bound, bound)
        super.init()
        registerParameter("weight", weight)
        registerParameter("bias", bias)
    }
    /// The bilinear form of `x1` and `x2`.
    public func callAsFunction(_ x1: Tensor, _ x2: Tensor) -> Tensor {
        withParametrizationCache { bilinear(x1, x2, weight, bias) }
    }
}
