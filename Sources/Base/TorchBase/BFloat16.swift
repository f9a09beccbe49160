/// Brain floating point: the top 16 bits of an IEEE float32.
///
/// ```swift
/// let b = BFloat16(1.5 as Float)
/// Float(b)  // 1.5
/// ```
@frozen public struct BFloat16: Sendable, Hashable, CustomStringConvertible {
    public var bitPattern: UInt16

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

    @inlinable public var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }

    public var description: String { floatValue.description }
}

extension Float {
    @inlinable public init(_ b: BFloat16) { self = b.floatValue }
}
