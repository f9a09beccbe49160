import TorchBase

// Arithmetic, sign and rounding element functions (Note [Unary primitives]), and the bool-valued
// tests. Each type is the whole definition of its op; the public methods are at the end.

/// Namespace of the element-wise primitives' definitions (`Pointwise.Exp`, `Pointwise.Neg`).
enum Pointwise {}

extension UnaryPrimitives {
    static let arithmetic: [any UnaryPrimitive.Type] = [
        Pointwise.Neg.self, Pointwise.Abs.self, Pointwise.Sign.self, Pointwise.Square.self, Pointwise.Reciprocal.self,
        Pointwise.Floor.self, Pointwise.Ceil.self, Pointwise.Round.self, Pointwise.Trunc.self,
        Pointwise.BitwiseNot.self,
    ]
}

/// A rounding function: integral inputs unchanged, bool refused as PyTorch's `<op>_vml_cpu`
/// kernels do, a zero gradient. A conforming type gives only its name and its float and CUDA forms.
protocol RoundingPrimitive: UnaryPrimitive {}

extension RoundingPrimitive {
    static var keepsIntegers: Bool { true }
    static var saves: UnarySaves { .nothing }
    static var hasSecondDerivative: Bool { false }
    static func integral<T: NativeScalar>(_ x: T) -> T { x }
    static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { Tensor.zerosLike(g) }
    static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
        x.requireKernel(name, "\(name)_vml_cpu", .notBool, file: file, line: line)
        return x.dtype
    }
}

extension Pointwise {
    /// `-x`; integers wrap, bool is refused.
    enum Neg: UnaryPrimitive {
        static let name = "neg"
        static let keepsIntegers = true
        static let saves = UnarySaves.nothing
        static func float<T: FloatScalar>(_ x: T) -> T { -x }
        static func integral<T: NativeScalar>(_ x: T) -> T { T.negate(x) }
        static func cuda(_ t: CUDAType) -> String { t.dtype == .bool ? "x" : "(\(t.name))(-x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { -g }
        static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
            if x.dtype == .bool {
                torchFail(
                    "neg",
                    "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a "
                        + "mask, use the `~` or `logicalNot()` operator instead.",
                    file: file, line: line)
            }
            return x.dtype
        }
    }

    /// `|x|`.
    enum Abs: UnaryPrimitive {
        static let name = "abs"
        static let keepsIntegers = true
        static let hasSecondDerivative = false
        static func float<T: FloatScalar>(_ x: T) -> T { Swift.abs(x) }
        static func integral<T: NativeScalar>(_ x: T) -> T { T.absolute(x) }
        static func cuda(_ t: CUDAType) -> String {
            if t.isFloatingPoint { return "\(t.fn("fabs"))(x)" }
            return t.dtype == .bool || t.dtype == .uint8 ? "x" : "(\(t.name))(x < 0 ? -x : x)"
        }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * x.sign() }
        static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
            x.requireKernel("abs", "abs_cpu", .notBool, file: file, line: line)
            return x.dtype
        }
    }

    /// -1, 0 or 1 by the sign of `x` (0 for NaN, as PyTorch).
    enum Sign: UnaryPrimitive {
        static let name = "sign"
        static let keepsIntegers = true
        static let saves = UnarySaves.nothing
        static let hasSecondDerivative = false
        static func float<T: FloatScalar>(_ x: T) -> T { T.signum(x) }
        static func integral<T: NativeScalar>(_ x: T) -> T { T.signum(x) }
        static func cuda(_ t: CUDAType) -> String {
            if t.isFloatingPoint { return "(x > 0 ? \(t.lit("1")) : (x < 0 ? \(t.lit("-1")) : \(t.lit("0"))))" }
            return "(\(t.name))(x > 0 ? 1 : (x < 0 ? -1 : 0))"
        }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { Tensor.zerosLike(g) }
    }

    /// `x * x` (bool squares to int64, as `pow(bool, 2)` in PyTorch).
    enum Square: UnaryPrimitive {
        static let name = "square"
        static let keepsIntegers = true
        static func float<T: FloatScalar>(_ x: T) -> T { x * x }
        static func integral<T: NativeScalar>(_ x: T) -> T { T.mul(x, x) }
        static func cuda(_ t: CUDAType) -> String { "(\(t.name))(x * x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * x * 2 }
        static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
            x.dtype == .bool ? .int64 : x.dtype
        }
    }

    /// `1 / x`.
    enum Reciprocal: UnaryPrimitive {
        static let name = "reciprocal"
        static let saves = UnarySaves.output
        static let domain: ClosedRange<Double> = 0.5...2
        static func float<T: FloatScalar>(_ x: T) -> T { 1 / x }
        static func cuda(_ t: CUDAType) -> String { "(\(t.lit("1")) / x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { -g * y * y }
    }

    /// Rounds toward -infinity; integers are unchanged.
    enum Floor: RoundingPrimitive {
        static let name = "floor"
        static func float<T: FloatScalar>(_ x: T) -> T { x.rounded(.down) }
        static func cuda(_ t: CUDAType) -> String { t.isFloatingPoint ? "\(t.fn("floor"))(x)" : "x" }
    }

    /// Rounds toward +infinity; integers are unchanged.
    enum Ceil: RoundingPrimitive {
        static let name = "ceil"
        static func float<T: FloatScalar>(_ x: T) -> T { x.rounded(.up) }
        static func cuda(_ t: CUDAType) -> String { t.isFloatingPoint ? "\(t.fn("ceil"))(x)" : "x" }
    }

    /// Rounds half to even; integers are unchanged.
    enum Round: RoundingPrimitive {
        static let name = "round"
        static func float<T: FloatScalar>(_ x: T) -> T { x.rounded(.toNearestOrEven) }
        static func cuda(_ t: CUDAType) -> String { t.isFloatingPoint ? "\(t.fn("rint"))(x)" : "x" }
    }

    /// Rounds toward zero; integers are unchanged.
    enum Trunc: RoundingPrimitive {
        static let name = "trunc"
        static func float<T: FloatScalar>(_ x: T) -> T { x.rounded(.towardZero) }
        static func cuda(_ t: CUDAType) -> String { t.isFloatingPoint ? "\(t.fn("trunc"))(x)" : "x" }
    }

    /// `~x` of integers, `!x` of bool; floats are refused. Not differentiable.
    enum BitwiseNot: UnaryPrimitive {
        static let name = "bitwiseNot"
        static let keepsIntegers = true
        static let isDifferentiable = false
        static func float<T: FloatScalar>(_ x: T) -> T { preconditionFailure("bitwise_not of a float") }
        static func integral<T: NativeScalar>(_ x: T) -> T { T.bitwiseNot(x) }
        static func cuda(_ t: CUDAType) -> String { t.dtype == .bool ? "(!x)" : "(\(t.name))(~x)" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { Tensor.zerosLike(g) }
        static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
            if x.dtype.isFloatingPoint {
                torchFail(
                    "bitwiseNot", "bitwise_not is only defined for integral and bool tensors, got \(x.dtype)",
                    file: file, line: line)
            }
            return x.dtype
        }
    }

    /// True where `x` is zero (`logical_not`).
    enum LogicalNot: UnaryPredicate {
        static let name = "logicalNot"
        static func float<T: FloatScalar>(_ x: T) -> Bool { x == 0 }
        static func integral<T: NativeScalar>(_ x: T) -> Bool { !x.isNonZero }
        static func cuda(_ t: CUDAType) -> String { "(x == 0)" }
    }

    /// True where `x` is NaN.
    enum IsNaN: UnaryPredicate {
        static let name = "isnan"
        static func float<T: FloatScalar>(_ x: T) -> Bool { x.isNaN }
        static func integral<T: NativeScalar>(_ x: T) -> Bool { false }
        static func cuda(_ t: CUDAType) -> String { "(x != x)" }
    }

    /// True where `x` is ±infinity.
    enum IsInf: UnaryPredicate {
        static let name = "isinf"
        static func float<T: FloatScalar>(_ x: T) -> Bool { x.isInfinite }
        static func integral<T: NativeScalar>(_ x: T) -> Bool { false }
        static func cuda(_ t: CUDAType) -> String { t.isFloatingPoint ? "isinf(x)" : "false" }
    }

    /// True where `x` is neither NaN nor infinite.
    enum IsFinite: UnaryPredicate {
        static let name = "isfinite"
        static func float<T: FloatScalar>(_ x: T) -> Bool { x.isFinite }
        static func integral<T: NativeScalar>(_ x: T) -> Bool { true }
        static func cuda(_ t: CUDAType) -> String { t.isFloatingPoint ? "isfinite(x)" : "true" }
    }
}

extension Tensor {
    /// Element-wise negation (`torch.neg`).
    ///
    /// ```swift
    /// let y = x.neg()
    /// ```
    public func neg(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Neg.self, file: file, line: line)
    }
    /// In-place `neg` (`Tensor.neg_`): writes the result into this tensor.
    @discardableResult public func neg_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Neg.self, file: file, line: line)
    }
    /// Element-wise absolute value (`torch.abs`).
    ///
    /// ```swift
    /// let y = x.abs()
    /// ```
    public func abs(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Abs.self, file: file, line: line)
    }
    /// In-place `abs` (`Tensor.abs_`): writes the result into this tensor.
    @discardableResult public func abs_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Abs.self, file: file, line: line)
    }
    /// Element-wise sign: -1, 0 or 1 (`torch.sign`).
    ///
    /// ```swift
    /// let y = x.sign()
    /// ```
    public func sign(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Sign.self, file: file, line: line)
    }
    /// In-place `sign` (`Tensor.sign_`): writes the result into this tensor.
    @discardableResult public func sign_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Sign.self, file: file, line: line)
    }
    /// Element-wise square (`torch.square`).
    ///
    /// ```swift
    /// let y = x.square()
    /// ```
    public func square(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Square.self, file: file, line: line)
    }
    /// In-place `square` (`Tensor.square_`): writes the result into this tensor.
    @discardableResult public func square_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Square.self, file: file, line: line)
    }
    /// Element-wise `1 / x` (`torch.reciprocal`).
    ///
    /// ```swift
    /// let y = x.reciprocal()
    /// ```
    public func reciprocal(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Reciprocal.self, file: file, line: line)
    }
    /// In-place `reciprocal` (`Tensor.reciprocal_`): writes the result into this tensor.
    @discardableResult public func reciprocal_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Reciprocal.self, file: file, line: line)
    }
    /// Element-wise rounding down (`torch.floor`).
    ///
    /// ```swift
    /// let y = x.floor()
    /// ```
    public func floor(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Floor.self, file: file, line: line)
    }
    /// In-place `floor` (`Tensor.floor_`): writes the result into this tensor.
    @discardableResult public func floor_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Floor.self, file: file, line: line)
    }
    /// Element-wise rounding up (`torch.ceil`).
    ///
    /// ```swift
    /// let y = x.ceil()
    /// ```
    public func ceil(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Ceil.self, file: file, line: line)
    }
    /// In-place `ceil` (`Tensor.ceil_`): writes the result into this tensor.
    @discardableResult public func ceil_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Ceil.self, file: file, line: line)
    }
    /// Element-wise rounding half to even (`torch.round`).
    ///
    /// ```swift
    /// let y = x.round()
    /// ```
    public func round(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Round.self, file: file, line: line)
    }
    /// In-place `round` (`Tensor.round_`): writes the result into this tensor.
    @discardableResult public func round_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Round.self, file: file, line: line)
    }
    /// Rounds half to even at `decimals` decimal places (negative: to tens, hundreds...) as
    /// PyTorch's kernel: `round(x · 10^d) / 10^d`, or `round(x / 10^-d) · 10^-d` for negative `d`.
    ///
    /// ```swift
    /// Tensor([1.2345]).round(decimals: 2)   // [1.23]
    /// ```
    public func round(decimals: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        // Any explicit `decimals` takes PyTorch's decimals kernel, which has no integer or bool form.
        if !dtype.isFloatingPoint {
            let kernel = decimals == 0 ? "round_vml_cpu" : "round_cpu"
            torchFail("round", "\"\(kernel)\" not implemented for '\(dtype.pytorchName)'", file: file, line: line)
        }
        if decimals == 0 { return round(file: file, line: line) }
        var tenPow = 1.0
        for _ in 0..<Swift.abs(decimals) { tenPow *= 10 }
        // float16/bfloat16 compute in float32 and round once, as PyTorch's kernel.
        let x = to(dtype.computeType)
        let r =
            decimals < 0
            ? (x / tenPow).round(file: file, line: line) * tenPow : (x * tenPow).round(file: file, line: line) / tenPow
        return r.to(dtype)
    }
    /// Element-wise rounding toward zero (`torch.trunc`).
    ///
    /// ```swift
    /// let y = x.trunc()
    /// ```
    public func trunc(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Trunc.self, file: file, line: line)
    }
    /// In-place `trunc` (`Tensor.trunc_`): writes the result into this tensor.
    @discardableResult public func trunc_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Trunc.self, file: file, line: line)
    }
    /// Element-wise bitwise NOT of an integral or bool tensor (`torch.bitwise_not`).
    ///
    /// ```swift
    /// let y = x.bitwiseNot()
    /// ```
    public func bitwiseNot(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.BitwiseNot.self, file: file, line: line)
    }
    /// In-place `bitwiseNot` (`Tensor.bitwise_not_`): writes the result into this tensor.
    @discardableResult public func bitwiseNot_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.BitwiseNot.self, file: file, line: line)
    }
}

extension Tensor {
    /// True where an element is zero (`torch.logical_not`); the result is bool.
    ///
    /// ```swift
    /// Tensor([0, 2]).logicalNot()   // [true, false]
    /// ```
    public func logicalNot(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        test(Pointwise.LogicalNot.self)
    }
    /// In-place `logicalNot` (`Tensor.logical_not_`): the bool result is written back in this tensor's dtype.
    @discardableResult public func logicalNot_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkNoInternalOverlap("logicalNot_", file: file, line: line)
        assignResult(logicalNot(file: file, line: line), op: "logicalNot_", file: file, line: line)
        return self
    }

    /// True where an element is NaN (`torch.isnan`).
    ///
    /// ```swift
    /// Tensor([1.0, .nan]).isnan()   // [false, true]
    /// ```
    public func isnan() -> Tensor { test(Pointwise.IsNaN.self) }
    /// True where an element is ±infinity (`torch.isinf`). `x.isinf()`
    public func isinf() -> Tensor { test(Pointwise.IsInf.self) }
    /// True where an element is neither NaN nor infinite (`torch.isfinite`). `x.isfinite()`
    public func isfinite() -> Tensor { test(Pointwise.IsFinite.self) }
}
