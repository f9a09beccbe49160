import Foundation
import TorchBase

// The complex forms of the element-wise primitives and reductions, written on the real parts
// (Note [Complex tensors]). Each is reached from the primitive's own entry point when an operand
// is complex; the formulas are the textbook ones, with the scalings that keep `|z|`, division and
// `sqrt` from overflowing or cancelling where C99's complex functions avoid it.

/// Complex arithmetic on real parts.
enum ComplexMath {
    /// Refuses a complex operand of `op` as PyTorch's kernel dispatch does.
    static func refuse(_ op: String, _ dtype: DType, file: StaticString, line: UInt) -> Never {
        torchFail(op, "\"\(Tensor.snake(op))\" not implemented for '\(dtype.pytorchName)'", file: file, line: line)
    }

    /// `P(a, b)` for a complex common dtype.
    static func binary<P: BinaryPrimitive>(
        _: P.Type, _ a: Tensor, _ b: Tensor, common: DType, file: StaticString, line: UInt
    ) -> Tensor {
        let shape = Checks.broadcastShapes(a.shape, b.shape).unwrap(P.name, file: file, line: line)
        let (a, b) = Tensor.sameDevice(a, b, P.name, file: file, line: line)
        let x = a.to(common).expand(shape), y = b.to(common).expand(shape)
        switch P.name {
        case "add": return (x.viewAsReal() + y.viewAsReal()).viewAsComplex()
        case "sub": return (x.viewAsReal() - y.viewAsReal()).viewAsComplex()
        case "mul": return mul(x, y)
        case "div": return div(x, y)
        case "pow", "powScalar": return pow(x, y)
        default: refuse(P.name, common, file: file, line: line)
        }
    }

    static func mul(_ x: Tensor, _ y: Tensor) -> Tensor {
        let (a, b) = x.complexParts(), (c, d) = y.complexParts()
        return Tensor.fromParts(a * c - b * d, a * d + b * c)
    }

    /// `x / y`, with the divisor scaled by its larger part so that |y|² cannot overflow.
    static func div(_ x: Tensor, _ y: Tensor) -> Tensor {
        let (a, b) = x.complexParts(), (c, d) = y.complexParts()
        let s = c.abs().maximum(d.abs())
        let safe = Tensor.where(s .== 0, Tensor.onesLike(s), s)
        let (cs, ds) = (c / safe, d / safe)
        let den = (cs * cs + ds * ds) * safe
        let re = (a * cs + b * ds) / den, im = (b * cs - a * ds) / den
        // A zero divisor: the parts divided by zero, as IEEE (and PyTorch's CPU kernels) give them.
        let zero = s .== 0
        return Tensor.fromParts(Tensor.where(zero, a / s, re), Tensor.where(zero, b / s, im))
    }

    /// `x ** y` = exp(y·log x), with 0 ** y = 0 for Re(y) > 0; a constant exponent of 1 or 2
    /// gives z or z·z exactly, as PyTorch's scalar-exponent kernel does.
    static func pow(_ x: Tensor, _ y: Tensor) -> Tensor {
        let r = exp(mul(y, log(x)))
        let (a, b) = x.complexParts(), (c, d) = Torch.noGrad { y.complexParts() }
        let zeroBase = (a .== 0) & (b .== 0) & (c .> 0)
        var (re, im) = r.complexParts()
        if !y.needsGradient {
            let square = mul(x, x).complexParts()
            let isTwo = (c .== 2) & (d .== 0), isOne = (c .== 1) & (d .== 0)
            re = Tensor.where(isTwo, square.re, Tensor.where(isOne, a, re))
            im = Tensor.where(isTwo, square.im, Tensor.where(isOne, b, im))
        }
        let z = Tensor.zerosLike(a)
        return Tensor.fromParts(Tensor.where(zeroBase, z, re), Tensor.where(zeroBase, z, im))
    }

    /// `|z|` without overflow (hypot), with PyTorch's gradient z/|z| and 0 at z = 0 (where
    /// hypot's own is 0/0): the origin is moved to 1 + 0i inside and masked outside, so every
    /// derivative order stays finite.
    static func abs(_ x: Tensor, file: StaticString, line: UInt) -> Tensor {
        let (a, b) = x.complexParts()
        let nonzero = Torch.noGrad { (a .!= 0) | (b .!= 0) }
        guard Tensor.shouldRecord(x) else { return a.hypot(b) }
        let r = Tensor.where(nonzero, a, Tensor.onesLike(a)).hypot(Tensor.where(nonzero, b, Tensor.zerosLike(b)))
        return Tensor.where(nonzero, r, Tensor.zerosLike(r))
    }

    /// z/|z|, 0 at z = 0 (`torch.sgn`).
    static func sgn(_ x: Tensor) -> Tensor {
        let r = abs(x, file: #fileID, line: #line).unsqueeze(-1)
        let safe = Tensor.where(r .== 0, Tensor.onesLike(r), r)
        return (x.viewAsReal() / safe).viewAsComplex()
    }

    static func exp(_ x: Tensor) -> Tensor {
        let (a, b) = x.complexParts()
        let m = a.exp()
        return Tensor.fromParts(m * b.cos(), m * b.sin())
    }

    static func log(_ x: Tensor) -> Tensor {
        let (a, b) = x.complexParts()
        return Tensor.fromParts(a.hypot(b).log(), b.atan2(a))
    }

    /// The principal square root, computed without cancellation for either sign of Re z.
    static func sqrt(_ x: Tensor) -> Tensor {
        let (a, b) = x.complexParts()
        let t = ((a.abs() + a.hypot(b)) * 0.5).sqrt()
        let safe = Tensor.where(t .== 0, Tensor.onesLike(t), t)
        let other = b.abs() / (safe * 2)
        let pos = a .>= 0
        let re = Tensor.where(pos, t, other)
        let im = Tensor.where(pos, b / (safe * 2), t.copysign(b))
        return Tensor.fromParts(re, im)
    }

    /// `P(x)` for a complex `x`.
    static func unary<P: UnaryPrimitive>(_: P.Type, _ x: Tensor, file: StaticString, line: UInt) -> Tensor {
        switch P.name {
        case "neg": return (-x.viewAsReal()).viewAsComplex()
        case "abs": return abs(x, file: file, line: line)
        case "exp": return exp(x)
        case "log": return log(x)
        case "sqrt": return sqrt(x)
        case "reciprocal": return div(Tensor.onesLike(x), x)
        case "square": return mul(x, x)
        case "sign":
            torchFail(
                "sign",
                "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use torch.sgn "
                    + "instead.", file: file, line: line)
        case "sin", "cos", "sinh", "cosh":
            let (a, b) = x.complexParts()
            switch P.name {
            case "sin": return Tensor.fromParts(a.sin() * b.cosh(), a.cos() * b.sinh())
            case "cos": return Tensor.fromParts(a.cos() * b.cosh(), -(a.sin() * b.sinh()))
            case "sinh": return Tensor.fromParts(a.sinh() * b.cos(), a.cosh() * b.sin())
            default: return Tensor.fromParts(a.cosh() * b.cos(), a.sinh() * b.sin())
            }
        case "tanh", "tan":
            // tanh z = sinh z / cosh z; tan z = -i·tanh(iz).
            let iz = P.name == "tan" ? mul(x, Tensor.scalar(Complex<Double>(0, 1), dtype: x.dtype)) : x
            let t = div(
                unary(Pointwise.Sinh.self, iz, file: file, line: line),
                unary(Pointwise.Cosh.self, iz, file: file, line: line))
            return P.name == "tan" ? mul(t, Tensor.scalar(Complex<Double>(0, -1), dtype: x.dtype)) : t
        default: return more(P.name, x, file: file, line: line)
        }
    }

    /// i·z.
    private static func timesI(_ z: Tensor) -> Tensor {
        let (a, b) = z.complexParts()
        return Tensor.fromParts(-b, a)
    }

    /// −i·z.
    private static func timesMinusI(_ z: Tensor) -> Tensor {
        let (a, b) = z.complexParts()
        return Tensor.fromParts(b, -a)
    }

    /// log(1 + z): near 0 its real part is ½·log1p(2a + a² + b²), which keeps small arguments'
    /// precision; elsewhere log|1 + z| (1 + a is exact near a = −1, where that sum cancels).
    static func log1p(_ x: Tensor) -> Tensor {
        let (a, b) = x.complexParts()
        let small = Torch.noGrad { (a.abs() .< 0.5) & (b.abs() .< 0.5) }
        let t = a * 2 + a * a + b * b
        let re = Tensor.where(small, t.log1p() * 0.5, (a + 1).hypot(b).log())
        return Tensor.fromParts(re, b.atan2(a + 1))
    }

    /// asinh z = log(z + √(z² + 1)), taken on the half plane Re z ≥ 0 and mirrored (asinh is odd),
    /// so that the sum never cancels.
    static func asinh(_ x: Tensor) -> Tensor {
        let (a, _) = Torch.noGrad { x.complexParts() }
        let flip = (a .< 0).unsqueeze(-1)
        let parts = x.viewAsReal()
        let w = Tensor.where(flip, -parts, parts).viewAsComplex()
        let r = log(w + sqrt(mul(w, w) + Tensor.onesLike(w))).viewAsReal()
        return Tensor.where(flip, -r, r).viewAsComplex()
    }

    /// atanh z = ½(log1p(z) − log1p(−z)).
    static func atanh(_ x: Tensor) -> Tensor {
        ((log1p(x).viewAsReal() - log1p(-x).viewAsReal()) * 0.5).viewAsComplex()
    }

    /// The rest of the complex element-wise functions, composed from the ones above; PyTorch's
    /// refusal for those it has no complex form of.
    private static func more(_ name: String, _ x: Tensor, file: StaticString, line: UInt) -> Tensor {
        let one = Tensor.onesLike(x)
        switch name {
        case "log2": return (log(x).viewAsReal() / Foundation.log(2.0)).viewAsComplex()
        case "log10": return (log(x).viewAsReal() / Foundation.log(10.0)).viewAsComplex()
        case "log1p": return log1p(x)
        case "exp2": return exp((x.viewAsReal() * Foundation.log(2.0)).viewAsComplex())
        case "expm1":
            // Re = expm1(a)·cos b − 2 sin²(b/2) keeps the precision of small arguments.
            let (a, b) = x.complexParts()
            let half = (b * 0.5).sin()
            return Tensor.fromParts(a.expm1() * b.cos() - half * half * 2, a.exp() * b.sin())
        case "rsqrt": return div(one, sqrt(x))
        case "sigmoid": return div(one, one + exp(-x))
        case "silu":
            if Tensor.shouldRecord(x) {
                torchFail(
                    name, "silu does not support automatic differentiation for outputs with complex dtype.",
                    file: file, line: line)
            }
            return div(x, one + exp(-x))
        case "asinh": return asinh(x)
        case "asin": return timesMinusI(asinh(timesI(x)))
        case "acos":
            // π/2 − asin z.
            let s = timesMinusI(asinh(timesI(x))).viewAsReal()
            let halfPi = Tensor.fromParts(
                Tensor.full(Array(x.shape), Double.pi / 2, dtype: x.dtype.realPart),
                Tensor.zeros(Array(x.shape), dtype: x.dtype.realPart))
            return (halfPi.viewAsReal() - s).viewAsComplex()
        case "acosh":
            // log(z + √(z + 1)·√(z − 1)), Kahan's form with the principal branch.
            return log(x + mul(sqrt(x + one), sqrt(x - one)))
        case "atanh": return atanh(x)
        case "atan": return timesMinusI(atanh(timesI(x)))
        case "sinc":
            // sin(πz)/(πz), 1 at z = 0.
            let pz = (x.viewAsReal() * Double.pi).viewAsComplex()
            let (a, b) = Torch.noGrad { x.complexParts() }
            let zero = ((a .== 0) & (b .== 0)).unsqueeze(-1)
            let safe = Tensor.where(zero, one.viewAsReal(), pz.viewAsReal()).viewAsComplex()
            let q = div(unary(Pointwise.Sin.self, safe, file: file, line: line), safe).viewAsReal()
            return Tensor.where(zero, one.viewAsReal(), q).viewAsComplex()
        case "deg2rad", "rad2deg":
            torchFail(name, "\(name) is not supported for complex tensors.", file: file, line: line)
        case "signbit": torchFail(name, "signbit is not implemented for complex tensors.", file: file, line: line)
        case "trunc": torchFail(name, "trunc is not supported for complex inputs", file: file, line: line)
        default: refuse(name, x.dtype, file: file, line: line)
        }
    }

    /// Sum over `dims` (non-negative, already checked) of a complex tensor: the parts summed.
    static func sum(_ x: Tensor, dims: [Int], keepdim: Bool) -> Tensor {
        let parts = x.viewAsReal()
        if dims.isEmpty { return parts.clone().viewAsComplex() }
        return parts.sum(dims: dims, keepdim: keepdim).viewAsComplex()
    }

    /// Product over `dims` (non-negative, already checked): the two halves of each reduced
    /// dimension multiplied until one slice is left (log₂ n complex products).
    static func prod(_ x: Tensor, dims: [Int], keepdim: Bool) -> Tensor {
        var t = x
        for dim in dims {
            var n = t.shape[dim]
            if n == 0 {
                // The empty product: one, still connected to the input (a zero gradient).
                let zero = sum(t, dims: [dim], keepdim: true)
                t = zero + Tensor.onesLike(zero)
                continue
            }
            while n > 1 {
                let h = n / 2
                var m = mul(t.narrow(dim, start: 0, length: h), t.narrow(dim, start: h, length: h))
                if n % 2 == 1 { m = Tensor.cat([m, t.narrow(dim, start: n - 1, length: 1)], dim: dim) }
                t = m
                n = t.shape[dim]
            }
        }
        if keepdim || dims.isEmpty { return dims.isEmpty ? t.clone() : t }
        return t.reshape((0..<x.rank).filter { !dims.contains($0) }.map { t.shape[$0] })
    }

    /// `P(a, b)` as a bool tensor for a complex common dtype: equality of both parts, the
    /// logical ops on "non-zero"; complex numbers have no order.
    static func compare<P: ComparisonPrimitive>(
        _: P.Type, _ a: Tensor, _ b: Tensor, common: DType, file: StaticString, line: UInt
    ) -> Tensor {
        let shape = Checks.broadcastShapes(a.shape, b.shape).unwrap(P.name, file: file, line: line)
        let (a, b) = Tensor.sameDevice(a, b, P.name, file: file, line: line)
        let (x, y) = Torch.noGrad {
            (a.to(common).expand(shape).complexParts(), b.to(common).expand(shape).complexParts())
        }
        switch P.name {
        case "eq": return (x.re .== y.re) & (x.im .== y.im)
        case "ne": return (x.re .!= y.re) | (x.im .!= y.im)
        case "logicalAnd", "logicalOr", "logicalXor":
            let p = (x.re .!= 0) | (x.im .!= 0), q = (y.re .!= 0) | (y.im .!= 0)
            return P.name == "logicalAnd" ? p & q : (P.name == "logicalOr" ? p | q : p ^ q)
        default: refuse(P.name + "_cpu", common, file: file, line: line)
        }
    }
}
