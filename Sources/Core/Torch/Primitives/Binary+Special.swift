import TorchBase

// Element-wise functions of two tensors beyond arithmetic: hypot, fmax/fmin, copysign,
// logaddexp, nextafter, the integer shifts, gcd/lcm, xlogy/xlog1py and the Hurwitz zeta
// (Note [Binary primitives]). Each type is the whole definition of its op; the public methods
// are at the end.

extension BinaryPrimitives {
    static let special: [any BinaryPrimitive.Type] = [
        Pointwise.Hypot.self, Pointwise.Fmax.self, Pointwise.Fmin.self, Pointwise.Copysign.self,
        Pointwise.Logaddexp.self, Pointwise.Logaddexp2.self, Pointwise.Ldexp.self, Pointwise.Nextafter.self,
        Pointwise.NextafterHalf.self,
        Pointwise.NextafterBFloat16.self, Pointwise.ShiftLeft.self, Pointwise.ShiftRight.self, Pointwise.Gcd.self,
        Pointwise.Lcm.self, Pointwise.Xlogy.self, Pointwise.Xlog1py.self, Pointwise.Zeta.self,
    ]
}

extension Primitive {
    /// The differentiable special binary primitives (their definitions below name them).
    public static let hypot = Primitive("hypot"), fmax = Primitive("fmax"), fmin = Primitive("fmin"),
        copysign = Primitive("copysign"), logaddexp = Primitive("logaddexp"), logaddexp2 = Primitive("logaddexp2"),
        ldexp = Primitive("ldexp")
    /// `xlogy`, `special.xlog1py` and `special.zeta` (PyTorch's node names).
    public static let xlogy = Primitive("xlogy"), xlog1py = Primitive("xlog1py", nodeName: "SpecialXlog1PyBackward0"),
        zeta = Primitive("zeta", nodeName: "SpecialZetaBackward0")
}

/// Refuses integral and bool dtypes as PyTorch's float-only `<kernel>_cpu` kernels do.
private func floatOnly(_ kernel: String, _ common: DType, file: StaticString, line: UInt) -> DType {
    if !common.isFloatingPoint {
        torchFail(kernel, "\"\(kernel)_cpu\" not implemented for '\(common.pytorchName)'", file: file, line: line)
    }
    return common
}

/// Refuses float and bool dtypes as PyTorch's integer-only `<kernel>_cpu` kernels do.
private func integerOnly(_ kernel: String, _ common: DType, file: StaticString, line: UInt) -> DType {
    if common.isFloatingPoint || common == .bool {
        torchFail(kernel, "\"\(kernel)_cpu\" not implemented for '\(common.pytorchName)'", file: file, line: line)
    }
    return common
}

/// The result dtype of the ops that take integers to the default float dtype (copysign, xlogy).
private func floatResult(_ common: DType) -> DType { common.isFloatingPoint ? common : Torch.defaultDType }

/// The value of `nextafter` with `mantissa` stored fraction bits and normal exponents from `minExp`
/// to `maxExp` (float16: 10, -14, 15; bfloat16: 7, -126, 127), on values of that format held in a
/// wider type: the neighbour of `a` towards `b`.
private func nextafterNarrow<T: FloatScalar>(_ a: T, _ b: T, mantissa: Int, minExp: Int, maxExp: Int) -> T {
    if a.isNaN || b.isNaN { return a + b }
    if a == b { return b }
    let up = b > a
    if a == 0 { return (up ? 1 : -1) * T(sign: .plus, exponent: T.Exponent(minExp - mantissa), significand: 1) }
    let largest = T(
        sign: .plus, exponent: T.Exponent(maxExp),
        significand: 2
            - T(
                sign: .plus,
                exponent: T.Exponent(-mantissa), significand: 1))
    let m = Swift.abs(a)
    if m.isInfinite { return a > 0 ? largest : -largest }
    // Moving away from zero steps by the ulp at |a|; towards zero, by the ulp below |a|
    // (half as large when |a| is a power of two above the subnormals).
    let away = (a > 0) == up
    let e = max(Int(m.exponent), minExp)
    var step = T(sign: .plus, exponent: T.Exponent(e - mantissa), significand: 1)
    if !away && m.significand == 1 && Int(m.exponent) > minExp { step /= 2 }
    let r = away ? m + step : m - step
    if r > largest { return a > 0 ? T.infinity : -T.infinity }
    return a > 0 ? r : -r
}

/// `nextafterNarrow` as a CUDA expression on float values of `x` and `y`.
private func cudaNextafterNarrow(mantissa: Int, minExp: Int, maxExp: Int) -> String {
    "([](float a, float b) -> float { if (a != a || b != b) return a + b; if (a == b) return b; bool up = b > a;"
        + " if (a == 0) return (up ? 1.f : -1.f) * ldexpf(1.f, \(minExp - mantissa));"
        + " float largest = ldexpf(2.f - ldexpf(1.f, -\(mantissa)), \(maxExp)); float m = fabsf(a);"
        + " if (isinf(m)) return a > 0 ? largest : -largest; bool away = (a > 0) == up; int e; frexpf(m, &e); e -= 1;"
        + " float step = ldexpf(1.f, (e < \(minExp) ? \(minExp) : e) - \(mantissa));"
        + " if (!away && m == ldexpf(1.f, e) && e > \(minExp)) step /= 2; float r = away ? m + step : m - step;"
        + " if (r > largest) return a > 0 ? 1.f / 0.f : -1.f / 0.f; return a > 0 ? r : -r; })(x, y)"
}

extension Pointwise {
    /// √(a² + b²) without undue overflow; floating dtypes only.
    enum Hypot: BinaryPrimitive {
        static let name = "hypot"
        static let primitive: Primitive? = .hypot
        static func float<T: FloatScalar>(_ a: T, _ b: T) -> T { T.hypot(a, b) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("hypot"))(x, y)" }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType {
            floatOnly(name, common, file: file, line: line)
        }
        static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (needsA, needsB, true) }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            let out = s.out()
            return (needsA ? g * s.a() / out : nil, needsB ? g * s.b() / out : nil)
        }
    }

    /// The gradients of `fmax`/`fmin`: to the winner (the non-NaN one), half each on ties.
    static func fDerivative(_ g: Tensor, _ a: Tensor, _ b: Tensor, aWins: Tensor, needsA: Bool, needsB: Bool)
        -> (Tensor?, Tensor?)
    {
        let tie = a .== b
        let half = g * 0.5
        let ga = needsA ? Tensor.where(tie, half, Tensor.where(aWins, g, 0.0)) : nil
        return (ga, needsB ? Tensor.where(tie, half, Tensor.where(aWins, 0.0, g)) : nil)
    }

    /// max(a, b) ignoring NaN (NaN only when both are); the gradient splits evenly on ties.
    enum Fmax: BinaryPrimitive {
        static let name = "fmax"
        static let primitive: Primitive? = .fmax
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T {
            a.isNaNValue ? b : (b.isNaNValue ? a : (a < b ? b : a))
        }
        static func cuda(_ t: CUDAType) -> String {
            t.isFloatingPoint ? "\(t.fn("fmax"))(x, y)" : (t.dtype == .bool ? "(x || y)" : "(x < y ? y : x)")
        }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            fDerivative(g, s.a(), s.b(), aWins: (s.a() .> s.b()) | s.b().isnan(), needsA: needsA, needsB: needsB)
        }
    }

    /// min(a, b) ignoring NaN (NaN only when both are); the gradient splits evenly on ties.
    enum Fmin: BinaryPrimitive {
        static let name = "fmin"
        static let primitive: Primitive? = .fmin
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T {
            a.isNaNValue ? b : (b.isNaNValue ? a : (b < a ? b : a))
        }
        static func cuda(_ t: CUDAType) -> String {
            t.isFloatingPoint ? "\(t.fn("fmin"))(x, y)" : (t.dtype == .bool ? "(x && y)" : "(y < x ? y : x)")
        }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            fDerivative(g, s.a(), s.b(), aWins: (s.a() .< s.b()) | s.b().isnan(), needsA: needsA, needsB: needsB)
        }
    }

    /// |a| with the sign of b; integral inputs give the default float dtype.
    enum Copysign: BinaryPrimitive {
        static let name = "copysign"
        static let primitive: Primitive? = .copysign
        static let computesInFloat = true
        static func float<T: FloatScalar>(_ a: T, _ b: T) -> T { T(signOf: b, magnitudeOf: a) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("copysign"))(x, y)" }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType { floatResult(common) }
        static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (true, false, needsA) }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            let a = s.a()
            return (needsA ? g * Tensor.where(a .== 0, 0.0, s.out() / a) : nil, needsB ? g * 0.0 : nil)
        }
    }

    /// log(eᵃ + eᵇ) without overflow; floating dtypes only.
    enum Logaddexp: BinaryPrimitive {
        static let name = "logaddexp"
        static let primitive: Primitive? = .logaddexp
        static func float<T: FloatScalar>(_ a: T, _ b: T) -> T {
            if a.isInfinite && a == b { return a }
            let m = b > a ? b : a
            return m + T.log(onePlus: T.exp(-Swift.abs(a - b)))
        }
        static func cuda(_ t: CUDAType) -> String {
            "((isinf(x) && x == y) ? x : (x < y ? y : x) + \(t.fn("log1p"))(\(t.fn("exp"))(-\(t.fn("fabs"))(x - y))))"
        }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType {
            floatOnly(name, common, file: file, line: line)
        }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            let a = s.a(), b = s.b()
            return (needsA ? g / ((b - a).exp() + 1) : nil, needsB ? g / ((a - b).exp() + 1) : nil)
        }
    }

    /// log₂(2ᵃ + 2ᵇ) without overflow; floating dtypes only.
    enum Logaddexp2: BinaryPrimitive {
        static let name = "logaddexp2"
        static let primitive: Primitive? = .logaddexp2
        static func float<T: FloatScalar>(_ a: T, _ b: T) -> T {
            if a.isInfinite && a == b { return a }
            let m = b > a ? b : a
            return m + T.log(onePlus: T.exp2(-Swift.abs(a - b))) * T(1.4426950408889634074)
        }
        static func cuda(_ t: CUDAType) -> String {
            "((isinf(x) && x == y) ? x : (x < y ? y : x) + \(t.fn("log1p"))(\(t.fn("exp2"))(-\(t.fn("fabs"))(x - y)))"
                + " * \(t.lit("1.4426950408889634074")))"
        }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType {
            floatOnly(name, common, file: file, line: line)
        }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            let a = s.a(), b = s.b()
            return (needsA ? g / ((b - a).exp2() + 1) : nil, needsB ? g / ((a - b).exp2() + 1) : nil)
        }
    }

    /// a·2ᵇ; integral inputs give the default float dtype, a bool exponent of a float is refused.
    enum Ldexp: BinaryPrimitive {
        static let name = "ldexp"
        static let primitive: Primitive? = .ldexp
        static let computesInFloat = true
        static func float<T: FloatScalar>(_ a: T, _ b: T) -> T { a * T.exp2(b) }
        static func cuda(_ t: CUDAType) -> String { "(x * \(t.fn("exp2"))(y))" }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType { floatResult(common) }
        static func checkBool(_ a: Tensor, _ b: Tensor, common: DType, file: StaticString, line: UInt) {
            if b.dtype == .bool && common.isFloatingPoint {
                torchFail(name, "\"ldexp_cpu_exp\" not implemented for 'Bool'", file: file, line: line)
            }
        }
        static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (false, needsA, needsB) }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            (needsA ? g * s.b().exp2() : nil, needsB ? g * s.out() * 0.69314718055994530942 : nil)
        }
    }

    /// The next float32/float64 after `a` towards `b`; not differentiable.
    enum Nextafter: BinaryPrimitive {
        static let name = "nextafter"
        static func float<T: FloatScalar>(_ a: T, _ b: T) -> T {
            if a.isNaN || b.isNaN { return a + b }
            if a == b { return b }
            return b > a ? a.nextUp : a.nextDown
        }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("nextafter"))(x, y)" }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType {
            floatOnly(name, common, file: file, line: line)
        }
    }

    /// `nextafter` of float16 values (computed on their float32 widening; exact).
    enum NextafterHalf: BinaryPrimitive {
        static let name = "nextafterHalf"
        static func float<T: FloatScalar>(_ a: T, _ b: T) -> T {
            nextafterNarrow(a, b, mantissa: 10, minExp: -14, maxExp: 15)
        }
        static func cuda(_ t: CUDAType) -> String { cudaNextafterNarrow(mantissa: 10, minExp: -14, maxExp: 15) }
    }

    /// `nextafter` of bfloat16 values (computed on their float32 widening; exact).
    enum NextafterBFloat16: BinaryPrimitive {
        static let name = "nextafterBFloat16"
        static func float<T: FloatScalar>(_ a: T, _ b: T) -> T {
            nextafterNarrow(a, b, mantissa: 7, minExp: -126, maxExp: 127)
        }
        static func cuda(_ t: CUDAType) -> String { cudaNextafterNarrow(mantissa: 7, minExp: -126, maxExp: 127) }
    }

    /// `a << b` of integers (PyTorch's `lshift`: 0 for shifts out of range).
    enum ShiftLeft: BinaryPrimitive {
        static let name = "lshift"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.integer(.shiftLeft, a, b) }
        static func cuda(_ t: CUDAType) -> String {
            "(\(t.name))((unsigned long long)y >= \(8 * t.dtype.itemSize) ? 0 : (x << y))"
        }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType {
            integerOnly(name, common, file: file, line: line)
        }
    }

    /// `a >> b` of integers (PyTorch's `rshift`: the sign fill for shifts out of range).
    enum ShiftRight: BinaryPrimitive {
        static let name = "rshift"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.integer(.shiftRight, a, b) }
        static func cuda(_ t: CUDAType) -> String {
            let bits = 8 * t.dtype.itemSize
            return "(\(t.name))(((long long)(signed char)y < 0 && \(bits) == 8) || (long long)y < 0 || y >= \(bits)"
                + " ? (x >> \(bits - 1)) : (x >> y))"
        }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType {
            integerOnly(name, common, file: file, line: line)
        }
    }

    /// The greatest common divisor of integers (non-negative).
    enum Gcd: BinaryPrimitive {
        static let name = "gcd"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.integer(.gcd, a, b) }
        static func cuda(_ t: CUDAType) -> String {
            "(\(t.name))([](long long a, long long b) { while (b != 0) { long long c = a % b; a = b; b = c; }"
                + " return a < 0 ? -a : a; })(x, y)"
        }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType {
            integerOnly(name, common, file: file, line: line)
        }
    }

    /// The least common multiple of integers (non-negative; 0 when either is 0).
    enum Lcm: BinaryPrimitive {
        static let name = "lcm"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.integer(.lcm, a, b) }
        static func cuda(_ t: CUDAType) -> String {
            "(\(t.name))([](long long a, long long b) { long long p = a, q = b; while (q != 0) { long long c = p % q;"
                + " p = q; q = c; } if (p == 0) return 0LL; long long l = (a / (p < 0 ? -p : p)) * b;"
                + " return l < 0 ? -l : l; })(x, y)"
        }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType {
            integerOnly(name, common, file: file, line: line)
        }
    }

    /// a·log(b), 0 where a == 0 unless b is NaN; integral inputs give the default float dtype.
    enum Xlogy: BinaryPrimitive {
        static let name = "xlogy"
        static let primitive: Primitive? = .xlogy
        static let computesInFloat = true
        static func float<T: FloatScalar>(_ a: T, _ b: T) -> T {
            if b.isNaN { return b }
            return a == 0 ? 0 : a * T.log(b)
        }
        static func cuda(_ t: CUDAType) -> String {
            "(y != y ? y : (x == \(t.lit("0")) ? \(t.lit("0")) : x * \(t.fn("log"))(y)))"
        }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType { floatResult(common) }
        static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (true, true, false) }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            let a = s.a(), b = s.b()
            let ga = needsA ? Tensor.where((a .== 0) & (b .<= 0), 0.0, g.xlogy(b)) : nil
            return (ga, needsB ? g * a / b : nil)
        }
    }

    /// a·log(1 + b), 0 where a == 0 unless b is NaN (`torch.special.xlog1py`).
    enum Xlog1py: BinaryPrimitive {
        static let name = "xlog1py"
        static let primitive: Primitive? = .xlog1py
        static let computesInFloat = true
        static func float<T: FloatScalar>(_ a: T, _ b: T) -> T {
            if b.isNaN { return b }
            return a == 0 ? 0 : a * T.log(onePlus: b)
        }
        static func cuda(_ t: CUDAType) -> String {
            "(y != y ? y : (x == \(t.lit("0")) ? \(t.lit("0")) : x * \(t.fn("log1p"))(y)))"
        }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType { floatResult(common) }
        static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (true, true, false) }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            let a = s.a(), b = s.b()
            let ga = needsA ? Tensor.where((a .== 0) & (b .<= -1), 0.0, Special.xlog1py(g, b)) : nil
            return (ga, needsB ? g * a / (b + 1) : nil)
        }
    }

    /// The Hurwitz zeta function ζ(a, b) = Σₖ (k + b)^-a (`torch.special.zeta`); float32/float64,
    /// integral inputs give the default float dtype; differentiable in `b` only, as PyTorch.
    enum Zeta: BinaryPrimitive {
        static let name = "zeta"
        static let primitive: Primitive? = .zeta
        static let computesInFloat = true
        static func float<T: FloatScalar>(_ a: T, _ b: T) -> T { T(SpecialMath.zeta(Double(a), Double(b))) }
        static func cuda(_ t: CUDAType) -> String {
            "(\(t.name))([](double x, double q) -> double { const double A[] = {12.0, -720.0, 30240.0, -1209600.0,"
                + " 47900160.0, -1.8924375803183791606e9, 7.47242496e10, -2.950130727918164224e12,"
                + " 1.1646782814350067249e14, -4.5979787224074726105e15, 1.8152105401943546773e17,"
                + " -7.1661652561756670113e18}; const double e = 1.11022302462515654042e-16;"
                + " if (x == 1) return 1.0 / 0.0; if (x < 1) return 0.0 / 0.0;"
                + " if (q <= 0) { if (q == floor(q)) return 1.0 / 0.0; if (x != floor(x)) return 0.0 / 0.0; }"
                + " double s = pow(q, -x), a = q, b = 0; int i = 0;"
                + " while (i < 9 || a <= 9) { i++; a += 1; b = pow(a, -x); s += b; if (fabs(b / s) < e) return s; }"
                + " double w = a; s += b * w / (x - 1); s -= 0.5 * b; double c = 1, k = 0;"
                + " for (int j = 0; j < 12; j++) { c *= x + k; b /= w; double t = c * b / A[j]; s += t;"
                + " if (fabs(t / s) < e) return s; k += 1; c *= x + k; b /= w; k += 1; } return s; })"
                + "((double)x, (double)y)"
        }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType {
            let r = floatResult(common)
            if r == .float16 || r == .bfloat16 {
                torchFail("zeta", "\"zeta_cpu\" not implemented for '\(r.pytorchName)'", file: file, line: line)
            }
            return r
        }
        static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (true, true, false) }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            if needsA { torchFail("zeta", "the derivative for 'zeta' is not implemented.", file: #fileID, line: #line) }
            let a = s.a()
            return (nil, needsB ? g * -a * Special.zeta(a + 1, s.b()) : nil)
        }
    }
}

extension Tensor {
    /// √(self² + other²), element-wise with broadcasting (`torch.hypot`); floating dtypes only.
    ///
    /// ```swift
    /// Tensor([3.0]).hypot(Tensor([4.0]))   // [5.0]
    /// ```
    public func hypot(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Hypot.self, self, other, file: file, line: line)
    }
    /// Element-wise maximum ignoring NaN (`torch.fmax`).
    ///
    /// ```swift
    /// Tensor([1.0, .nan]).fmax(Tensor([.nan, 2.0]))   // [1.0, 2.0]
    /// ```
    public func fmax(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Fmax.self, self, other, file: file, line: line)
    }
    /// Element-wise minimum ignoring NaN (`torch.fmin`).
    ///
    /// ```swift
    /// Tensor([1.0, .nan]).fmin(Tensor([.nan, 2.0]))   // [1.0, 2.0]
    /// ```
    public func fmin(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Fmin.self, self, other, file: file, line: line)
    }
    /// The magnitude of self with the sign of other (`torch.copysign`); integers give floats.
    ///
    /// ```swift
    /// Tensor([2.0]).copysign(Tensor([-0.0]))   // [-2.0]
    /// ```
    public func copysign(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Copysign.self, self, other, file: file, line: line)
    }
    /// `copysign` with a scalar sign source (`torch.copysign(x, -1.0)`).
    ///
    /// ```swift
    /// Tensor([2.0]).copysign(-1.0)   // [-2.0]
    /// ```
    public func copysign<S: ScalarLike>(_ other: S, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Copysign.self, self, scalar: other, file: file, line: line)
    }
    /// log(eˢᵉˡᶠ + eᵒᵗʰᵉʳ) without overflow (`torch.logaddexp`); floating dtypes only.
    ///
    /// ```swift
    /// Tensor([1000.0]).logaddexp(Tensor([1000.0]))   // [1000.6931]
    /// ```
    public func logaddexp(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Logaddexp.self, self, other, file: file, line: line)
    }
    /// log₂(2ˢᵉˡᶠ + 2ᵒᵗʰᵉʳ) without overflow (`torch.logaddexp2`); floating dtypes only.
    ///
    /// ```swift
    /// Tensor([1.0]).logaddexp2(Tensor([1.0]))   // [2.0]
    /// ```
    public func logaddexp2(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Logaddexp2.self, self, other, file: file, line: line)
    }
    /// The next representable value after self towards other, in self's dtype (`torch.nextafter`);
    /// floating dtypes only, not differentiable.
    ///
    /// ```swift
    /// Tensor([1.0]).nextafter(Tensor([2.0]))   // [1.0000000000000002]
    /// ```
    public func nextafter(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let common = Tensor.commonType(self, other)
        switch common {
        case .float16: return Tensor.binary(Pointwise.NextafterHalf.self, self, other, file: file, line: line)
        case .bfloat16: return Tensor.binary(Pointwise.NextafterBFloat16.self, self, other, file: file, line: line)
        default: return Tensor.binary(Pointwise.Nextafter.self, self, other, file: file, line: line)
        }
    }
    /// self · 2^other (`torch.ldexp`); integral inputs give the default float dtype.
    ///
    /// ```swift
    /// Tensor([1.5]).ldexp(Tensor([3]))   // [12.0]
    /// ```
    public func ldexp(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Ldexp.self, self, other, file: file, line: line)
    }
    /// `pow` computed in float64 (`torch.float_power`): the result is float64 whatever the inputs.
    ///
    /// ```swift
    /// Tensor([2], dtype: .int32).floatPower(Tensor([0.5]))   // [1.4142] (float64)
    /// ```
    public func floatPower(_ exponent: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        to(.float64).pow(exponent.to(.float64))
    }
    /// `floatPower` with a scalar exponent.
    ///
    /// ```swift
    /// Tensor([4]).floatPower(0.5)   // [2.0] (float64)
    /// ```
    public func floatPower(_ exponent: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        to(.float64).pow(exponent)
    }
    /// True division, as `div` (`torch.true_divide`).
    ///
    /// ```swift
    /// Tensor([3]).trueDivide(Tensor([2]))   // [1.5]
    /// ```
    public func trueDivide(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        div(other)
    }
    /// self << other of integers (`torch.bitwise_left_shift`); 0 where the shift is negative or
    /// at least the bit width.
    ///
    /// ```swift
    /// Tensor([1, 3]).bitwiseLeftShift(Tensor([4, 1]))   // [16, 6]
    /// ```
    public func bitwiseLeftShift(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.ShiftLeft.self, self, other, file: file, line: line)
    }
    /// `bitwiseLeftShift` by a scalar.
    ///
    /// ```swift
    /// Tensor([1, 3]).bitwiseLeftShift(2)   // [4, 12]
    /// ```
    public func bitwiseLeftShift(_ other: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.ShiftLeft.self, self, scalar: other, file: file, line: line)
    }
    /// self >> other of integers, arithmetic for signed dtypes (`torch.bitwise_right_shift`).
    ///
    /// ```swift
    /// Tensor([16, -8]).bitwiseRightShift(Tensor([2, 1]))   // [4, -4]
    /// ```
    public func bitwiseRightShift(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.ShiftRight.self, self, other, file: file, line: line)
    }
    /// `bitwiseRightShift` by a scalar.
    ///
    /// ```swift
    /// Tensor([16, -8]).bitwiseRightShift(2)   // [4, -2]
    /// ```
    public func bitwiseRightShift(_ other: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.ShiftRight.self, self, scalar: other, file: file, line: line)
    }
    /// The element-wise greatest common divisor of integers (`torch.gcd`).
    ///
    /// ```swift
    /// Tensor([12, -9]).gcd(Tensor([18, 6]))   // [6, 3]
    /// ```
    public func gcd(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Gcd.self, self, other, file: file, line: line)
    }
    /// The element-wise least common multiple of integers (`torch.lcm`).
    ///
    /// ```swift
    /// Tensor([4, -6]).lcm(Tensor([6, 4]))   // [12, 12]
    /// ```
    public func lcm(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Lcm.self, self, other, file: file, line: line)
    }
    /// `self · log(other)`, with 0 where `self == 0` (unless `other` is NaN): PyTorch's `xlogy`,
    /// the entropy-style term that stays finite at zero probability. Integer and bool inputs
    /// promote to the default float dtype.
    ///
    /// ```swift
    /// Tensor([0.0, 2.0]).xlogy(Tensor([0.0, 3.0]))   // [0, 2·log 3]
    /// ```
    public func xlogy(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Xlogy.self, self, other, file: file, line: line)
    }
    /// Whether each element of self is within `atol + rtol·|other|` of other, equal infinities
    /// and (with `equalNaN`) NaNs matching (`torch.isclose`); the dtypes must match.
    ///
    /// ```swift
    /// Tensor([1.0, .nan]).isclose(Tensor([1.0 + 1e-9, .nan]), equalNaN: true)   // [true, true]
    /// ```
    public func isclose(
        _ other: Tensor, rtol: Double = 1e-05, atol: Double = 1e-08, equalNaN: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if dtype != other.dtype {
            torchFail(
                "isclose", "\(dtype.pytorchName) did not match \(other.dtype.pytorchName)", file: file, line: line)
        }
        if rtol < 0 {
            torchFail("isclose", "rtol must be greater than or equal to zero, but got \(rtol)", file: file, line: line)
        }
        if atol < 0 {
            torchFail("isclose", "atol must be greater than or equal to zero, but got \(atol)", file: file, line: line)
        }
        var close = eq(other)
        if equalNaN && dtype.isFloatingPoint { close = close | (isnan() & other.isnan()) }
        if dtype == .bool || (rtol == 0 && atol == 0) { return close }
        let a = dtype.isFloatingPoint ? self : to(Torch.defaultDType)
        let b = dtype.isFloatingPoint ? other : other.to(Torch.defaultDType)
        let allowed = (b * rtol).abs() + atol
        let actual = (a - b).abs()
        return close | (actual.isfinite() & (actual .<= allowed))
    }
    /// Whether every element is `isclose` to other (`torch.allclose`).
    ///
    /// ```swift
    /// Tensor([1.0]).allclose(Tensor([1.0 + 1e-9]))   // true
    /// ```
    public func allclose(
        _ other: Tensor, rtol: Double = 1e-05, atol: Double = 1e-08, equalNaN: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Bool {
        isclose(other, rtol: rtol, atol: atol, equalNaN: equalNaN, file: file, line: line).all().item(Bool.self)
    }
    /// Whether both have the same shape and equal elements (`torch.equal`; NaN is never equal).
    ///
    /// ```swift
    /// Tensor([1, 2]).equal(Tensor([1, 2]))   // true
    /// ```
    public func equal(_ other: Tensor) -> Bool {
        shape == other.shape && eq(other).all().item(Bool.self)
    }
}

extension Special {
    /// x·log(1 + y), 0 where x == 0 unless y is NaN (`torch.special.xlog1py`).
    ///
    /// ```swift
    /// Special.xlog1py(Tensor([0.0, 2.0]), Tensor([-1.0, 1.0]))   // [0, 2·log 2]
    /// ```
    public static func xlog1py(_ x: Tensor, _ y: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Xlog1py.self, x, y, file: file, line: line)
    }
    /// x·log(y), 0 where x == 0 unless y is NaN (`torch.special.xlogy`).
    ///
    /// ```swift
    /// Special.xlogy(Tensor([0.0]), Tensor([0.0]))   // [0]
    /// ```
    public static func xlogy(_ x: Tensor, _ y: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        x.xlogy(y, file: file, line: line)
    }
    /// The Hurwitz zeta function ζ(x, q) = Σₖ (k + q)^-x (`torch.special.zeta`); float32/float64.
    ///
    /// ```swift
    /// Special.zeta(Tensor([2.0]), Tensor([1.0]))   // [1.6449]
    /// ```
    public static func zeta(_ x: Tensor, _ q: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Zeta.self, x, q, file: file, line: line)
    }
}

extension Tensor {
    /// `self << other` (`torch.bitwise_left_shift`).
    ///
    /// ```swift
    /// let y = x << Tensor([2])
    /// ```
    public static func << (a: Tensor, b: Tensor) -> Tensor { a.bitwiseLeftShift(b) }
    /// `self >> other` (`torch.bitwise_right_shift`).
    ///
    /// ```swift
    /// let y = x >> Tensor([2])
    /// ```
    public static func >> (a: Tensor, b: Tensor) -> Tensor { a.bitwiseRightShift(b) }
}
