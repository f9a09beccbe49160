import TorchBase

// Exponentials, logarithms, powers, trigonometric and hyperbolic functions, and the error
// function (Note [Unary primitives]). Each type is the whole definition of its op; the public
// methods are at the end.

extension UnaryPrimitives {
    static let transcendental: [any UnaryPrimitive.Type] = [
        Pointwise.Exp.self, Pointwise.Exp2.self, Pointwise.Expm1.self, Pointwise.Log.self, Pointwise.Log2.self,
        Pointwise.Log10.self, Pointwise.Log1p.self, Pointwise.Sqrt.self, Pointwise.Rsqrt.self, Pointwise.Sin.self,
        Pointwise.Cos.self, Pointwise.Tan.self, Pointwise.Asin.self, Pointwise.Acos.self, Pointwise.Atan.self,
        Pointwise.Sinh.self, Pointwise.Cosh.self, Pointwise.Tanh.self, Pointwise.Erf.self, Pointwise.Erfc.self,
        Pointwise.Logit.self,
    ]
}

extension Pointwise {
    /// `e^x`.
    enum Exp: UnaryPrimitive {
        static let name = "exp"
        static let saves = UnarySaves.output
        static func float<T: FloatScalar>(_ x: T) -> T { T.exp(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("exp"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * y }
    }

    /// `2^x`.
    enum Exp2: UnaryPrimitive {
        static let name = "exp2"
        static let saves = UnarySaves.output
        static func float<T: FloatScalar>(_ x: T) -> T { T.exp2(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("exp2"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * y * 0.69314718055994530942 }
    }

    /// `e^x - 1`, accurate near 0.
    enum Expm1: UnaryPrimitive {
        static let name = "expm1"
        static let saves = UnarySaves.output
        static func float<T: FloatScalar>(_ x: T) -> T { T.expMinusOne(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("expm1"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * (y + 1) }
    }

    /// Natural logarithm.
    enum Log: UnaryPrimitive {
        static let name = "log"
        static let domain: ClosedRange<Double> = 0.3...3
        static func float<T: FloatScalar>(_ x: T) -> T { T.log(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("log"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g / x }
    }

    /// Base-2 logarithm.
    enum Log2: UnaryPrimitive {
        static let name = "log2"
        static let domain: ClosedRange<Double> = 0.3...3
        static func float<T: FloatScalar>(_ x: T) -> T { T.log2(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("log2"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g / (x * 0.69314718055994530942) }
    }

    /// Base-10 logarithm.
    enum Log10: UnaryPrimitive {
        static let name = "log10"
        static let domain: ClosedRange<Double> = 0.3...3
        static func float<T: FloatScalar>(_ x: T) -> T { T.log10(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("log10"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g / (x * 2.30258509299404568402) }
    }

    /// `log(1 + x)`, accurate near 0.
    enum Log1p: UnaryPrimitive {
        static let name = "log1p"
        static let domain: ClosedRange<Double> = -0.5...2
        static func float<T: FloatScalar>(_ x: T) -> T { T.log(onePlus: x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("log1p"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g / (x + 1) }
    }

    /// Square root.
    enum Sqrt: UnaryPrimitive {
        static let name = "sqrt"
        static let saves = UnarySaves.output
        static let domain: ClosedRange<Double> = 0.3...3
        static func float<T: FloatScalar>(_ x: T) -> T { x.squareRoot() }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("sqrt"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g / (y * 2) }
    }

    /// `1 / sqrt(x)`.
    enum Rsqrt: UnaryPrimitive {
        static let name = "rsqrt"
        static let saves = UnarySaves.output
        static let domain: ClosedRange<Double> = 0.3...3
        static func float<T: FloatScalar>(_ x: T) -> T { 1 / x.squareRoot() }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("rsqrt"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * y * y * y * -0.5 }
    }

    /// Sine.
    enum Sin: UnaryPrimitive {
        static let name = "sin"
        static func float<T: FloatScalar>(_ x: T) -> T { T.sin(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("sin"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * x.cos() }
    }

    /// Cosine.
    enum Cos: UnaryPrimitive {
        static let name = "cos"
        static func float<T: FloatScalar>(_ x: T) -> T { T.cos(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("cos"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { -g * x.sin() }
    }

    /// Tangent.
    enum Tan: UnaryPrimitive {
        static let name = "tan"
        static let saves = UnarySaves.output
        static let domain: ClosedRange<Double> = -1.2...1.2
        static func float<T: FloatScalar>(_ x: T) -> T { T.tan(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("tan"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * (y * y + 1) }
    }

    /// Inverse sine.
    enum Asin: UnaryPrimitive {
        static let name = "asin"
        static let domain: ClosedRange<Double> = -0.8...0.8
        static func float<T: FloatScalar>(_ x: T) -> T { T.asin(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("asin"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g / (1 - x * x).sqrt() }
    }

    /// Inverse cosine.
    enum Acos: UnaryPrimitive {
        static let name = "acos"
        static let domain: ClosedRange<Double> = -0.8...0.8
        static func float<T: FloatScalar>(_ x: T) -> T { T.acos(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("acos"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { -g / (1 - x * x).sqrt() }
    }

    /// Inverse tangent.
    enum Atan: UnaryPrimitive {
        static let name = "atan"
        static func float<T: FloatScalar>(_ x: T) -> T { T.atan(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("atan"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g / (x * x + 1) }
    }

    /// Hyperbolic sine.
    enum Sinh: UnaryPrimitive {
        static let name = "sinh"
        static func float<T: FloatScalar>(_ x: T) -> T { T.sinh(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("sinh"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * x.cosh() }
    }

    /// Hyperbolic cosine.
    enum Cosh: UnaryPrimitive {
        static let name = "cosh"
        static func float<T: FloatScalar>(_ x: T) -> T { T.cosh(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("cosh"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * x.sinh() }
    }

    /// Hyperbolic tangent.
    enum Tanh: UnaryPrimitive {
        static let name = "tanh"
        static let saves = UnarySaves.output
        static func float<T: FloatScalar>(_ x: T) -> T { T.tanh(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("tanh"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * (1 - y * y) }
    }

    /// The error function.
    enum Erf: UnaryPrimitive {
        static let name = "erf"
        static func float<T: FloatScalar>(_ x: T) -> T { T.erf(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("erf"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            g * (x * x * -1).exp() * 1.12837916709551257390
        }
    }

    /// `1 - erf(x)`, accurate for large x.
    enum Erfc: UnaryPrimitive {
        static let name = "erfc"
        static func float<T: FloatScalar>(_ x: T) -> T { T.erfc(x) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("erfc"))(x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            g * (x * x * -1).exp() * -1.12837916709551257390
        }
    }
}

extension Pointwise {
    /// `log(x / (1 - x))`, the inverse of the sigmoid; NaN outside [0, 1].
    enum Logit: UnaryPrimitive {
        static let name = "logit"
        static let domain: ClosedRange<Double> = 0.1...0.9
        static func float<T: FloatScalar>(_ x: T) -> T { T.log(x / (1 - x)) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("log"))(x / (\(t.lit("1")) - x))" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            // PyTorch's logit_backward: NaN outside [0, 1].
            Tensor.where((x .< 0) | (x .> 1), Double.nan, inner(g, x))
        }
        /// `g / (x (1 - x))` (PyTorch's vectorised loop; its scalar tail differs at x = -0).
        static func inner(_ g: Tensor, _ x: Tensor) -> Tensor { g / (x * (1 - x)) }
        /// PyTorch's float16/bfloat16 kernel rounds after each step: log(x / (1 - x)) in the dtype.
        static func reducedPrecision(_ x: Tensor) -> Tensor? { (x / (1 - x)).log() }
    }
}

extension Tensor {
    /// The log-odds `log(p / (1 - p))` (`torch.logit`). With `eps`, inputs are first clamped to
    /// [eps, 1 - eps] (their gradient is zero outside it); without, inputs outside [0, 1] give NaN.
    ///
    /// ```swift
    /// Tensor([0.25, 0.5]).logit()   // [-1.0986, 0.0]
    /// ```
    public func logit(eps: Double? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let x = dtype.isFloatingPoint ? self : to(Torch.defaultDType)
        if x.dtype.computeType != x.dtype, let eps {
            return Pointwise.Logit.reducedPrecision(x.clamp(min: eps, max: 1 - eps, file: file, line: line))!
        }
        guard let eps else { return unary(Pointwise.Logit.self, file: file, line: line) }
        func forward() -> Tensor {
            x.clamp(min: eps, max: 1 - eps, file: file, line: line).unaryRaw(
                Pointwise.Logit.self, file: file, line: line)
        }
        if !Tensor.shouldRecord(x) { return forward() }
        // PyTorch's logit_backward with eps: zero outside [eps, 1 - eps], the plain formula inside
        // (boundaries included), from the unclamped input.
        let p = Primitive(Pointwise.Logit.name)
        return Tensor.recorded(p, [x], save: [x], file: file, line: line, forward: forward) { node, g in
            let x = node.savedTensor(0)
            return [Tensor.where((x .< eps) | (x .> 1 - eps), 0.0, Pointwise.Logit.inner(g, x))]
        }
    }
    /// In-place `logit` (`Tensor.logit_`).
    @discardableResult public func logit_(eps: Double? = nil, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if eps == nil && dtype.computeType == dtype {
            return unaryInPlace(Pointwise.Logit.self, file: file, line: line)
        }
        checkNoInternalOverlap("logit_", file: file, line: line)
        assignResult(logit(eps: eps, file: file, line: line), op: "logit_", file: file, line: line)
        return self
    }
}

extension Tensor {
    /// Element-wise `e^x` (`torch.exp`).
    ///
    /// ```swift
    /// let y = x.exp()
    /// ```
    public func exp(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Exp.self, file: file, line: line)
    }
    /// In-place `exp` (`Tensor.exp_`): writes the result into this tensor.
    @discardableResult public func exp_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Exp.self, file: file, line: line)
    }
    /// Element-wise `2^x` (`torch.exp2`).
    ///
    /// ```swift
    /// let y = x.exp2()
    /// ```
    public func exp2(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Exp2.self, file: file, line: line)
    }
    /// In-place `exp2` (`Tensor.exp2_`): writes the result into this tensor.
    @discardableResult public func exp2_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Exp2.self, file: file, line: line)
    }
    /// Element-wise `e^x - 1` (`torch.expm1`).
    ///
    /// ```swift
    /// let y = x.expm1()
    /// ```
    public func expm1(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Expm1.self, file: file, line: line)
    }
    /// In-place `expm1` (`Tensor.expm1_`): writes the result into this tensor.
    @discardableResult public func expm1_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Expm1.self, file: file, line: line)
    }
    /// Element-wise natural logarithm (`torch.log`).
    ///
    /// ```swift
    /// let y = x.log()
    /// ```
    public func log(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Log.self, file: file, line: line)
    }
    /// In-place `log` (`Tensor.log_`): writes the result into this tensor.
    @discardableResult public func log_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Log.self, file: file, line: line)
    }
    /// Element-wise base-2 logarithm (`torch.log2`).
    ///
    /// ```swift
    /// let y = x.log2()
    /// ```
    public func log2(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Log2.self, file: file, line: line)
    }
    /// In-place `log2` (`Tensor.log2_`): writes the result into this tensor.
    @discardableResult public func log2_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Log2.self, file: file, line: line)
    }
    /// Element-wise base-10 logarithm (`torch.log10`).
    ///
    /// ```swift
    /// let y = x.log10()
    /// ```
    public func log10(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Log10.self, file: file, line: line)
    }
    /// In-place `log10` (`Tensor.log10_`): writes the result into this tensor.
    @discardableResult public func log10_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Log10.self, file: file, line: line)
    }
    /// Element-wise `log(1 + x)` (`torch.log1p`).
    ///
    /// ```swift
    /// let y = x.log1p()
    /// ```
    public func log1p(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Log1p.self, file: file, line: line)
    }
    /// In-place `log1p` (`Tensor.log1p_`): writes the result into this tensor.
    @discardableResult public func log1p_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Log1p.self, file: file, line: line)
    }
    /// Element-wise square root (`torch.sqrt`).
    ///
    /// ```swift
    /// let y = x.sqrt()
    /// ```
    public func sqrt(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Sqrt.self, file: file, line: line)
    }
    /// In-place `sqrt` (`Tensor.sqrt_`): writes the result into this tensor.
    @discardableResult public func sqrt_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Sqrt.self, file: file, line: line)
    }
    /// Element-wise `1 / sqrt(x)` (`torch.rsqrt`).
    ///
    /// ```swift
    /// let y = x.rsqrt()
    /// ```
    public func rsqrt(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Rsqrt.self, file: file, line: line)
    }
    /// In-place `rsqrt` (`Tensor.rsqrt_`): writes the result into this tensor.
    @discardableResult public func rsqrt_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Rsqrt.self, file: file, line: line)
    }
    /// Element-wise sine (`torch.sin`).
    ///
    /// ```swift
    /// let y = x.sin()
    /// ```
    public func sin(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Sin.self, file: file, line: line)
    }
    /// In-place `sin` (`Tensor.sin_`): writes the result into this tensor.
    @discardableResult public func sin_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Sin.self, file: file, line: line)
    }
    /// Element-wise cosine (`torch.cos`).
    ///
    /// ```swift
    /// let y = x.cos()
    /// ```
    public func cos(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Cos.self, file: file, line: line)
    }
    /// In-place `cos` (`Tensor.cos_`): writes the result into this tensor.
    @discardableResult public func cos_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Cos.self, file: file, line: line)
    }
    /// Element-wise tangent (`torch.tan`).
    ///
    /// ```swift
    /// let y = x.tan()
    /// ```
    public func tan(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Tan.self, file: file, line: line)
    }
    /// In-place `tan` (`Tensor.tan_`): writes the result into this tensor.
    @discardableResult public func tan_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Tan.self, file: file, line: line)
    }
    /// Element-wise inverse sine (`torch.asin`).
    ///
    /// ```swift
    /// let y = x.asin()
    /// ```
    public func asin(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Asin.self, file: file, line: line)
    }
    /// In-place `asin` (`Tensor.asin_`): writes the result into this tensor.
    @discardableResult public func asin_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Asin.self, file: file, line: line)
    }
    /// Element-wise inverse cosine (`torch.acos`).
    ///
    /// ```swift
    /// let y = x.acos()
    /// ```
    public func acos(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Acos.self, file: file, line: line)
    }
    /// In-place `acos` (`Tensor.acos_`): writes the result into this tensor.
    @discardableResult public func acos_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Acos.self, file: file, line: line)
    }
    /// Element-wise inverse tangent (`torch.atan`).
    ///
    /// ```swift
    /// let y = x.atan()
    /// ```
    public func atan(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Atan.self, file: file, line: line)
    }
    /// In-place `atan` (`Tensor.atan_`): writes the result into this tensor.
    @discardableResult public func atan_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Atan.self, file: file, line: line)
    }
    /// Element-wise hyperbolic sine (`torch.sinh`).
    ///
    /// ```swift
    /// let y = x.sinh()
    /// ```
    public func sinh(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Sinh.self, file: file, line: line)
    }
    /// In-place `sinh` (`Tensor.sinh_`): writes the result into this tensor.
    @discardableResult public func sinh_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Sinh.self, file: file, line: line)
    }
    /// Element-wise hyperbolic cosine (`torch.cosh`).
    ///
    /// ```swift
    /// let y = x.cosh()
    /// ```
    public func cosh(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Cosh.self, file: file, line: line)
    }
    /// In-place `cosh` (`Tensor.cosh_`): writes the result into this tensor.
    @discardableResult public func cosh_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Cosh.self, file: file, line: line)
    }
    /// Element-wise hyperbolic tangent (`torch.tanh`).
    ///
    /// ```swift
    /// let y = x.tanh()
    /// ```
    public func tanh(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Tanh.self, file: file, line: line)
    }
    /// In-place `tanh` (`Tensor.tanh_`): writes the result into this tensor.
    @discardableResult public func tanh_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Tanh.self, file: file, line: line)
    }
    /// Element-wise error function (`torch.erf`).
    ///
    /// ```swift
    /// let y = x.erf()
    /// ```
    public func erf(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Erf.self, file: file, line: line)
    }
    /// In-place `erf` (`Tensor.erf_`): writes the result into this tensor.
    @discardableResult public func erf_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Erf.self, file: file, line: line)
    }
    /// Element-wise complementary error function (`torch.erfc`).
    ///
    /// ```swift
    /// let y = x.erfc()
    /// ```
    public func erfc(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Erfc.self, file: file, line: line)
    }
    /// In-place `erfc` (`Tensor.erfc_`): writes the result into this tensor.
    @discardableResult public func erfc_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Erfc.self, file: file, line: line)
    }
}
