import TorchBase

// Inverse hyperbolic functions, angle conversions, and the special functions of `torch.special`
// (Note [Unary primitives]; their scalar math is in Special+Math.swift, Note [Special-function
// math]). Each type is the whole definition of its op; the public methods are at the end.

extension UnaryPrimitives {
    static let special: [any UnaryPrimitive.Type] = [
        Pointwise.Asinh.self, Pointwise.Acosh.self, Pointwise.Atanh.self, Pointwise.Deg2rad.self,
        Pointwise.Rad2deg.self, Pointwise.Sinc.self, Pointwise.Frac.self, Pointwise.Erfinv.self,
        Pointwise.Lgamma.self, Pointwise.Digamma.self, Pointwise.Trigamma.self, Pointwise.I0.self, Pointwise.I0e.self,
        Pointwise.I1.self,
        Pointwise.I1e.self, Pointwise.Ndtri.self, Pointwise.LogNdtr.self, Pointwise.Erfcx.self,
        Pointwise.Entr.self,
    ]
}

/// Refuses float16/bfloat16 as PyTorch's float32/float64-only special kernels do (`ndtri_cpu`).
private func refuseReducedFloat(_ name: String, _ x: Tensor, file: StaticString, line: UInt) -> DType {
    if x.dtype == .float16 || x.dtype == .bfloat16 {
        torchFail(
            name, "\"\(Tensor.snake(name))_cpu\" not implemented for '\(x.dtype.pytorchName)'", file: file, line: line)
    }
    return x.dtype.isFloatingPoint ? x.dtype : Torch.defaultDType
}

/// A CUDA expression that evaluates the Double function `body` of `v` (a C++ lambda).
private func cudaDouble(_ t: CUDAType, _ body: String) -> String {
    "(\(t.name))([](double v) -> double { \(body) })((double)x)"
}

extension Pointwise {
    /// Inverse hyperbolic sine.
    enum Asinh: UnaryPrimitive {
        static let name = "asinh"
        static func float<T: FloatScalar>(_ x: T) -> T { T.asinh(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("asinh"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * (x * x + 1).rsqrt() }
    }

    /// Inverse hyperbolic cosine (NaN below 1).
    enum Acosh: UnaryPrimitive {
        static let name = "acosh"
        static let domain: ClosedRange<Double> = 1.2...3
        static func float<T: FloatScalar>(_ x: T) -> T { T.acosh(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("acosh"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * (x * x - 1).rsqrt() }
    }

    /// Inverse hyperbolic tangent (±inf at ±1, NaN outside).
    enum Atanh: UnaryPrimitive {
        static let name = "atanh"
        static let domain: ClosedRange<Double> = -0.8...0.8
        static func float<T: FloatScalar>(_ x: T) -> T { T.atanh(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("atanh"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g / (1 - x * x) }
    }

    /// Degrees to radians.
    enum Deg2rad: UnaryPrimitive {
        static let name = "deg2rad"
        static let saves = UnarySaves.nothing
        static let factor = Double.pi / 180
        static func float<T: FloatScalar>(_ x: T) -> T { x * T(factor) }
        static func cuda(_ t: CUDAType) -> String { "(x * \(t.lit("\(factor)")))" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * factor }
    }

    /// Radians to degrees.
    enum Rad2deg: UnaryPrimitive {
        static let name = "rad2deg"
        static let saves = UnarySaves.nothing
        static let factor = 180 / Double.pi
        static func float<T: FloatScalar>(_ x: T) -> T { x * T(factor) }
        static func cuda(_ t: CUDAType) -> String { "(x * \(t.lit("\(factor)")))" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * factor }
    }

    /// The normalised sinc, sin(πx)/(πx), 1 at 0.
    enum Sinc: UnaryPrimitive {
        static let name = "sinc"
        static func float<T: FloatScalar>(_ x: T) -> T {
            if x == 0 { return 1 }
            let p = T(Double.pi) * x  // π rounded to nearest in T (Swift's `.pi` rounds toward zero)
            return T.sin(p) / p
        }
        static func cuda(_ t: CUDAType) -> String {
            let p = "(\(t.lit("3.14159265358979323846")) * x)"
            return "(x == \(t.lit("0")) ? \(t.lit("1")) : \(t.fn("sin"))(\(p)) / \(p))"
        }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            let p = x * Double.pi
            let q = x * x * Double.pi
            return Tensor.where(q .== 0, 0.0, g * (p * p.cos() - p.sin()) / q)
        }
    }

    /// The fractional part x - trunc(x); integral inputs are refused.
    enum Frac: UnaryPrimitive {
        static let name = "frac"
        static let saves = UnarySaves.nothing
        static func float<T: FloatScalar>(_ x: T) -> T { x - x.rounded(.towardZero) }
        static func cuda(_ t: CUDAType) -> String { "(x - \(t.fn("trunc"))(x))" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g }
        static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
            if !x.dtype.isFloatingPoint {
                torchFail("frac", "\"frac_cpu\" not implemented for '\(x.dtype.pytorchName)'", file: file, line: line)
            }
            return x.dtype
        }
    }

    /// The inverse error function.
    enum Erfinv: UnaryPrimitive {
        static let name = "erfinv"
        static let saves = UnarySaves.output
        static let domain: ClosedRange<Double> = -0.9...0.9
        static func float<T: FloatScalar>(_ x: T) -> T { T(SpecialMath.erfinv(Double(x))) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("erfinv"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            g * (y * y).exp() * (SpecialMath.sqrtPi / 2)
        }
    }

    /// log|Γ(x)|.
    enum Lgamma: UnaryPrimitive {
        static let name = "lgamma"
        static let domain: ClosedRange<Double> = 0.3...4
        static func float<T: FloatScalar>(_ x: T) -> T { T.logGamma(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("lgamma"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * x.digamma() }
    }

    /// ψ(x) = d/dx log Γ(x).
    enum Digamma: UnaryPrimitive {
        static let name = "digamma"
        static let domain: ClosedRange<Double> = 0.3...4
        static func float<T: FloatScalar>(_ x: T) -> T { T(SpecialMath.digamma(Double(x))) }
        static func cuda(_ t: CUDAType) -> String {
            cudaDouble(
                t,
                """
                if (v == 0) return signbit(v) ? 1.0 / 0.0 : -1.0 / 0.0; double r = 0;
                if (v < 0) { double w = trunc(v); if (v == w) return 0.0 / 0.0;
                  r = -3.14159265358979323846 / tan(3.14159265358979323846 * (v - w)); v = 1 - v; }
                while (v < 10) { r -= 1 / v; v += 1; }
                if (v == 10) return r + 2.25175258906672110764;
                double y = 0; if (v < 1e17) { double z = 1 / (v * v); double s = 691.0/32760 - z/12;
                  s = 1.0/132 - z * s; s = 1.0/240 - z * s; s = 1.0/252 - z * s; s = 1.0/120 - z * s;
                  y = z * (1.0/12 - z * s); }
                return r + log(v) - 0.5 / v - y;
                """)
        }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * x.polygamma(1) }
    }

    /// ψ'(x), `polygamma(1, x)`: PyTorch's own series (reflection below 1/2), not the zeta form,
    /// so the values near the poles match its.
    enum Trigamma: UnaryPrimitive {
        static let name = "trigamma"
        static let domain: ClosedRange<Double> = 0.3...4
        static func float<T: FloatScalar>(_ x: T) -> T { SpecialMath.trigamma(x) }
        static func cuda(_ t: CUDAType) -> String {
            cudaDouble(
                t,
                "double s = 1, r = 0; if (v < 0.5) { s = -1; double q = sin(3.14159265358979323846 * v);"
                    + " r -= 9.86960440108935861883 / (q * q); v = 1 - v; }"
                    + " for (int i = 0; i < 6; ++i) { r += 1 / (v * v); v += 1; } double w = 1 / (v * v);"
                    + " r += (1 + 1 / (2 * v) + w * (1.0 / 6 - w * (1.0 / 30 - w * (1.0 / 42)))) / v; return s * r;")
        }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * x.polygamma(2) }
    }

    /// I₀(x), the modified Bessel function of the first kind of order 0 (NaN at ±inf, as PyTorch).
    enum I0: UnaryPrimitive {
        static let name = "i0"
        static func float<T: FloatScalar>(_ x: T) -> T { T(SpecialMath.besselI(0, Double(x), scaled: false)) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("cyl_bessel_i0"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * Special.i1(x) }
    }

    /// e^-|x|·I₀(x).
    enum I0e: UnaryPrimitive {
        static let name = "i0e"
        static let saves = UnarySaves.inputAndOutput
        static func float<T: FloatScalar>(_ x: T) -> T { T(SpecialMath.besselI(0, Double(x), scaled: true)) }
        static func cuda(_ t: CUDAType) -> String {
            cudaDouble(
                t, "double a = fabs(v); return a < 700 ? cyl_bessel_i0(a) * exp(-a) : rsqrt(6.283185307179586 * a);")
        }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * (Special.i1e(x) - x.sign() * y) }
    }

    /// I₁(x), the modified Bessel function of the first kind of order 1.
    enum I1: UnaryPrimitive {
        static let name = "i1"
        static let saves = UnarySaves.inputAndOutput
        static func float<T: FloatScalar>(_ x: T) -> T { T(SpecialMath.besselI(1, Double(x), scaled: false)) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("cyl_bessel_i1"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            Tensor.where(x .== 0, g * 0.5, g * (x.i0() - y / x))
        }
    }

    /// e^-|x|·I₁(x).
    enum I1e: UnaryPrimitive {
        static let name = "i1e"
        static let saves = UnarySaves.inputAndOutput
        static func float<T: FloatScalar>(_ x: T) -> T { T(SpecialMath.besselI(1, Double(x), scaled: true)) }
        static func cuda(_ t: CUDAType) -> String {
            cudaDouble(
                t,
                "double a = fabs(v); double r = a < 700 ? cyl_bessel_i1(a) * exp(-a) : rsqrt(6.283185307179586 * a);"
                    + " return v < 0 ? -r : r;")
        }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            Tensor.where(x .== 0, g * 0.5, g * (Special.i0e(x) - y * (x.sign() + x.reciprocal())))
        }
    }

    /// Φ⁻¹(p), the standard normal quantile (float32/float64 only, as PyTorch).
    enum Ndtri: UnaryPrimitive {
        static let name = "ndtri"
        static let saves = UnarySaves.output
        static let domain: ClosedRange<Double> = 0.1...0.9
        static func float<T: FloatScalar>(_ x: T) -> T { T(SpecialMath.ndtri(Double(x))) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("normcdfinv"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            g * (y * y * 0.5).exp() * SpecialMath.sqrt2Pi
        }
        static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
            refuseReducedFloat(name, x, file: file, line: line)
        }
    }

    /// log Φ(x), accurate far into the lower tail (float32/float64 only, as PyTorch).
    enum LogNdtr: UnaryPrimitive {
        static let name = "logNdtr"
        static let saves = UnarySaves.inputAndOutput
        static func float<T: FloatScalar>(_ x: T) -> T { T(SpecialMath.logNdtr(Double(x))) }
        static func cuda(_ t: CUDAType) -> String {
            cudaDouble(
                t,
                "double s = v * 0.70710678118654752440;"
                    + " return v < -1 ? log(erfcx(-s) / 2) - s * s : log1p(-erfc(s) / 2);")
        }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            g * (y + x * x * 0.5).neg().exp() * (1 / SpecialMath.sqrt2Pi)
        }
        static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
            refuseReducedFloat(name, x, file: file, line: line)
        }
    }

    /// e^(x²)·erfc(x), the scaled complementary error function (float32/float64 only, as PyTorch).
    enum Erfcx: UnaryPrimitive {
        static let name = "erfcx"
        static let saves = UnarySaves.inputAndOutput
        static func float<T: FloatScalar>(_ x: T) -> T { T(SpecialMath.erfcx(Double(x))) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("erfcx"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            g * (x * y * 2 - 2 / SpecialMath.sqrtPi)
        }
        static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
            refuseReducedFloat(name, x, file: file, line: line)
        }
    }

    /// The elementwise entropy -x·log(x): 0 at 0, -inf below 0.
    enum Entr: UnaryPrimitive {
        static let name = "entr"
        static let domain: ClosedRange<Double> = 0.2...3
        static func float<T: FloatScalar>(_ x: T) -> T {
            if x.isNaN { return x }
            if x > 0 { return -x * T.log(x) }
            return x == 0 ? 0 : -T.infinity
        }
        static func cuda(_ t: CUDAType) -> String {
            "(x != x ? x : (x > \(t.lit("0")) ? -x * \(t.fn("log"))(x) : (x == \(t.lit("0")) ? \(t.lit("0")) : "
                + "-\(t.lit("1")) / \(t.lit("0")))))"
        }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * (x.log() + 1).neg() }
    }

    /// True where the sign bit is set (negative numbers, -0.0, negative NaNs); any dtype.
    enum Signbit: UnaryPredicate {
        static let name = "signbit"
        static func float<T: FloatScalar>(_ x: T) -> Bool { x.sign == .minus }
        static func integral<T: NativeScalar>(_ x: T) -> Bool { x < T.zeroValue }
        static func cuda(_ t: CUDAType) -> String {
            t.isFloatingPoint ? "signbit(x)" : (t.dtype == .bool ? "false" : "(x < 0)")
        }
    }
}

extension Tensor {
    /// Element-wise inverse hyperbolic sine (`torch.asinh`).
    ///
    /// ```swift
    /// let y = x.asinh()
    /// ```
    public func asinh(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Asinh.self, file: file, line: line)
    }
    /// In-place `asinh` (`Tensor.asinh_`).
    @discardableResult public func asinh_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Asinh.self, file: file, line: line)
    }
    /// Element-wise inverse hyperbolic cosine (`torch.acosh`); NaN below 1.
    ///
    /// ```swift
    /// let y = x.acosh()
    /// ```
    public func acosh(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Acosh.self, file: file, line: line)
    }
    /// In-place `acosh` (`Tensor.acosh_`).
    @discardableResult public func acosh_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Acosh.self, file: file, line: line)
    }
    /// Element-wise inverse hyperbolic tangent (`torch.atanh`); ±inf at ±1, NaN outside [-1, 1].
    ///
    /// ```swift
    /// let y = x.atanh()
    /// ```
    public func atanh(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Atanh.self, file: file, line: line)
    }
    /// In-place `atanh` (`Tensor.atanh_`).
    @discardableResult public func atanh_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Atanh.self, file: file, line: line)
    }
    /// Degrees to radians (`torch.deg2rad`).
    ///
    /// ```swift
    /// Tensor([180.0]).deg2rad()   // [3.1416]
    /// ```
    public func deg2rad(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Deg2rad.self, file: file, line: line)
    }
    /// In-place `deg2rad` (`Tensor.deg2rad_`).
    @discardableResult public func deg2rad_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Deg2rad.self, file: file, line: line)
    }
    /// Radians to degrees (`torch.rad2deg`).
    ///
    /// ```swift
    /// Tensor([Double.pi]).rad2deg()   // [180.0]
    /// ```
    public func rad2deg(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Rad2deg.self, file: file, line: line)
    }
    /// In-place `rad2deg` (`Tensor.rad2deg_`).
    @discardableResult public func rad2deg_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Rad2deg.self, file: file, line: line)
    }
    /// The normalised sinc, sin(πx)/(πx), 1 at 0 (`torch.sinc`).
    ///
    /// ```swift
    /// Tensor([0.0, 0.5]).sinc()   // [1.0, 0.6366]
    /// ```
    public func sinc(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Sinc.self, file: file, line: line)
    }
    /// In-place `sinc` (`Tensor.sinc_`).
    @discardableResult public func sinc_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Sinc.self, file: file, line: line)
    }
    /// The fractional part, x - trunc(x) (`torch.frac`); floating dtypes only.
    ///
    /// ```swift
    /// Tensor([1.5, -2.25]).frac()   // [0.5, -0.25]
    /// ```
    public func frac(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Frac.self, file: file, line: line)
    }
    /// In-place `frac` (`Tensor.frac_`).
    @discardableResult public func frac_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Frac.self, file: file, line: line)
    }
    /// The inverse error function (`torch.erfinv`): ±inf at ±1, NaN outside [-1, 1].
    ///
    /// ```swift
    /// Tensor([0.0, 0.5]).erfinv()   // [0.0, 0.4769]
    /// ```
    public func erfinv(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Erfinv.self, file: file, line: line)
    }
    /// In-place `erfinv` (`Tensor.erfinv_`).
    @discardableResult public func erfinv_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Erfinv.self, file: file, line: line)
    }
    /// log|Γ(x)| (`torch.lgamma`).
    ///
    /// ```swift
    /// Tensor([1.0, 5.0]).lgamma()   // [0.0, 3.1781]
    /// ```
    public func lgamma(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Lgamma.self, file: file, line: line)
    }
    /// In-place `lgamma` (`Tensor.lgamma_`).
    @discardableResult public func lgamma_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Lgamma.self, file: file, line: line)
    }
    /// ψ(x), the derivative of log Γ (`torch.digamma`): -inf at +0, +inf at -0, NaN at the
    /// negative integers.
    ///
    /// ```swift
    /// Tensor([1.0]).digamma()   // [-0.5772]
    /// ```
    public func digamma(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Digamma.self, file: file, line: line)
    }
    /// In-place `digamma` (`Tensor.digamma_`).
    @discardableResult public func digamma_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Digamma.self, file: file, line: line)
    }
    /// ψ⁽ⁿ⁾(x), the n-th derivative of the digamma function (`torch.polygamma(n, x)`); `n ≥ 0`.
    /// For n ≥ 1 it is (-1)ⁿ⁺¹ n! ζ(n + 1, x).
    ///
    /// ```swift
    /// Tensor([1.0]).polygamma(1)   // [1.6449] (π²/6)
    /// ```
    public func polygamma(_ n: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if n < 0 { torchFail("polygamma", "polygamma(n, x) does not support negative n.", file: file, line: line) }
        if n == 0 { return digamma(file: file, line: line) }
        if n == 1 { return unary(Pointwise.Trigamma.self, file: file, line: line) }
        var factorial = 1.0
        for k in 1...n { factorial *= Double(k) }
        let sign = n % 2 == 1 ? 1.0 : -1.0
        // zeta has no float16/bfloat16 kernel: those compute in float32 and round once.
        let x = dtype.isFloatingPoint ? (dtype.computeType == dtype ? self : to(.float32)) : to(Torch.defaultDType)
        let s = Tensor.scalar(Double(n + 1), dtype: x.dtype)
        let r = Special.zeta(s, x, file: file, line: line) * (sign * factorial)
        return dtype.isFloatingPoint ? r.to(dtype) : r
    }
    /// The multivariate log-gamma function of dimension `p` (`torch.mvlgamma`):
    /// log Γ_p(x) = p(p-1)/4 · log π + Σⱼ log Γ(x - j/2) (defined for x > (p - 1)/2; like PyTorch
    /// 2.15, other inputs are computed, not refused).
    ///
    /// ```swift
    /// Tensor([2.5]).mvlgamma(p: 2)
    /// ```
    public func mvlgamma(p: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if p < 1 { torchFail("mvlgamma", "p has to be greater than or equal to 1", file: file, line: line) }
        let x = dtype.isFloatingPoint ? self : to(Torch.defaultDType)
        let offsets = Tensor.arange(0, Double(-p) / 2, step: -0.5, dtype: x.dtype).to(device: x.device)
        let terms = (x.unsqueeze(-1) + offsets).lgamma(file: file, line: line)
        let constant = Double(p * (p - 1)) / 4 * Double.log(Double.pi)
        return terms.sum(dims: [-1]) + constant
    }
    /// The modified Bessel function I₀ (`torch.i0`).
    ///
    /// ```swift
    /// Tensor([0.0, 1.0]).i0()   // [1.0, 1.2661]
    /// ```
    public func i0(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.I0.self, file: file, line: line)
    }
    /// In-place `i0` (`Tensor.i0_`).
    @discardableResult public func i0_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.I0.self, file: file, line: line)
    }
    /// True where the sign bit is set: negative values, -0.0 and negative NaNs (`torch.signbit`).
    ///
    /// ```swift
    /// Tensor([-0.0, 1.0]).signbit()   // [true, false]
    /// ```
    public func signbit(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        test(Pointwise.Signbit.self, file: file, line: line)
    }
    /// This tensor itself (`torch.positive`); refused for bool as PyTorch's unary `+`.
    ///
    /// ```swift
    /// let y = x.positive()   // y === x
    /// ```
    public func positive(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if dtype == .bool {
            torchFail("positive", "The `+` operator, on a bool tensor is not supported.", file: file, line: line)
        }
        return self
    }
}

extension Torch {
    /// `torch.special`: the special functions, as static functions (`Torch.special.ndtr(x)`).
    ///
    /// ```swift
    /// let p = Torch.special.ndtr(x)
    /// ```
    public static var special: Special.Type { Special.self }
}

/// The special functions of `torch.special` (`Torch.special` names this namespace).
///
/// ```swift
/// let y = Special.erfcx(x)
/// ```
public enum Special {
    /// The logistic sigmoid 1/(1 + e⁻ˣ) (`torch.special.expit`).
    ///
    /// ```swift
    /// Special.expit(Tensor([0.0]))   // [0.5]
    /// ```
    public static func expit(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.unary(Pointwise.Sigmoid.self, file: file, line: line)
    }
    /// Φ(x), the standard normal CDF (`torch.special.ndtr`).
    ///
    /// ```swift
    /// Special.ndtr(Tensor([0.0]))   // [0.5]
    /// ```
    public static func ndtr(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        // PyTorch's composite, step by step in the input's dtype (so its float16 rounding too).
        ((x * SpecialMath.sqrt1_2).erf(file: file, line: line) + 1) * 0.5
    }
    /// Φ⁻¹(p), the standard normal quantile (`torch.special.ndtri`); float32/float64.
    ///
    /// ```swift
    /// Special.ndtri(Tensor([0.975]))   // [1.96]
    /// ```
    public static func ndtri(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.unary(Pointwise.Ndtri.self, file: file, line: line)
    }
    /// log Φ(x), accurate in the lower tail (`torch.special.log_ndtr`); float32/float64.
    ///
    /// ```swift
    /// Special.logNdtr(Tensor([-40.0]))   // [-804.6]
    /// ```
    public static func logNdtr(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.unary(Pointwise.LogNdtr.self, file: file, line: line)
    }
    /// e^(x²)·erfc(x) (`torch.special.erfcx`); float32/float64.
    ///
    /// ```swift
    /// Special.erfcx(Tensor([30.0]))   // [0.0188]
    /// ```
    public static func erfcx(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.unary(Pointwise.Erfcx.self, file: file, line: line)
    }
    /// I₀(x) (`torch.special.i0`).
    ///
    /// ```swift
    /// Special.i0(Tensor([1.0]))   // [1.2661]
    /// ```
    public static func i0(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.unary(Pointwise.I0.self, file: file, line: line)
    }
    /// e^-|x|·I₀(x) (`torch.special.i0e`).
    ///
    /// ```swift
    /// Special.i0e(Tensor([1.0]))   // [0.4658]
    /// ```
    public static func i0e(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.unary(Pointwise.I0e.self, file: file, line: line)
    }
    /// I₁(x) (`torch.special.i1`).
    ///
    /// ```swift
    /// Special.i1(Tensor([1.0]))   // [0.5652]
    /// ```
    public static func i1(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.unary(Pointwise.I1.self, file: file, line: line)
    }
    /// e^-|x|·I₁(x) (`torch.special.i1e`).
    ///
    /// ```swift
    /// Special.i1e(Tensor([1.0]))   // [0.2079]
    /// ```
    public static func i1e(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.unary(Pointwise.I1e.self, file: file, line: line)
    }
    /// -x·log(x), 0 at 0 and -inf below (`torch.special.entr`).
    ///
    /// ```swift
    /// Special.entr(Tensor([0.5]))   // [0.3466]
    /// ```
    public static func entr(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.unary(Pointwise.Entr.self, file: file, line: line)
    }
    /// log|Γ(x)| (`torch.special.gammaln`).
    ///
    /// ```swift
    /// Special.gammaln(Tensor([5.0]))   // [3.1781]
    /// ```
    public static func gammaln(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.lgamma(file: file, line: line)
    }
    /// ψ(x) (`torch.special.digamma`, also `psi`).
    ///
    /// ```swift
    /// Special.digamma(Tensor([1.0]))   // [-0.5772]
    /// ```
    public static func digamma(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.digamma(file: file, line: line)
    }
    /// ψ⁽ⁿ⁾(x) (`torch.special.polygamma`).
    ///
    /// ```swift
    /// Special.polygamma(1, Tensor([1.0]))   // [1.6449]
    /// ```
    public static func polygamma(_ n: Int, _ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.polygamma(n, file: file, line: line)
    }
    /// The multivariate log-gamma of dimension `p` (`torch.special.multigammaln`).
    ///
    /// ```swift
    /// Special.multigammaln(Tensor([2.5]), p: 2)
    /// ```
    public static func multigammaln(_ x: Tensor, p: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.mvlgamma(p: p, file: file, line: line)
    }
    /// The inverse error function (`torch.special.erfinv`).
    ///
    /// ```swift
    /// Special.erfinv(Tensor([0.5]))   // [0.4769]
    /// ```
    public static func erfinv(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.erfinv(file: file, line: line)
    }
    /// The normalised sinc (`torch.special.sinc`).
    ///
    /// ```swift
    /// Special.sinc(Tensor([0.5]))   // [0.6366]
    /// ```
    public static func sinc(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.sinc(file: file, line: line)
    }
}
