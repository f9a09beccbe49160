import TorchBase

// The public face of complex tensors (Note [Complex tensors]): construction from parts, the
// parts as views, conjugation, modulus and argument.
extension Tensor {
    /// Whether the dtype is complex64 or complex128 (`torch.is_complex`).
    public var isComplex: Bool { dtype.isComplex }

    /// The real parts: a view for a complex tensor (writes go through), the tensor itself otherwise.
    ///
    /// ```swift
    /// let z = Tensor([Complex(1.0, 2.0)])
    /// z.real   // tensor([1.], dtype: .float64)
    /// ```
    public var real: Tensor { dtype.isComplex ? viewAsReal().select(-1, 0) : self }

    /// The imaginary parts of a complex tensor, as a view (`Tensor.imag`); real tensors refuse it.
    public var imag: Tensor {
        if !dtype.isComplex {
            torchFail(
                "imag", "imag is not implemented for tensors with non-complex dtypes.", file: #fileID, line: #line)
        }
        return viewAsReal().select(-1, 1)
    }

    /// The complex conjugate (`torch.conj`), computed eagerly (Note [Complex tensors]); a real
    /// tensor is returned as it is.
    ///
    /// ```swift
    /// Tensor([Complex(1.0, 2.0)]).conj()   // [1-2j]
    /// ```
    public func conj() -> Tensor {
        guard dtype.isComplex else { return self }
        let (re, im) = complexParts()
        return Tensor.fromParts(re, -im)
    }

    /// The conjugate as a new tensor (`torch.conj_physical`): `conj()`, which is already physical.
    public func conjPhysical() -> Tensor { dtype.isComplex ? conj() : clone() }

    /// Whether the conjugate bit is set: always false, conjugation is eager here.
    public func isConj() -> Bool { false }

    /// The tensor with its conjugation materialised (`resolve_conj`): itself, as `conj` is eager.
    public func resolveConj() -> Tensor { self }

    /// The argument of each element in radians (`torch.angle`): atan2(im, re) for complex
    /// tensors; 0 for non-negative and π for negative real values (NaN stays NaN).
    ///
    /// ```swift
    /// Tensor([Complex(0.0, 1.0)]).angle()   // [1.5708]
    /// ```
    public func angle(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if dtype.isComplex {
            let (re, im) = complexParts()
            return im.atan2(re)
        }
        let x = dtype.isFloatingPoint ? self : to(Torch.defaultDType)
        let pi = Tensor.where(x .< 0, Tensor.scalar(Double.pi, dtype: x.dtype), Tensor.zerosLike(x))
        return Tensor.where(x.isnan(), x, pi + x * 0)
    }

    /// z/|z| for complex elements (0 at 0), the sign for real ones (`torch.sgn`).
    public func sgn() -> Tensor { dtype.isComplex ? ComplexMath.sgn(self) : sign() }

    /// The complex tensor `real + imag·i` (`torch.complex`); both parts of one float dtype,
    /// broadcast together.
    ///
    /// ```swift
    /// Tensor.complex(Tensor([1.0]), Tensor([2.0]))   // [1+2j], complex64
    /// ```
    public static func complex(_ real: Tensor, _ imag: Tensor, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if real.dtype != imag.dtype {
            torchFail(
                "complex",
                "Expected object of scalar type \(real.dtype.pytorchName) but got scalar type "
                    + "\(imag.dtype.pytorchName) for second argument", file: file, line: line)
        }
        if real.dtype != .float32 && real.dtype != .float64 {
            torchFail(
                "complex",
                "Expected both inputs to be Half, Float or Double tensors but got \(real.dtype.pytorchName) "
                    + "and \(imag.dtype.pytorchName)", file: file, line: line)
        }
        let shape = Checks.broadcastShapes(real.shape, imag.shape).unwrap("complex", file: file, line: line)
        return fromParts(real.expand(shape), imag.expand(shape))
    }

    /// The complex tensor `abs·(cos angle + i·sin angle)` (`torch.polar`).
    ///
    /// ```swift
    /// Tensor.polar(Tensor([2.0]), Tensor([Double.pi / 2]))   // ≈ [0+2j]
    /// ```
    public static func polar(_ abs: Tensor, _ angle: Tensor, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        complex(abs * angle.cos(), abs * angle.sin(), file: file, line: line)
    }
}
