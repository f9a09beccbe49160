import Torch
import TorchBase

// Products, statistics, stacking, distances, integrals, element tests and the *_scatter copies
// added in stop 30 (#14), by the generator's names.

let productAndStackOps: [String: DiffOp] = [
    "inner": two { $0.inner($1) }, "vdot": two { $0.vdot($1) },
    "addcmul": { xs, c in [xs[0].addcmul(xs[1], xs[2], value: c.double("value"))] },
    "addcdiv": { xs, c in [xs[0].addcdiv(xs[1], xs[2], value: c.double("value"))] },
    "diff": { xs, c in
        let extra = xs.count > 1 ? xs[1] : nil
        return [
            xs[0].diff(
                n: c.int("n"), dim: c.int("dim"), prepend: c.bool("pre") ? extra : nil,
                append: c.bool("app") ? extra : nil)
        ]
    },
    "cov": { xs, c in
        var k = 1
        let fw = c.bool("fw") ? xs[k] : nil
        if fw != nil { k += 1 }
        let aw = c.bool("aw") ? xs[k] : nil
        return [xs[0].cov(correction: c.int("correction"), fweights: fw, aweights: aw)]
    },
    "corrcoef": one { $0.corrcoef() }, "cross_default_dim": two { $0.cross($1) },
    "hstack": { xs, _ in [Tensor.hstack(xs)] }, "vstack": { xs, _ in [Tensor.vstack(xs)] },
    "dstack": { xs, _ in [Tensor.dstack(xs)] }, "column_stack": { xs, _ in [Tensor.columnStack(xs)] },
    "row_stack": { xs, _ in [Tensor.rowStack(xs)] }, "broadcast_tensors": { xs, _ in Tensor.broadcastTensors(xs) },
    "diagflat": { xs, c in [xs[0].diagflat(c.int("offset"))] },
    "vander": { xs, c in [Tensor.vander(xs[0], n: c.intOrNil("n"), increasing: c.bool("inc"))] },
    "cdist": { xs, c in [Tensor.cdist(xs[0], xs[1], p: c.double("p"))] },
    "pdist": { xs, c in [Tensor.pdist(xs[0], p: c.double("p"))] },
    "renorm": { xs, c in [xs[0].renorm(p: c.double("p"), dim: c.int("dim"), maxnorm: c.double("maxnorm"))] },
    "trapezoid": { xs, c in [Tensor.trapezoid(xs[0], dx: c.double("dx"), dim: c.int("dim"))] },
    "trapezoid_x": { xs, c in [Tensor.trapezoid(xs[0], x: xs[1], dim: c.int("dim"))] },
    "cumulative_trapezoid": { xs, c in
        [Tensor.cumulativeTrapezoid(xs[0], x: xs.count > 1 ? xs[1] : nil, dx: c.double("dx"), dim: c.int("dim"))]
    },
    "isposinf": one { $0.isposinf() }, "isneginf": one { $0.isneginf() }, "isreal": one { $0.isreal() },
    "cx_isreal": { xs, _ in [xs[0].viewAsComplex().isreal()] }, "heaviside": two { $0.heaviside($1) },
    "frexp": { xs, _ in
        let r = xs[0].frexp()
        return [r.mantissa, r.exponent]
    },
    "argwhere": one { $0.argwhere() },
    "select_scatter": { xs, c in [xs[0].selectScatter(xs[1], dim: c.int("dim"), index: c.int("index"))] },
    "slice_scatter": { xs, c in
        [
            xs[0].sliceScatter(
                xs[1], dim: c.int("dim"), start: c.intOrNil("start"), end: c.intOrNil("end"), step: c.int("step"))
        ]
    },
    "diagonal_scatter": { xs, c in
        [xs[0].diagonalScatter(xs[1], offset: c.int("offset"), dim1: c.int("dim1"), dim2: c.int("dim2"))]
    },
    "cholesky_solve": { xs, c in
        let upper = c.bool("upper")
        return [Linalg.choleskySolve(xs[1], Linalg.cholesky(positiveDefinite(xs[0]), upper: upper), upper: upper)]
    },
    "cholesky_inverse": { xs, c in
        let upper = c.bool("upper")
        return [Linalg.choleskyInverse(Linalg.cholesky(positiveDefinite(xs[0]), upper: upper), upper: upper)]
    },
]
