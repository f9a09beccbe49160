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
    @inlinable public static var dtype: DType { .bool }
    @inlinable public init(fromDouble v: Double) { self = v != 0 }
    @inlinable public init(fromInt64 v: Int64) { self = v != 0 }
    @inlinable public var asDouble: Double { self ? 1 : 0 }
    @inlinable public var asInt64: Int64 { self ? 1 : 0 }
}

extension UInt8: TensorElement {
    @inlinable public static var dtype: DType { .uint8 }
    @inlinable public init(fromDouble v: Double) { self.init(truncatingIfNeeded: cInt32(v)) }
    @inlinable public init(fromInt64 v: Int64) { self.init(truncatingIfNeeded: v) }
    @inlinable public var asDouble: Double { Double(self) }
    @inlinable public var asInt64: Int64 { Int64(self) }
}

extension Int8: TensorElement {
    @inlinable public static var dtype: DType { .int8 }
    @inlinable public init(fromDouble v: Double) { self.init(truncatingIfNeeded: cInt32(v)) }
    @inlinable public init(fromInt64 v: Int64) { self.init(truncatingIfNeeded: v) }
    @inlinable public var asDouble: Double { Double(self) }
    @inlinable public var asInt64: Int64 { Int64(self) }
}

extension Int16: TensorElement {
    @inlinable public static var dtype: DType { .int16 }
    @inlinable public init(fromDouble v: Double) { self.init(truncatingIfNeeded: cInt32(v)) }
    @inlinable public init(fromInt64 v: Int64) { self.init(truncatingIfNeeded: v) }
    @inlinable public var asDouble: Double { Double(self) }
    @inlinable public var asInt64: Int64 { Int64(self) }
}

extension Int32: TensorElement {
    @inlinable public static var dtype: DType { .int32 }
    @inlinable public init(fromDouble v: Double) { self.init(truncatingIfNeeded: cInt32(v)) }
    @inlinable public init(fromInt64 v: Int64) { self.init(truncatingIfNeeded: v) }
    @inlinable public var asDouble: Double { Double(self) }
    @inlinable public var asInt64: Int64 { Int64(self) }
}

extension Int64: TensorElement {
    @inlinable public static var dtype: DType { .int64 }
    @inlinable public init(fromDouble v: Double) { self = saturatingInt64(v) }
    @inlinable public init(fromInt64 v: Int64) { self = v }
    @inlinable public var asDouble: Double { Double(self) }
    @inlinable public var asInt64: Int64 { self }
}

extension Float16: TensorElement {
    @inlinable public static var dtype: DType { .float16 }
    @inlinable public init(fromDouble v: Double) { self.init(Float(v)) }
    @inlinable public init(fromInt64 v: Int64) { self.init(Float(v)) }
    @inlinable public var asDouble: Double { Double(Float(self)) }
    @inlinable public var asInt64: Int64 { saturatingInt64(Double(Float(self))) }
}

extension BFloat16: TensorElement {
    @inlinable public static var dtype: DType { .bfloat16 }
    @inlinable public init(fromDouble v: Double) { self.init(Float(v)) }
    @inlinable public init(fromInt64 v: Int64) { self.init(Float(v)) }
    @inlinable public var asDouble: Double { Double(floatValue) }
    @inlinable public var asInt64: Int64 { saturatingInt64(Double(floatValue)) }
}

extension Float: TensorElement {
    @inlinable public static var dtype: DType { .float32 }
    @inlinable public init(fromDouble v: Double) { self.init(v) }
    @inlinable public init(fromInt64 v: Int64) { self.init(v) }
    @inlinable public var asDouble: Double { Double(self) }
    @inlinable public var asInt64: Int64 { saturatingInt64(Double(self)) }
}

extension Double: TensorElement {
    @inlinable public static var dtype: DType { .float64 }
    @inlinable public init(fromDouble v: Double) { self = v }
    @inlinable public init(fromInt64 v: Int64) { self.init(v) }
    @inlinable public var asDouble: Double { self }
    @inlinable public var asInt64: Int64 { saturatingInt64(self) }
}

/// `Int` reads and writes int64 tensors (same size and layout as `Int64` on 64-bit Linux).
extension Int: TensorElement {
    @inlinable public static var dtype: DType { .int64 }
    @inlinable public init(fromDouble v: Double) { self = Int(saturatingInt64(v)) }
    @inlinable public init(fromInt64 v: Int64) { self = Int(v) }
    @inlinable public var asDouble: Double { Double(self) }
    @inlinable public var asInt64: Int64 { Int64(self) }
}
