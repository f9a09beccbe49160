// Note [Element functions]: an element-wise op's math is written once, as a type, beside its
// primitive (Sources/Core/Torch/Primitives/Unary*.swift): its value on float32/float64 elements (and on
// integral ones where PyTorch keeps their dtype) as generic Swift, and its CUDA C expression. Every
// backend maps that one type over tensors (`Backend.map`): the CPU backend specialises its loops
// for it at compile time (no per-element dispatch), the CUDA backend compiles the expression with
// NVRTC. So a new element-wise op is one definition, not an enum case plus a functor per backend.

/// An element-wise function of one operand whose result has the operand's type.
///
/// ```swift
/// enum Cube: UnaryFunction {
///     static let name = "cube"
///     static func float<T: FloatScalar>(_ x: T) -> T { x * x * x }
///     static func cuda(_ t: CUDAType) -> String { "(x * x * x)" }
/// }
/// ```
public protocol UnaryFunction {
    /// PyTorch's name of the op (kernel caches, messages, the primitive registry).
    static var name: String { get }
    /// Whether integral and bool inputs keep their dtype (`abs`, `neg`, `floor`); otherwise core
    /// promotes them to the default float dtype first and only `float` is ever called.
    static var keepsIntegers: Bool { get }
    /// The value on a float32 or float64 element.
    static func float<T: FloatScalar>(_ x: T) -> T
    /// The value on an integral or bool element (only when `keepsIntegers`).
    static func integral<T: NativeScalar>(_ x: T) -> T
    /// The CUDA C expression of the function of `x` for elements of type `t`.
    static func cuda(_ t: CUDAType) -> String
}

extension UnaryFunction {
    /// By default integral inputs are promoted to float first.
    public static var keepsIntegers: Bool { false }
    /// By default there is no integral kernel (never called: core promotes).
    public static func integral<T: NativeScalar>(_ x: T) -> T {
        preconditionFailure("\(name) has no integral kernel; core promotes its integral inputs")
    }
}

/// An element-wise test of one operand with a bool result (`isnan`, `logicalNot`).
///
/// ```swift
/// enum IsNegative: UnaryPredicate {
///     static let name = "isneg"
///     static func float<T: FloatScalar>(_ x: T) -> Bool { x < 0 }
///     static func integral<T: NativeScalar>(_ x: T) -> Bool { x < T.zeroValue }
///     static func cuda(_ t: CUDAType) -> String { "(x < 0)" }
/// }
/// ```
public protocol UnaryPredicate {
    /// PyTorch's name of the op.
    static var name: String { get }
    /// The test of a float32 or float64 element.
    static func float<T: FloatScalar>(_ x: T) -> Bool
    /// The test of an integral or bool element.
    static func integral<T: NativeScalar>(_ x: T) -> Bool
    /// The CUDA C expression (bool) of the test of `x` for elements of type `t`.
    static func cuda(_ t: CUDAType) -> String
}

/// An element-wise function of two operands of one dtype whose result has that dtype (Note
/// [Element functions]).
///
/// ```swift
/// enum Hypot: BinaryFunction {
///     static let name = "hypot"
///     static func float<T: FloatScalar>(_ a: T, _ b: T) -> T { (a * a + b * b).squareRoot() }
///     static func cuda(_ t: CUDAType) -> String { "\(t.fn("hypot"))(x, y)" }
/// }
/// ```
public protocol BinaryFunction {
    /// PyTorch's name of the op (kernel caches, messages, the primitive registry).
    static var name: String { get }
    /// The value on two elements of any arithmetic type (bool, integers, float32, float64).
    static func native<T: NativeScalar>(_ a: T, _ b: T) -> T
    /// The value on two float32 or float64 elements (by default `native`).
    static func float<T: FloatScalar>(_ a: T, _ b: T) -> T
    /// The CUDA C expression of the function of `x` and `y` for elements of type `t`.
    static func cuda(_ t: CUDAType) -> String
}

extension BinaryFunction {
    /// By default there is no integral kernel (never called: core promotes first).
    public static func native<T: NativeScalar>(_ a: T, _ b: T) -> T {
        preconditionFailure("\(name) has no integral kernel; core promotes its integral inputs")
    }
    /// By default the float value is the `native` one.
    public static func float<T: FloatScalar>(_ a: T, _ b: T) -> T { native(a, b) }
}

/// An element-wise test of two operands of one dtype with a bool result (`eq`, `logicalAnd`).
///
/// ```swift
/// enum Apart: BinaryPredicate {
///     static let name = "apart"
///     static func native<T: NativeScalar>(_ a: T, _ b: T) -> Bool { a != b }
///     static func cuda(_ t: CUDAType) -> String { "(x != y)" }
/// }
/// ```
public protocol BinaryPredicate {
    /// PyTorch's name of the op.
    static var name: String { get }
    /// The test of two elements of any arithmetic type.
    static func native<T: NativeScalar>(_ a: T, _ b: T) -> Bool
    /// The CUDA C expression (bool) of the test of `x` and `y`.
    static func cuda(_ t: CUDAType) -> String
}

/// How CUDA C spells an element type and its math functions, for `UnaryFunction.cuda`.
///
/// ```swift
/// let t = CUDAType(.float32)
/// t.fn("exp")        // "expf"
/// t.lit("0.5")       // "(float)0.5"
/// ```
public struct CUDAType: Sendable {
    /// The element dtype.
    public let dtype: DType
    /// The spelling helper for `dtype`.
    public init(_ dtype: DType) { self.dtype = dtype }

    /// The C type of an element.
    public var name: String {
        switch dtype {
        case .bool: return "bool"
        case .uint8: return "unsigned char"
        case .int8: return "signed char"
        case .int16: return "short"
        case .int32: return "int"
        case .int64: return "long long"
        case .float16, .bfloat16: return "unsigned short"
        case .float32: return "float"
        case .float64: return "double"
        case .complex64: return "float2"
        case .complex128: return "double2"
        }
    }
    /// Whether the element is a float type.
    public var isFloatingPoint: Bool { dtype.isFloatingPoint }
    /// The CUDA math function `base` for this type (`expf` for float32, `exp` for float64).
    public func fn(_ base: String) -> String { dtype == .float32 ? base + "f" : base }
    /// A constant of this type written as `text`.
    public func lit(_ text: String) -> String { "(\(name))\(text)" }
}
