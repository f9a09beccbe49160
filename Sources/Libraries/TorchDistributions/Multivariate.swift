import Torch
import TorchBase

/// How a multivariate normal's spread is given: exactly one of PyTorch's three keyword arguments.
public enum MultivariateNormalScale {
    case covariance(Tensor)
    case precision(Tensor)
    case scaleTril(Tensor)
}

/// The multivariate normal N(loc, Σ) (`torch.distributions.MultivariateNormal`), kept as the
/// lower Cholesky factor L of Σ (unbroadcast, as PyTorch's `_unbroadcasted_scale_tril`).
///
/// ```swift
/// let d = MultivariateNormal(loc: Tensor([0.0, 0.0]), .covariance(Tensor([[2.0, 0.5], [0.5, 1.0]])))
/// d.logProb(Tensor([0.1, -0.2]))
/// ```
public final class MultivariateNormal: Distribution {
    public let loc: Tensor
    /// L with Σ = L Lᵀ, batch dims not broadcast to loc's.
    public let scaleTrilUnbroadcast: Tensor
    private let given: MultivariateNormalScale

    public init(
        loc: Tensor, _ scale: MultivariateNormalScale, validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        if loc.rank < 1 {
            torchFail("MultivariateNormal", "loc must be at least one-dimensional.", file: file, line: line)
        }
        let m: Tensor
        let what: String
        switch scale {
        case .covariance(let t): (m, what) = (t, "covariance_matrix")
        case .precision(let t): (m, what) = (t, "precision_matrix")
        case .scaleTril(let t): (m, what) = (t, "scale_tril")
        }
        if m.rank < 2 {
            torchFail(
                "MultivariateNormal",
                "\(what) must be at least two-dimensional, with optional leading batch dimensions", file: file,
                line: line)
        }
        let batch = Checks.broadcastShapes(Array(m.shape.dropLast(2)), Array(loc.shape.dropLast()))
            .unwrap("MultivariateNormal", file: file, line: line)
        let k = loc.shape.last!
        let dt = promoteTypes(loc.dtype, m.dtype)
        self.loc = loc.to(dt).expand(batch + [k])
        given = scale
        // While validating, the base class reports a matrix that is not positive definite (as
        // PyTorch's constraint check does, before any factorisation), so the factor must not trap.
        let validating = validateArgs ?? Distribution.validateArgsByDefault
        func factor(_ a: Tensor) -> Tensor {
            validating ? Linalg.choleskyEx(a).0 : Linalg.cholesky(a, file: file, line: line)
        }
        switch scale {
        case .scaleTril(let t): scaleTrilUnbroadcast = t.to(dt)
        case .covariance(let t): scaleTrilUnbroadcast = factor(t.to(dt))
        case .precision(let t): scaleTrilUnbroadcast = MultivariateNormal.precisionToScaleTril(t.to(dt), factor)
        }
        super.init(batchShape: batch, eventShape: [k], validateArgs: validateArgs, file: file, line: line)
    }

    /// L of Σ = P⁻¹ without inverting P: the Cholesky factor of P with its rows and columns
    /// reversed gives L⁻¹ᵀ, then one triangular solve.
    static func precisionToScaleTril(_ p: Tensor, _ factor: (Tensor) -> Tensor) -> Tensor {
        let lf = factor(p.flip([-2, -1]))
        let lInv = lf.flip([-2, -1]).transpose(-2, -1)
        let n = p.shape.last!
        let eye = Tensor.eye(n, dtype: p.dtype).expand(lInv.shape)
        return Linalg.solveTriangular(lInv, eye, upper: false)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] {
        switch given {
        case .scaleTril(let t): return [("loc", loc, .independent(.real, 1)), ("scale_tril", t, .lowerCholesky)]
        case .covariance(let t):
            return [("loc", loc, .independent(.real, 1)), ("covariance_matrix", t, .positiveDefinite)]
        case .precision(let t):
            return [("loc", loc, .independent(.real, 1)), ("precision_matrix", t, .positiveDefinite)]
        }
    }
    override public var support: Constraint { .independent(.real, 1) }
    override public var hasRsample: Bool { true }
    override public var mean: Tensor { loc }
    override public var mode: Tensor { loc }
    override public var variance: Tensor {
        scaleTrilUnbroadcast.pow(2).sum(dims: [-1]).expand(batchShape + eventShape)
    }
    /// L, broadcast to the batch shape.
    public var scaleTril: Tensor { scaleTrilUnbroadcast.expand(batchShape + eventShape + eventShape) }
    /// Σ = L Lᵀ.
    public var covarianceMatrix: Tensor {
        scaleTrilUnbroadcast.matmul(scaleTrilUnbroadcast.transpose(-2, -1)).expand(
            batchShape + eventShape + eventShape)
    }
    /// Σ⁻¹ = L⁻ᵀ L⁻¹.
    public var precisionMatrix: Tensor {
        let n = eventShape[0]
        let eye = Tensor.eye(n, dtype: loc.dtype).expand(scaleTrilUnbroadcast.shape)
        let lInv = Linalg.solveTriangular(scaleTrilUnbroadcast, eye, upper: false)
        return lInv.transpose(-2, -1).matmul(lInv).expand(batchShape + eventShape + eventShape)
    }

    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        let eps = normal(extendedShape(sampleShape), like: loc, generator: generator)
        return loc + scaleTrilUnbroadcast.matmul(eps.unsqueeze(-1)).squeeze(-1)
    }
    /// ‖L⁻¹ x‖² for each vector x (L broadcast over x's leading dims).
    static func mahalanobis(_ l: Tensor, _ x: Tensor) -> Tensor {
        let n = x.shape.last!
        let batch = Checks.broadcastShapes(Array(l.shape.dropLast(2)), Array(x.shape.dropLast()))
            .unwrap("MultivariateNormal", file: #fileID, line: #line)
        let lb = l.expand(batch + [n, n]).contiguous()
        let xb = x.expand(batch + [n]).unsqueeze(-1).contiguous()
        return Linalg.solveTriangular(lb, xb, upper: false).squeeze(-1).pow(2).sum(dims: [-1])
    }
    private var halfLogDet: Tensor {
        scaleTrilUnbroadcast.diagonal(dim1: -2, dim2: -1).log().sum(dims: [-1])
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let k = Double(eventShape[0])
        let m = MultivariateNormal.mahalanobis(scaleTrilUnbroadcast, value - loc)
        return -0.5 * (k * Double.log(2 * Double.pi) + m) - halfLogDet
    }
    override public func entropy() -> Tensor {
        let k = Double(eventShape[0])
        let h = 0.5 * k * (1.0 + Double.log(2 * Double.pi)) + halfLogDet
        return batchShape.isEmpty ? h : h.expand(batchShape)
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        MultivariateNormal(
            loc: loc.expand(batchShape + eventShape), .scaleTril(scaleTrilUnbroadcast), validateArgs: false)
    }
}

/// Reinterprets the rightmost `reinterpretedBatchDims` batch dims of `base` as event dims
/// (`torch.distributions.Independent`): log-probabilities and entropies sum over them.
///
/// ```swift
/// let d = Independent(Normal(loc: .zeros([3]), scale: .ones([3])), 1)   // event shape [3]
/// ```
public final class Independent: Distribution {
    public let base: Distribution
    public let reinterpretedBatchDims: Int

    public init(
        _ base: Distribution, _ reinterpretedBatchDims: Int, validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        let n = reinterpretedBatchDims
        if n > base.batchShape.count {
            torchFail(
                "Independent",
                "Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), actual \(n) vs "
                    + "\(base.batchShape.count)", file: file, line: line)
        }
        self.base = base
        self.reinterpretedBatchDims = n
        let split = base.batchShape.count - n
        super.init(
            batchShape: Array(base.batchShape.prefix(split)),
            eventShape: Array(base.batchShape.suffix(n)) + base.eventShape, validateArgs: validateArgs, file: file,
            line: line)
    }

    override public var name: String { "Independent" }
    override public var description: String { "Independent(\(base), \(reinterpretedBatchDims))" }
    override public var support: Constraint { .independent(base.support, reinterpretedBatchDims) }
    override public var hasRsample: Bool { base.hasRsample }
    override public var isDiscrete: Bool { base.isDiscrete }
    override public var mean: Tensor { base.mean }
    override public var mode: Tensor { base.mode }
    override public var variance: Tensor { base.variance }

    override public func sample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        base.sample(sampleShape, generator: generator)
    }
    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        base.rsample(sampleShape, generator: generator)
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        sumRightmost(base.logProb(value), reinterpretedBatchDims)
    }
    override public func entropy() -> Tensor { sumRightmost(base.entropy(), reinterpretedBatchDims) }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        let extra = Array(base.batchShape.suffix(reinterpretedBatchDims))
        return Independent(base.expand(batchShape + extra), reinterpretedBatchDims, validateArgs: false)
    }
}

/// Sums the rightmost `n` dims (`_sum_rightmost`).
func sumRightmost(_ x: Tensor, _ n: Int) -> Tensor {
    n == 0 ? x : x.sum(dims: Array((x.rank - n)..<x.rank))
}
