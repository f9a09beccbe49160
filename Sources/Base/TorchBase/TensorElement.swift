/// A Swift type that can be the element of a tensor. Each `DType` has exactly one.
///
/// ```swift
/// Float.dtype          // .float32
/// Int32(fromDouble: 3.7) // 3 (truncates like a C cast)
/// ```
public protocol TensorElement: Sendable {
    static var dtype: DType { get }
    /// Converts like a C cast: floats truncate toward zero, out-of-range integers wrap.
    init(fromDouble v: Double)
    init(fromInt64 v: Int64)
    var asDouble: Double { get }
    var asInt64: Int64 { get }
    /// Converts a complex value: complex elements keep both parts, real ones take the real part.
    init(real: Double, imag: Double)
    /// The imaginary part (zero for real elements).
    var imagDouble: Double { get }
}

extension TensorElement {
    /// The real part, converted as `init(fromDouble:)` (real element types).
    @inlinable public init(real: Double, imag: Double) { self.init(fromDouble: real) }
    /// Zero (real element types).
    @inlinable public var imagDouble: Double { 0 }
}

/// A C cast of a double to int64 on x86 (`cvttsd2si`): NaN and out-of-range values give the
/// "integer indefinite" value, Int64.min, as PyTorch's CPU conversions do.
@inlinable package func saturatingInt64(_ d: Double) -> Int64 {
    if d.isNaN || d >= 9.2233720368547758e18 || d < -9.2233720368547758e18 { return Int64.min }
    return Int64(d)
}

/// A C cast to int32 on x86 (`cvttss2si`): NaN and out-of-range values give Int32.min. The
/// narrower integer types convert through it and keep the low bits, as C compilers do.
@inlinable package func cInt32(_ d: Double) -> Int32 {
    if d.isNaN || d >= 2147483648.0 || d <= -2147483649.0 { return Int32.min }
    return Int32(d)
}

extension Bool: TensorElement {
    /// The dtype of tensors of this element type (Bool).
    @inlinable public static var dtype: DType { .bool }
    /// Converts a double as a C cast would (Bool).
    @inlinable public init(fromDouble v: Double) { self = v != 0 }
    /// Converts an int64 as a C cast would (Bool).
    @inlinable public init(fromInt64 v: Int64) { self = v != 0 }
    /// The value as a double (Bool).
    @inlinable public var asDouble: Double { self ? 1 : 0 }
    /// The value as an int64 (a C cast) (Bool).
    @inlinable public var asInt64: Int64 { self ? 1 : 0 }
}

extension UInt8: TensorElement {
    /// The dtype of tensors of this element type (UInt8).
    @inlinable public static var dtype: DType { .uint8 }
    /// Converts a double as a C cast would (UInt8).
    @inlinable public init(fromDouble v: Double) { self.init(truncatingIfNeeded: cInt32(v)) }
    /// Converts an int64 as a C cast would (UInt8).
    @inlinable public init(fromInt64 v: Int64) { self.init(truncatingIfNeeded: v) }
    /// The value as a double (UInt8).
    @inlinable public var asDouble: Double { Double(self) }
    /// The value as an int64 (a C cast) (UInt8).
    @inlinable public var asInt64: Int64 { Int64(self) }
}

extension Int8: TensorElement {
    /// The dtype of tensors of this element type (Int8).
    @inlinable public static var dtype: DType { .int8 }
    /// Converts a double as a C cast would (Int8).
    @inlinable public init(fromDouble v: Double) { self.init(truncatingIfNeeded: cInt32(v)) }
    /// Converts an int64 as a C cast would (Int8).
    @inlinable public init(fromInt64 v: Int64) { self.init(truncatingIfNeeded: v) }
    /// The value as a double (Int8).
    @inlinable public var asDouble: Double { Double(self) }
    /// The value as an int64 (a C cast) (Int8).
    @inlinable public var asInt64: Int64 { Int64(self) }
}

extension Int16: TensorElement {
    /// The dtype of tensors of this element type (Int16).
    @inlinable public static var dtype: DType { .int16 }
    /// Converts a double as a C cast would (Int16).
    @inlinable public init(fromDouble v: Double) { self.init(truncatingIfNeeded: cInt32(v)) }
    /// Converts an int64 as a C cast would (Int16).
    @inlinable public init(fromInt64 v: Int64) { self.init(truncatingIfNeeded: v) }
    /// The value as a double (Int16).
    @inlinable public var asDouble: Double { Double(self) }
    /// The value as an int64 (a C cast) (Int16).
    @inlinable public var asInt64: Int64 { Int64(self) }
}

extension Int32: TensorElement {
    /// The dtype of tensors of this element type (Int32).
    @inlinable public static var dtype: DType { .int32 }
    /// Converts a double as a C cast would (Int32).
    @inlinable public init(fromDouble v: Double) { self.init(truncatingIfNeeded: cInt32(v)) }
    /// Converts an int64 as a C cast would (Int32).
    @inlinable public init(fromInt64 v: Int64) { self.init(truncatingIfNeeded: v) }
    /// The value as a double (Int32).
    @inlinable public var asDouble: Double { Double(self) }
    /// The value as an int64 (a C cast) (Int32).
    @inlinable public var asInt64: Int64 { Int64(self) }
}

extension Int64: TensorElement {
    /// The dtype of tensors of this element type (Int64).
    @inlinable public static var dtype: DType { .int64 }
    /// Converts a double as a C cast would (Int64).
    @inlinable public init(fromDouble v: Double) { self = saturatingInt64(v) }
    /// Converts an int64 as a C cast would (Int64).
    @inlinable public init(fromInt64 v: Int64) { self = v }
    /// The value as a double (Int64).
    @inlinable public var asDouble: Double { Double(self) }
    /// The value as an int64 (a C cast) (Int64).
    @inlinable public var asInt64: Int64 { self }
}

extension Float16: TensorElement {
    /// The dtype of tensors of this element type (Float16).
    @inlinable public static var dtype: DType { .float16 }
    /// Converts a double as a C cast would (Float16).
    @inlinable public init(fromDouble v: Double) { self.init(Float(v)) }
    /// Converts an int64 as a C cast would (Float16).
    @inlinable public init(fromInt64 v: Int64) { self.init(Float(v)) }
    /// The value as a double (Float16).
    @inlinable public var asDouble: Double { Double(Float(self)) }
    /// The value as an int64 (a C cast) (Float16).
    @inlinable public var asInt64: Int64 { saturatingInt64(Double(Float(self))) }
}

extension BFloat16: TensorElement {
    /// The dtype of tensors of this element type (BFloat16).
    @inlinable public static var dtype: DType { .bfloat16 }
    /// Converts a double as a C cast would (BFloat16).
    @inlinable public init(fromDouble v: Double) { self.init(Float(v)) }
    /// Converts an int64 as a C cast would (BFloat16).
    @inlinable public init(fromInt64 v: Int64) { self.init(Float(v)) }
    /// The value as a double (BFloat16).
    @inlinable public var asDouble: Double { Double(floatValue) }
    /// The value as an int64 (a C cast) (BFloat16).
    @inlinable public var asInt64: Int64 { saturatingInt64(Double(floatValue)) }
}

extension Float: TensorElement {
    /// The dtype of tensors of this element type (Float).
    @inlinable public static var dtype: DType { .float32 }
    /// Converts a double as a C cast would (Float).
    @inlinable public init(fromDouble v: Double) { self.init(v) }
    /// Converts an int64 as a C cast would (Float).
    @inlinable public init(fromInt64 v: Int64) { self.init(v) }
    /// The value as a double (Float).
    @inlinable public var asDouble: Double { Double(self) }
    /// The value as an int64 (a C cast) (Float).
    @inlinable public var asInt64: Int64 { saturatingInt64(Double(self)) }
}

extension Double: TensorElement {
    /// The dtype of tensors of this element type (Double).
    @inlinable public static var dtype: DType { .float64 }
    /// Converts a double as a C cast would (Double).
    @inlinable public init(fromDouble v: Double) { self = v }
    /// Converts an int64 as a C cast would (Double).
    @inlinable public init(fromInt64 v: Int64) { self.init(v) }
    /// The value as a double (Double).
    @inlinable public var asDouble: Double { self }
    /// The value as an int64 (a C cast) (Double).
    @inlinable public var asInt64: Int64 { saturatingInt64(self) }
}

/// `Int` reads and writes int64 tensors (same size and layout as `Int64` on 64-bit Linux).
extension Int: TensorElement {
    /// The dtype of tensors of this element type (Int).
    @inlinable public static var dtype: DType { .int64 }
    /// Converts a double as a C cast would (Int).
    @inlinable public init(fromDouble v: Double) { self = Int(saturatingInt64(v)) }
    /// Converts an int64 as a C cast would (Int).
    @inlinable public init(fromInt64 v: Int64) { self = Int(v) }
    /// The value as a double (Int).
    @inlinable public var asDouble: Double { Double(self) }
    /// The value as an int64 (a C cast) (Int).
    @inlinable public var asInt64: Int64 { Int64(self) }
}
