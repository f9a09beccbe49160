import RealModule
#if canImport(Glibc)
    import Glibc
#endif

/// Element types the CPU kernels compute in directly (float16 and bfloat16 compute in float32).
/// Integer arithmetic wraps like C; float ops follow IEEE and PyTorch's NaN rules.
public protocol NativeScalar: TensorElement, Comparable {
    static var zeroValue: Self { get }
    static var oneValue: Self { get }
    /// Identity of `max` (the lowest value, -inf for floats) and of `min`.
    static var lowest: Self { get }
    static var highest: Self { get }
    static func add(_ a: Self, _ b: Self) -> Self
    static func sub(_ a: Self, _ b: Self) -> Self
    static func mul(_ a: Self, _ b: Self) -> Self
    static func div(_ a: Self, _ b: Self) -> Self
    static func floorDiv(_ a: Self, _ b: Self) -> Self
    /// Python's `%`: the result takes the sign of the divisor.
    static func remainder(_ a: Self, _ b: Self) -> Self
    /// C's `fmod`: the result takes the sign of the dividend.
    static func fmod(_ a: Self, _ b: Self) -> Self
    static func power(_ a: Self, _ b: Self) -> Self
    /// `power` with the exponent special cases of PyTorch's tensor-scalar kernel (`Pointwise.PowScalar`).
    static func powerScalar(_ a: Self, _ b: Self) -> Self
    static func maximum(_ a: Self, _ b: Self) -> Self
    static func minimum(_ a: Self, _ b: Self) -> Self
    static func negate(_ a: Self) -> Self
    static func absolute(_ a: Self) -> Self
    static func signum(_ a: Self) -> Self
    /// `~a` for integers, `!a` for bool (never called on floats: core refuses them first).
    static func bitwiseNot(_ a: Self) -> Self
    /// `a & b`, `a | b`, `a ^ b` for integers; and, or, xor for bool (never called on floats).
    static func bitwise(_ op: BitwiseOp, _ a: Self, _ b: Self) -> Self
    /// The integer-only ops (shifts, gcd, lcm) with PyTorch's CPU semantics (never called on
    /// floats or bool: core refuses them first).
    static func integer(_ op: IntegerOp, _ a: Self, _ b: Self) -> Self
    var isNaNValue: Bool { get }
    var isNonZero: Bool { get }
}

/// The integer-only operations of `NativeScalar.integer`.
///
/// ```swift
/// Int32.integer(.shiftLeft, 1, 4)   // 16
/// Int64.integer(.gcd, 12, -18)      // 6
/// ```
public enum IntegerOp: Sendable {
    /// `a << b`; 0 when `b` is negative or at least the bit width (PyTorch's `lshift`).
    case shiftLeft
    /// `a >> b` (arithmetic for signed types); `a >> (bits - 1)` when `b` is negative or at
    /// least the bit width (PyTorch's `rshift`).
    case shiftRight
    /// The greatest common divisor, non-negative (`gcd(0, 0) == 0`).
    case gcd
    /// The least common multiple, non-negative (0 when either is 0).
    case lcm
}

/// The bitwise operations of `NativeScalar.bitwise`.
public enum BitwiseOp: Sendable {
    case and, or, xor
}

@inline(never) @usableFromInline func integerDivisionByZero() -> Never {
    fatalError("ZeroDivisionError: integer division or remainder by zero")
}

extension NativeScalar where Self: FixedWidthInteger {
    /// Zero (the identity of sum) (integers).
    @inlinable public static var zeroValue: Self { 0 }
    /// One (the identity of product) (integers).
    @inlinable public static var oneValue: Self { 1 }
    /// The identity of max: the lowest value (integers).
    @inlinable public static var lowest: Self { .min }
    /// The identity of min: the highest value (integers).
    @inlinable public static var highest: Self { .max }
    /// a + b (integers).
    @inlinable public static func add(_ a: Self, _ b: Self) -> Self { a &+ b }
    /// a - b (integers).
    @inlinable public static func sub(_ a: Self, _ b: Self) -> Self { a &- b }
    /// a · b (integers).
    @inlinable public static func mul(_ a: Self, _ b: Self) -> Self { a &* b }
    /// a / b (integers).
    @inlinable public static func div(_ a: Self, _ b: Self) -> Self { floorDiv(a, b) }
    /// a // b, rounded toward -infinity (integers).
    @inlinable public static func floorDiv(_ a: Self, _ b: Self) -> Self {
        if b == 0 { integerDivisionByZero() }
        if Self.isSigned && b == -1 { return 0 &- a }
        let q = a / b
        return (a % b != 0 && ((a < 0) != (b < 0))) ? q &- 1 : q
    }
    /// Python's a % b (the sign of b) (integers).
    @inlinable public static func remainder(_ a: Self, _ b: Self) -> Self {
        if b == 0 { integerDivisionByZero() }
        if Self.isSigned && b == -1 { return 0 }
        let r = a % b
        return (r != 0 && ((r < 0) != (b < 0))) ? r &+ b : r
    }
    /// C's fmod(a, b) (the sign of a) (integers).
    @inlinable public static func fmod(_ a: Self, _ b: Self) -> Self {
        if b == 0 { integerDivisionByZero() }
        if Self.isSigned && b == -1 { return 0 }
        return a % b
    }
    /// a ** b for a Python-scalar exponent (integers).
    @inlinable public static func powerScalar(_ a: Self, _ b: Self) -> Self { power(a, b) }
    /// a ** b (integers).
    @inlinable public static func power(_ a: Self, _ b: Self) -> Self {
        if b < 0 { return a == 1 ? 1 : (a == 0 - 1 ? ((b & 1) == 0 ? 1 : a) : 0) }
        var result: Self = 1, base = a, e = b
        while e > 0 {
            if e & 1 == 1 { result = result &* base }
            base = base &* base
            e >>= 1
        }
        return result
    }
    /// max(a, b), NaN winning (integers).
    @inlinable public static func maximum(_ a: Self, _ b: Self) -> Self { a > b ? a : b }
    /// min(a, b), NaN winning (integers).
    @inlinable public static func minimum(_ a: Self, _ b: Self) -> Self { a < b ? a : b }
    /// -a (integers).
    @inlinable public static func negate(_ a: Self) -> Self { 0 &- a }
    /// |a| (integers).
    @inlinable public static func absolute(_ a: Self) -> Self { a < 0 ? 0 &- a : a }
    /// -1, 0 or 1 by the sign of a (integers).
    @inlinable public static func signum(_ a: Self) -> Self { a > 0 ? 1 : (a < 0 ? 0 &- 1 : 0) }
    /// The bitwise complement (integers).
    @inlinable public static func bitwiseNot(_ a: Self) -> Self { ~a }
    /// The bitwise and, or, xor (integers).
    @inlinable public static func bitwise(_ op: BitwiseOp, _ a: Self, _ b: Self) -> Self {
        switch op {
        case .and: return a & b
        case .or: return a | b
        case .xor: return a ^ b
        }
    }
    /// Shifts, gcd and lcm (integers), wrapping as PyTorch's CPU kernels.
    @inlinable public static func integer(_ op: IntegerOp, _ a: Self, _ b: Self) -> Self {
        let bits = Self.bitWidth
        switch op {
        case .shiftLeft:
            // PyTorch compares the shift as unsigned: a negative one is out of range too.
            if b < 0 || b >= bits { return 0 }
            return a &<< b
        case .shiftRight:
            // A negative shift counts as out of range only for signed types (its signed view).
            let negative = Self.isSigned ? b < 0 : Int8(truncatingIfNeeded: b) < 0
            if negative || b >= bits { return a >> (bits - 1) }
            return a >> b
        case .gcd:
            var x = a, y = b
            while y != 0 { (x, y) = (y, x.remainderReportingOverflow(dividingBy: y).partialValue) }
            return x < 0 ? 0 &- x : x
        case .lcm:
            let g = integer(.gcd, a, b)
            if g == 0 { return 0 }
            let l = a.dividedReportingOverflow(by: g).partialValue &* b
            return l < 0 ? 0 &- l : l
        }
    }
    /// Whether the value is NaN (integers).
    @inlinable public var isNaNValue: Bool { false }
    /// Whether the value is non-zero (true) (integers).
    @inlinable public var isNonZero: Bool { self != 0 }
}

extension NativeScalar where Self: BinaryFloatingPoint & Real {
    /// Zero (the identity of sum) (floats).
    @inlinable public static var zeroValue: Self { 0 }
    /// One (the identity of product) (floats).
    @inlinable public static var oneValue: Self { 1 }
    /// The identity of max: the lowest value (floats).
    @inlinable public static var lowest: Self { -.infinity }
    /// The identity of min: the highest value (floats).
    @inlinable public static var highest: Self { .infinity }
    /// a + b (floats).
    @inlinable public static func add(_ a: Self, _ b: Self) -> Self { a + b }
    /// a - b (floats).
    @inlinable public static func sub(_ a: Self, _ b: Self) -> Self { a - b }
    /// a · b (floats).
    @inlinable public static func mul(_ a: Self, _ b: Self) -> Self { a * b }
    /// a / b (floats).
    @inlinable public static func div(_ a: Self, _ b: Self) -> Self { a / b }
    /// PyTorch's `div_floor_floating`: through `fmod`, so that `inf // 5` is NaN and `-5 // inf` is -1.
    @inlinable public static func floorDiv(_ a: Self, _ b: Self) -> Self {
        if b == 0 { return a / b }
        let mod = a.truncatingRemainder(dividingBy: b)
        var div = (a - mod) / b
        if mod != 0 && ((b < 0) != (mod < 0)) { div -= 1 }
        if div == 0 { return Self(signOf: a / b, magnitudeOf: 0) }
        var q = div.rounded(.down)
        if div - q > 0.5 { q += 1 }
        return q
    }
    /// Python's a % b (the sign of b) (floats).
    @inlinable public static func remainder(_ a: Self, _ b: Self) -> Self {
        let r = a.truncatingRemainder(dividingBy: b)
        return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r
    }
    /// C's fmod(a, b) (the sign of a) (floats).
    @inlinable public static func fmod(_ a: Self, _ b: Self) -> Self { a.truncatingRemainder(dividingBy: b) }
    /// C's `pow` (IEEE: integral exponents of negative bases, signed zeros, infinities); `x * x`
    /// for 2 and `sqrt` for 0.5, as PyTorch's scalar-exponent kernel.
    @inlinable public static func powerScalar(_ a: Self, _ b: Self) -> Self {
        if b == 0.5 { return a.squareRoot() }
        if b == -0.5 { return 1 / a.squareRoot() }
        return power(a, b)
    }
    /// a ** b (floats).
    @inlinable public static func power(_ a: Self, _ b: Self) -> Self {
        if b == 2 { return a * a }
        if let x = a as? Double, let y = b as? Double { return Glibc.pow(x, y) as! Self }
        if let x = a as? Float, let y = b as? Float { return Glibc.powf(x, y) as! Self }
        return Self.pow(a, b)
    }
    /// max(a, b), NaN winning (floats).
    @inlinable public static func maximum(_ a: Self, _ b: Self) -> Self {
        (a.isNaN || b.isNaN) ? .nan : (a > b ? a : b)
    }
    /// min(a, b), NaN winning (floats).
    @inlinable public static func minimum(_ a: Self, _ b: Self) -> Self {
        (a.isNaN || b.isNaN) ? .nan : (a < b ? a : b)
    }
    /// -a (floats).
    @inlinable public static func negate(_ a: Self) -> Self { -a }
    /// |a| (floats).
    @inlinable public static func absolute(_ a: Self) -> Self { Swift.abs(a) }
    /// sign(nan) = 0, as PyTorch.
    @inlinable public static func signum(_ a: Self) -> Self { a > 0 ? 1 : (a < 0 ? -1 : 0) }
    /// The bitwise complement (floats).
    @inlinable public static func bitwiseNot(_ a: Self) -> Self { preconditionFailure("bitwise_not of a float") }
    /// The bitwise and, or, xor (floats).
    @inlinable public static func bitwise(_ op: BitwiseOp, _ a: Self, _ b: Self) -> Self {
        preconditionFailure("bitwise ops of a float")
    }
    /// Shifts, gcd and lcm (floats: never called, core refuses them).
    @inlinable public static func integer(_ op: IntegerOp, _ a: Self, _ b: Self) -> Self {
        preconditionFailure("integer ops of a float")
    }
    /// Whether the value is NaN (floats).
    @inlinable public var isNaNValue: Bool { isNaN }
    /// Whether the value is non-zero (true) (floats).
    @inlinable public var isNonZero: Bool { self != 0 }
}

extension UInt8: NativeScalar {}
extension Int8: NativeScalar {}
extension Int16: NativeScalar {}
extension Int32: NativeScalar {}
extension Int64: NativeScalar {}
extension Float: NativeScalar {}
extension Double: NativeScalar {}

extension Bool: NativeScalar {
    /// Zero (the identity of sum) (Bool).
    @inlinable public static var zeroValue: Bool { false }
    /// One (the identity of product) (Bool).
    @inlinable public static var oneValue: Bool { true }
    /// The identity of max: the lowest value (Bool).
    @inlinable public static var lowest: Bool { false }
    /// The identity of min: the highest value (Bool).
    @inlinable public static var highest: Bool { true }
    /// a + b (Bool).
    @inlinable public static func add(_ a: Bool, _ b: Bool) -> Bool { a || b }
    /// a - b (Bool).
    @inlinable public static func sub(_ a: Bool, _ b: Bool) -> Bool { a != b }
    /// a · b (Bool).
    @inlinable public static func mul(_ a: Bool, _ b: Bool) -> Bool { a && b }
    /// a / b (Bool).
    @inlinable public static func div(_ a: Bool, _ b: Bool) -> Bool { a }
    /// a // b, rounded toward -infinity (Bool).
    @inlinable public static func floorDiv(_ a: Bool, _ b: Bool) -> Bool { if !b { integerDivisionByZero() }; return a }
    /// Python's a % b (the sign of b) (Bool).
    @inlinable public static func remainder(_ a: Bool, _ b: Bool) -> Bool {
        if !b { integerDivisionByZero() }; return false
    }
    /// C's fmod(a, b) (the sign of a) (Bool).
    @inlinable public static func fmod(_ a: Bool, _ b: Bool) -> Bool { remainder(a, b) }
    /// a ** b (Bool).
    @inlinable public static func power(_ a: Bool, _ b: Bool) -> Bool { a || !b }
    /// a ** b for a Python-scalar exponent (Bool).
    @inlinable public static func powerScalar(_ a: Bool, _ b: Bool) -> Bool { power(a, b) }
    /// max(a, b), NaN winning (Bool).
    @inlinable public static func maximum(_ a: Bool, _ b: Bool) -> Bool { a || b }
    /// min(a, b), NaN winning (Bool).
    @inlinable public static func minimum(_ a: Bool, _ b: Bool) -> Bool { a && b }
    /// -a (Bool).
    @inlinable public static func negate(_ a: Bool) -> Bool { a }
    /// |a| (Bool).
    @inlinable public static func absolute(_ a: Bool) -> Bool { a }
    /// -1, 0 or 1 by the sign of a (Bool).
    @inlinable public static func signum(_ a: Bool) -> Bool { a }
    /// The bitwise complement (Bool).
    @inlinable public static func bitwiseNot(_ a: Bool) -> Bool { !a }
    /// The bitwise and, or, xor (Bool).
    @inlinable public static func bitwise(_ op: BitwiseOp, _ a: Bool, _ b: Bool) -> Bool {
        switch op {
        case .and: return a && b
        case .or: return a || b
        case .xor: return a != b
        }
    }
    /// Shifts, gcd and lcm (Bool: never called, core refuses them).
    @inlinable public static func integer(_ op: IntegerOp, _ a: Bool, _ b: Bool) -> Bool {
        preconditionFailure("integer ops of a bool")
    }
    /// false < true (Bool).
    @inlinable public static func < (a: Bool, b: Bool) -> Bool { !a && b }
    /// Whether the value is NaN (Bool).
    @inlinable public var isNaNValue: Bool { false }
    /// Whether the value is non-zero (true) (Bool).
    @inlinable public var isNonZero: Bool { self }
}

/// The two float types the transcendental kernels are written for.
public protocol FloatScalar: NativeScalar, BinaryFloatingPoint, Real, SIMDScalar, Codable {}
extension Float: FloatScalar {}
extension Double: FloatScalar {}

extension DType {
    /// The dtype kernels compute this dtype in.
    @inlinable public var computeType: DType { (self == .float16 || self == .bfloat16) ? .float32 : self }
}
