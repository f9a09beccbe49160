/// Brain floating point: the top 16 bits of an IEEE float32.
///
/// ```swift
/// let b = BFloat16(1.5 as Float)
/// Float(b)  // 1.5
/// ```
@frozen public struct BFloat16: Sendable, Hashable, CustomStringConvertible {
    public var bitPattern: UInt16

    /// The value with these 16 bits (the top half of a float32).
    @inlinable public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// Rounds to nearest, ties to even; NaN stays NaN.
    @inlinable public init(_ value: Float) {
        let bits = value.bitPattern
        if value.isNaN {
            bitPattern = UInt16(truncatingIfNeeded: (bits >> 16) | 0x40)
        } else {
            let rounding = UInt32(0x7FFF) &+ ((bits >> 16) & 1)
            bitPattern = UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
        }
    }

    /// The value as a float32 (exact).
    @inlinable public var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }

    /// The value printed as its float32.
    public var description: String { floatValue.description }
}

extension Float {
    /// The bfloat16 `b` widened exactly. `Float(BFloat16(1.5))`
    @inlinable public init(_ b: BFloat16) { self = b.floatValue }
}
