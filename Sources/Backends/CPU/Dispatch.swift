import TorchBase

// Note [CPU dtype dispatch]: the CPU backend turns a runtime `DType` into a Swift type in exactly
// one place, here, the way candle and MLX switch once per op and hand a concrete type to a generic
// loop. A kernel is a `KernelVisitor` that implements the one `visit…` it needs, by the element
// class it computes on, and is started with the matching `dispatch…`:
//   - `visitElement` / `dispatchElement`: every storage type (copies, fills, selects);
//   - `visitNative` / `dispatchNative`: the arithmetic types (bool, integers, float32, float64;
//     float16/bfloat16 are computed in float32 by core's dtype plan);
//   - `visitFloat` / `dispatchFloat`: float32 and float64 (transcendental math, BLAS, convolution
//     windows, softmax, the LSTM cell).
// Fast paths (small contiguous float32, the vectorised C kernels, BLAS) are chosen inside the
// visitors, from the concrete type, never by core.

/// A CPU kernel generic over its element type (Note [CPU dtype dispatch]).
///
/// ```swift
/// struct Negate: KernelVisitor {
///     let out: KernelOperand, a: KernelOperand
///     func visitFloat<T: FloatScalar>(_: T.Type) { unaryMap(out, a, Neg<T>.self) }
/// }
/// x.dtype.dispatchFloat(Negate(out: o, a: x))
/// ```
@usableFromInline
protocol KernelVisitor {
    associatedtype Result
    /// The kernel for a storage type (all ten dtypes).
    func visitElement<T: TensorElement>(_: T.Type) -> Result
    /// The kernel for an arithmetic type (bool, the integers, float32, float64).
    func visitNative<T: NativeScalar>(_: T.Type) -> Result
    /// The kernel for float32 or float64 (by default the arithmetic one).
    func visitFloat<T: FloatScalar>(_: T.Type) -> Result
}

extension KernelVisitor {
    @inlinable func visitElement<T: TensorElement>(_: T.Type) -> Result {
        preconditionFailure("\(Self.self) has no kernel for \(T.dtype)")
    }
    @inlinable func visitNative<T: NativeScalar>(_: T.Type) -> Result {
        preconditionFailure("\(Self.self) has no kernel for \(T.dtype)")
    }
    @inlinable func visitFloat<T: FloatScalar>(_ t: T.Type) -> Result { visitNative(t) }
}

extension DType {
    /// Runs `v` for this dtype's storage type.
    @inlinable func dispatchElement<V: KernelVisitor>(_ v: V) -> V.Result {
        switch self {
        case .bool: return v.visitElement(Bool.self)
        case .uint8: return v.visitElement(UInt8.self)
        case .int8: return v.visitElement(Int8.self)
        case .int16: return v.visitElement(Int16.self)
        case .int32: return v.visitElement(Int32.self)
        case .int64: return v.visitElement(Int64.self)
        case .float16: return v.visitElement(Float16.self)
        case .bfloat16: return v.visitElement(BFloat16.self)
        case .float32: return v.visitElement(Float.self)
        case .float64: return v.visitElement(Double.self)
        case .complex64: return v.visitElement(Complex<Float>.self)
        case .complex128: return v.visitElement(Complex<Double>.self)
        }
    }

    /// Runs `v` for this dtype's arithmetic type (float32 and float64 through `visitFloat`).
    @inlinable func dispatchNative<V: KernelVisitor>(_ v: V) -> V.Result {
        switch self {
        case .bool: return v.visitNative(Bool.self)
        case .uint8: return v.visitNative(UInt8.self)
        case .int8: return v.visitNative(Int8.self)
        case .int16: return v.visitNative(Int16.self)
        case .int32: return v.visitNative(Int32.self)
        case .int64: return v.visitNative(Int64.self)
        case .float32: return v.visitFloat(Float.self)
        case .float64: return v.visitFloat(Double.self)
        case .float16, .bfloat16: preconditionFailure("CPU kernels: \(self) must be computed in float32")
        case .complex64, .complex128: preconditionFailure("CPU kernels: \(self) is computed on its real parts by core")
        }
    }

    /// Runs `v` for float32 or float64 (`visitFloat`); other dtypes trap (core converts first).
    @inlinable func dispatchFloat<V: KernelVisitor>(_ v: V) -> V.Result {
        switch self {
        case .float32: return v.visitFloat(Float.self)
        case .float64: return v.visitFloat(Double.self)
        default: preconditionFailure("CPU kernels: expected a float32 or float64 operand, got \(self)")
        }
    }
}
