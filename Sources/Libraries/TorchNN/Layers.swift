import Torch
import TorchBase
import RealModule

/// `y = x Wᵀ + b`, PyTorch's default initialisation.
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32) {
        weight = Tensor.empty([outFeatures, inFeatures], dtype: dtype)
        Init.kaimingUniform_(weight)
        self.bias = bias ? Init.defaultBias(outFeatures, fanIn: inFeatures, dtype: dtype) : nil
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public override func forward(_ x: Tensor) -> Tensor { linear(x, weight, bias) }
}

public final class ReLU: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.relu() }
}

public final class Flatten: Module {
    let start: Int
    public init(startDim: Int = 1) { start = startDim; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.flatten(startDim: start) }
}

public final class Dropout: Module {
    let p: Double
    public init(_ p: Double = 0.5) { self.p = p; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { dropout(x, p: p, training: training) }
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
