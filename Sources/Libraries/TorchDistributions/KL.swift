import Synchronization
import Torch
import TorchBase

// Note [KL registry]: closed-form KL divergences keyed by the (p, q) class pair, as PyTorch's
// `register_kl`. Lookup is exact on the pair first, then walks p's and q's superclasses (Chi2 is
// a Gamma), as PyTorch's most-specific match. A pair without a form refuses with PyTorch's
// NotImplementedError text.

/// KL(p ‖ q) of each batch element (`torch.distributions.kl_divergence`).
///
/// ```swift
/// klDivergence(Normal(0, 1), Normal(1, 2))   // 0.4431
/// ```
public func klDivergence(
    _ p: Distribution, _ q: Distribution, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    var pt: AnyClass? = type(of: p)
    while let pc = pt {
        var qt: AnyClass? = type(of: q)
        while let qc = qt {
            if let f = KLRegistry.table.withLock({ $0[KLRegistry.Key(pc, qc)] }) { return f(p, q) }
            qt = distributionSuperclass(qc)
        }
        pt = distributionSuperclass(pc)
    }
    torchFail(
        "kl_divergence", "No KL(p || q) is implemented for p type \(p.name) and q type \(q.name)", file: file,
        line: line)
}

/// The superclass of a Distribution subclass (nil at the root).
func distributionSuperclass(_ c: AnyClass) -> AnyClass? {
    let s: AnyClass? = _getSuperclass(c)
    return s == nil || ObjectIdentifier(s!) == ObjectIdentifier(Distribution.self) ? nil : s
}

/// Adds a closed form KL(p ‖ q) for a pair of distribution classes (`register_kl`).
///
/// ```swift
/// registerKL(MyDist.self, Normal.self) { p, q in ... }
/// ```
public func registerKL<P: Distribution, Q: Distribution>(
    _: P.Type, _: Q.Type, _ f: @escaping @Sendable (P, Q) -> Tensor
) {
    KLRegistry.table.withLock { $0[KLRegistry.Key(P.self, Q.self)] = { f($0 as! P, $1 as! Q) } }
}

enum KLRegistry {
    struct Key: Hashable {
        let p: ObjectIdentifier, q: ObjectIdentifier
        init(_ p: AnyClass, _ q: AnyClass) { (self.p, self.q) = (ObjectIdentifier(p), ObjectIdentifier(q)) }
    }
    typealias Form = @Sendable (Distribution, Distribution) -> Tensor

    static let table = Mutex<[Key: Form]>(builtIn())

    private static func entry<P: Distribution, Q: Distribution>(
        _: P.Type, _: Q.Type, _ f: @escaping @Sendable (P, Q) -> Tensor
    ) -> (Key, Form) {
        (Key(P.self, Q.self), { f($0 as! P, $1 as! Q) })
    }

    /// `t` with +inf where `mask` holds.
    static func inf(_ t: Tensor, where mask: Tensor) -> Tensor { Tensor.where(mask, Double.infinity, t) }
    static func zero(_ t: Tensor, where mask: Tensor) -> Tensor { Tensor.where(mask, 0.0, t) }

    static func builtIn() -> [Key: Form] {
        let forms: [(Key, Form)] = [
            entry(Normal.self, Normal.self) { p, q in
                let varRatio = (p.scale / q.scale).pow(2)
                let t1 = ((p.loc - q.loc) / q.scale).pow(2)
                return 0.5 * (varRatio + t1 - 1.0 - varRatio.log())
            },
            entry(Bernoulli.self, Bernoulli.self) { p, q in
                var t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
                t1 = zero(inf(t1, where: q.probs .== 0.0), where: p.probs .== 0.0)
                var t2 = (1.0 - p.probs) * (softplus(q.logits) - softplus(p.logits))
                t2 = zero(inf(t2, where: q.probs .== 1.0), where: p.probs .== 1.0)
                return t1 + t2
            },
            entry(Categorical.self, Categorical.self) { p, q in categoricalKL(p, q) },
            entry(OneHotCategorical.self, OneHotCategorical.self) { p, q in categoricalKL(p.categorical, q.categorical)
            },
            entry(Uniform.self, Uniform.self) { p, q in
                let r = ((q.high - q.low) / (p.high - p.low)).log()
                return inf(r, where: q.low.gt(p.low).logicalOr(q.high.lt(p.high)))
            },
            entry(Exponential.self, Exponential.self) { p, q in
                let ratio = q.rate / p.rate
                return -ratio.log() + ratio - 1.0
            },
            entry(Laplace.self, Laplace.self) { p, q in
                let scaleRatio = p.scale / q.scale
                let locDiff = (p.loc - q.loc).abs()
                return -scaleRatio.log() + locDiff / q.scale + scaleRatio * (-locDiff / p.scale).exp() - 1.0
            },
            entry(Cauchy.self, Cauchy.self) { p, q in
                let t1 = ((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)).log()
                return t1 - (4.0 * p.scale * q.scale).log()
            },
            entry(LogNormal.self, LogNormal.self) { p, q in klDivergence(p.base, q.base) },
            entry(Gamma.self, Gamma.self) { p, q in
                let t1 = q.concentration * (p.rate / q.rate).log()
                let t2 = q.concentration.lgamma() - p.concentration.lgamma()
                let t3 = (p.concentration - q.concentration) * p.concentration.digamma()
                return t1 + t2 + t3 + (q.rate - p.rate) * (p.concentration / p.rate)
            },
            entry(Beta.self, Beta.self) { p, q in
                let sp = p.concentration1 + p.concentration0, sq = q.concentration1 + q.concentration0
                let t1 = q.concentration1.lgamma() + q.concentration0.lgamma() + sp.lgamma()
                let t2 = p.concentration1.lgamma() + p.concentration0.lgamma() + sq.lgamma()
                let t3 = (p.concentration1 - q.concentration1) * p.concentration1.digamma()
                let t4 = (p.concentration0 - q.concentration0) * p.concentration0.digamma()
                return t1 - t2 + t3 + t4 + (sq - sp) * sp.digamma()
            },
            entry(Dirichlet.self, Dirichlet.self) { p, q in
                let sp = p.concentration.sum(dims: [-1]), sq = q.concentration.sum(dims: [-1])
                let t1 = sp.lgamma() - sq.lgamma()
                let t2 = (p.concentration.lgamma() - q.concentration.lgamma()).sum(dims: [-1])
                let t4 = p.concentration.digamma() - sp.digamma().unsqueeze(-1)
                return t1 - t2 + ((p.concentration - q.concentration) * t4).sum(dims: [-1])
            },
            entry(Poisson.self, Poisson.self) { p, q in
                p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)
            },
            entry(Geometric.self, Geometric.self) { p, q in
                -p.entropy() - (-q.probs).log1p() / p.probs - q.logits
            },
            entry(MultivariateNormal.self, MultivariateNormal.self) { p, q in mvnKL(p, q) },
            entry(Independent.self, Independent.self) { p, q in
                if p.reinterpretedBatchDims != q.reinterpretedBatchDims {
                    torchFail(
                        "kl_divergence",
                        "No KL(p || q) is implemented for Independent distributions with "
                            + "different reinterpreted_batch_ndims", file: #fileID, line: #line)
                }
                return sumRightmost(klDivergence(p.base, q.base), p.reinterpretedBatchDims)
            },
            entry(Binomial.self, Binomial.self) { p, q in
                if (p.totalCount .< q.totalCount).any().item(Bool.self) {
                    torchFail(
                        "kl_divergence",
                        "KL between Binomials where q.total_count > p.total_count is not implemented",
                        file: #fileID, line: #line)
                }
                let kl = p.totalCount * (p.probs * (p.logits - q.logits) + (-p.probs).log1p() - (-q.probs).log1p())
                return inf(kl, where: p.totalCount .> q.totalCount)
            },
            entry(Exponential.self, Gamma.self) { p, q in
                let ratio = q.rate / p.rate
                let euler = 0.57721566490153286061
                return -q.concentration * ratio.log() + ratio + q.concentration.lgamma() + q.concentration * euler
                    - (1 + euler)
            },
            entry(Normal.self, Laplace.self) { p, q in
                let locDiff = p.loc - q.loc
                let scaleRatio = p.scale / q.scale
                let z = locDiff / p.scale
                let t2 = (2 / Double.pi).squareRoot() * p.scale * (-0.5 * z.pow(2)).exp()
                let t3 = locDiff * ((0.5).squareRoot() * z).erf()
                return -scaleRatio.log() + (t2 + t3) / q.scale - 0.5 * (1 + Double.log(0.5 * Double.pi))
            },
            entry(Uniform.self, Normal.self) { p, q in
                let width = p.high - p.low
                let t1 = ((2 * Double.pi).squareRoot() * q.scale / width).log()
                let t2 = width.pow(2) / 12.0
                let t3 = ((p.high + p.low - 2.0 * q.loc) / 2.0).pow(2)
                return t1 + 0.5 * (t2 + t3) / q.scale.pow(2)
            },
        ]
        return Dictionary(forms, uniquingKeysWith: { a, _ in a })
    }

    static func categoricalKL(_ p: Categorical, _ q: Categorical) -> Tensor {
        var t = p.probs * (p.logits - q.logits)
        t = inf(t, where: (q.probs .== 0.0).expand(t.shape))
        t = zero(t, where: (p.probs .== 0.0).expand(t.shape))
        return t.sum(dims: [-1])
    }

    static func mvnKL(_ p: MultivariateNormal, _ q: MultivariateNormal) -> Tensor {
        if p.eventShape != q.eventShape {
            torchFail(
                "kl_divergence",
                "KL-divergence between two Multivariate Normals with different event shapes cannot be computed",
                file: #fileID, line: #line)
        }
        let lp = p.scaleTrilUnbroadcast, lq = q.scaleTrilUnbroadcast
        let halfTerm1 =
            lq.diagonal(dim1: -2, dim2: -1).log().sum(dims: [-1])
            - lp.diagonal(dim1: -2, dim2: -1).log().sum(dims: [-1])
        let batch = try! Checks.broadcastShapes(Array(lq.shape.dropLast(2)), Array(lp.shape.dropLast(2))).get()
        let n = p.eventShape[0]
        let x = Linalg.solveTriangular(
            lq.expand(batch + [n, n]).contiguous(), lp.expand(batch + [n, n]).contiguous(), upper: false)
        let term2 = x.pow(2).sum(dims: [-2, -1])
        let term3 = MultivariateNormal.mahalanobis(lq, q.loc - p.loc)
        return halfTerm1 + 0.5 * (term2 + term3 - Double(n))
    }
}
