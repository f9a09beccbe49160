import Torch
import TorchBase

/// The set a parameter or a sample must lie in (`torch.distributions.constraints`); `check`
/// gives a bool per batch element, its description is PyTorch's repr (used in error messages).
///
/// ```swift
/// Constraint.positive.check(Tensor([1.0, -1.0]))   // [true, false]
/// ```
public indirect enum Constraint: CustomStringConvertible {
    case real
    case positive
    case nonnegative
    case unitInterval
    case greaterThan(Double)
    /// Below a tensor bound (`less_than`), as Uniform's low.
    case lessThan(Tensor)
    /// Above a tensor bound (`greater_than`), as Uniform's high.
    case above(Tensor)
    case boolean
    case nonnegativeInteger
    /// Integers in [lower, upper] (tensor bounds broadcast with the value).
    case integerInterval(Tensor, Tensor)
    /// Reals in [lower, upper] (tensor bounds).
    case interval(Tensor, Tensor)
    /// Reals in [lower, upper) (tensor bounds).
    case halfOpenInterval(Tensor, Tensor)
    case simplex
    case oneHot
    case lowerCholesky
    case positiveDefinite
    /// `base` checked over the rightmost `dims` dims, all of which must hold.
    case independent(Constraint, Int)

    /// How many rightmost dims one event of this constraint spans.
    public var eventDim: Int {
        switch self {
        case .simplex, .oneHot: return 1
        case .lowerCholesky, .positiveDefinite: return 2
        case .independent(let base, let d): return base.eventDim + d
        default: return 0
        }
    }

    /// Whether each event of `v` satisfies the constraint (bool, `v`'s shape less `eventDim` dims).
    public func check(_ v: Tensor) -> Tensor {
        let x = v.detach()
        switch self {
        case .real: return x .== x
        case .positive: return x .> 0.0
        case .nonnegative: return x .>= 0.0
        case .unitInterval: return (x .>= 0.0).logicalAnd(x .<= 1.0)
        case .greaterThan(let lo): return x .> lo
        case .lessThan(let hi): return x.lt(hi.detach())
        case .above(let lo): return x.gt(lo.detach())
        case .boolean: return (x .== 0.0).logicalOr(x .== 1.0)
        case .nonnegativeInteger: return (x .== x.floor()).logicalAnd(x .>= 0.0)
        case .integerInterval(let lo, let hi):
            return (x .== x.floor()).logicalAnd(x.ge(lo.detach())).logicalAnd(x.le(hi.detach()))
        case .interval(let lo, let hi): return x.ge(lo.detach()).logicalAnd(x.le(hi.detach()))
        case .halfOpenInterval(let lo, let hi): return x.ge(lo.detach()).logicalAnd(x.lt(hi.detach()))
        case .simplex:
            let sumsToOne = (x.sum(dims: [-1]) - 1.0).abs() .< 1e-6
            return (x .>= 0.0).all(dims: [-1]).logicalAnd(sumsToOne)
        case .oneHot:
            let ones = (x .== 1.0).sum(dims: [-1]) .== 1
            return (x .== 0.0).logicalOr(x .== 1.0).all(dims: [-1]).logicalAnd(ones)
        case .lowerCholesky:
            let lower = (x.tril() .== x).all(dims: [-2, -1])
            return lower.logicalAnd((x.diagonal(dim1: -2, dim2: -1) .> 0.0).all(dims: [-1]))
        case .positiveDefinite:
            let symmetric = ((x - x.transpose(-2, -1)).abs() .<= 1e-6).all(dims: [-2, -1])
            let (_, info) = Linalg.choleskyEx(x)
            return symmetric.logicalAnd(info .== Int32(0))
        case .independent(let base, let d):
            let r = base.check(x)
            if d == 0 { return r }
            return r.all(dims: Array((r.rank - d)..<r.rank))
        }
    }

    public var description: String {
        switch self {
        case .real: return "Real()"
        case .positive: return "GreaterThan(lower_bound=0.0)"
        case .nonnegative: return "GreaterThanEq(lower_bound=0.0)"
        case .unitInterval: return "Interval(lower_bound=0.0, upper_bound=1.0)"
        case .greaterThan(let lo): return "GreaterThan(lower_bound=\(lo))"
        case .lessThan(let hi): return "LessThan(upper_bound=\(hi))"
        case .above(let lo): return "GreaterThan(lower_bound=\(lo))"
        case .boolean: return "Boolean()"
        case .nonnegativeInteger: return "IntegerGreaterThan(lower_bound=0)"
        case .integerInterval(let lo, let hi): return "IntegerInterval(lower_bound=\(lo), upper_bound=\(hi))"
        case .interval(let lo, let hi): return "Interval(lower_bound=\(lo), upper_bound=\(hi))"
        case .halfOpenInterval(let lo, let hi): return "HalfOpenInterval(lower_bound=\(lo), upper_bound=\(hi))"
        case .simplex: return "Simplex()"
        case .oneHot: return "OneHot()"
        case .lowerCholesky: return "LowerCholesky()"
        case .positiveDefinite: return "PositiveDefinite()"
        case .independent(let base, let d): return "IndependentConstraint(\(base), \(d))"
        }
    }
}
