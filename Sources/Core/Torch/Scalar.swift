import TorchBase

/// A Swift number usable as an operand of tensor ops (PyTorch's Python scalars).
/// `Int` counts as int64, `Double`/`Float` as the default float dtype, `Bool` as bool; a
/// scalar never raises a tensor's dtype within its category (`float32 + 2.5` stays float32).
///
/// ```swift
/// let y = Tensor.ones([3]) * 2.5   // float32
/// ```
public protocol ScalarLike: TensorElement {
    /// The dtype category this scalar promotes as.
    static var scalarKind: DType { get }
}

extension Int: ScalarLike { public static var scalarKind: DType { .int64 } }
extension Int64: ScalarLike { public static var scalarKind: DType { .int64 } }
extension Int32: ScalarLike { public static var scalarKind: DType { .int64 } }
extension Double: ScalarLike { public static var scalarKind: DType { .float64 } }
extension Float: ScalarLike { public static var scalarKind: DType { .float64 } }
extension Bool: ScalarLike { public static var scalarKind: DType { .bool } }
extension Complex: ScalarLike where RealType: ComplexPart {
    /// A Swift complex number promotes as Python's `complex` (the default complex dtype).
    public static var scalarKind: DType { .complex128 }
}

extension Tensor {
    /// A 0-d tensor holding `value` converted to `dtype`.
    public static func scalar<S: TensorElement>(_ value: S, dtype: DType) -> Tensor {
        if S.dtype.isComplex || dtype.isComplex {
            return Tensor(flat: [Complex<Double>(value.asDouble, value.imagDouble)], shape: [], dtype: dtype)
        }
        let t = Tensor(uninitialized: [], dtype: dtype)
        if S.dtype.isFloatingPoint {
            Kernels.fill(t.operand, value.asDouble, exactInt: nil, t.device); t.bumpVersion()
        } else {
            Kernels.fill(t.operand, value.asDouble, exactInt: value.asInt64, t.device); t.bumpVersion()
        }
        return t
    }

    /// The dtype of `self op scalar` under PyTorch's promotion.
    func resultDType<S: ScalarLike>(withScalar _: S.Type) -> DType { resultDType(withScalarKind: S.scalarKind) }

    /// The dtype of `self op scalar` for a scalar of kind `kind` (bool, int64 or float64).
    func resultDType(withScalarKind kind: DType) -> DType {
        resultType([.tensor(dtype, isZeroDim: rank == 0), .scalar(kind)], defaultFloat: Torch.defaultDType)
    }
}

/// A Swift scalar operand with its type erased once, at the API's edge, so that the element-wise
/// primitives that take one are generic over the op alone and are specialised for it (a function
/// generic over both the op and the scalar type would run unspecialised from a generic caller).
struct ScalarOperand {
    let value: Double
    /// The imaginary part of a complex scalar (zero otherwise).
    let imag: Double
    let exactInt: Int64?
    /// The promotion category (bool, int64, float64).
    let kind: DType
    @inline(__always) init<S: ScalarLike>(_ s: S) {
        value = s.asDouble
        imag = s.imagDouble
        exactInt = S.dtype.isFloatingPoint ? nil : s.asInt64
        kind = S.scalarKind
    }

    /// The scalar as a 0-d CPU tensor of `dtype` (as `Tensor.scalar`).
    func tensor(_ dtype: DType) -> Tensor {
        if dtype.isComplex || kind.isComplex {
            return Tensor(flat: [Complex<Double>(value, imag)], shape: [], dtype: dtype)
        }
        let t = Tensor(uninitialized: [], dtype: dtype)
        Kernels.fill(t.operand, value, exactInt: exactInt, t.device)
        t.bumpVersion()
        return t
    }
}
