#if canImport(Glibc)
    import Glibc
#endif

/// A complex number with IEEE parts, the element of complex64 (`Complex<Float>`) and complex128
/// (`Complex<Double>`) tensors, stored as (real, imaginary) as C99, NumPy and PyTorch store it.
///
/// ```swift
/// let z = Complex(1.0, 2.0)         // 1+2j
/// let t = Tensor([z, Complex(0, -1)]) // complex128
/// t.abs()                           // float64 [2.2361, 1.0]
/// ```
///
/// Note [Complex element]: swift-numerics' `Complex` treats every non-finite value as one point
/// at infinity (its `real` of `inf + nan·i` is NaN and all infinities compare equal); a tensor
/// library must keep each part as IEEE arithmetic leaves it, as PyTorch and NumPy do, so the
/// element type is this plain pair.
@frozen public struct Complex<RealType: BinaryFloatingPoint & Sendable>: Sendable, Hashable {
    /// The real part.
    public var real: RealType
    /// The imaginary part.
    public var imag: RealType

    /// `real + imag·i`. `Complex(1.0, -2.0)`
    @inlinable public init(_ real: RealType, _ imag: RealType = 0) {
        self.real = real
        self.imag = imag
    }
}

extension Complex: CustomStringConvertible {
    /// `1.0+2.0j`, as Python spells a complex number.
    public var description: String {
        let sign = imag.sign == .minus || imag.isNaN && imag.sign == .minus ? "-" : "+"
        let im = imag.magnitude
        return "\(real)\(sign)\(im)j"
    }
}

/// Float and Double: the parts of the complex element types.
public protocol ComplexPart: BinaryFloatingPoint, TensorElement {
    /// The complex dtype with parts of this type.
    static var complexDType: DType { get }
}

extension Float: ComplexPart {
    /// complex64.
    @inlinable public static var complexDType: DType { .complex64 }
}

extension Double: ComplexPart {
    /// complex128.
    @inlinable public static var complexDType: DType { .complex128 }
}

extension Complex: TensorElement where RealType: ComplexPart {
    /// complex64 for `Complex<Float>`, complex128 for `Complex<Double>`.
    @inlinable public static var dtype: DType { RealType.complexDType }
    /// `v + 0i`.
    @inlinable public init(fromDouble v: Double) { self.init(RealType(v), 0) }
    /// `v + 0i`.
    @inlinable public init(fromInt64 v: Int64) { self.init(RealType(v), 0) }
    /// Both parts.
    @inlinable public init(real: Double, imag: Double) { self.init(RealType(real), RealType(imag)) }
    /// The real part (a cast to a real dtype drops the imaginary part, as PyTorch's does).
    @inlinable public var asDouble: Double { Double(real) }
    /// The real part as an int64, a C cast.
    @inlinable public var asInt64: Int64 { saturatingInt64(Double(real)) }
    /// The imaginary part.
    @inlinable public var imagDouble: Double { Double(imag) }
}
