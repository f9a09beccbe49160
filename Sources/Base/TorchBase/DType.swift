/// The element type of a tensor, chosen at run time (PyTorch's `torch.dtype`).
///
/// ```swift
/// let x = Tensor.zeros([2, 3], dtype: .float64)
/// x.dtype.itemSize   // 8
/// ```
public enum DType: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64
    /// Complex numbers of two float32 (`torch.complex64`, `torch.cfloat`) or float64 parts
    /// (`torch.complex128`, `torch.cdouble`), stored interleaved (real, imaginary).
    case complex64, complex128

    /// Bytes per element.
    @inlinable public var itemSize: Int {
        switch self {
        case .bool, .uint8, .int8: return 1
        case .int16, .float16, .bfloat16: return 2
        case .int32, .float32: return 4
        case .int64, .float64, .complex64: return 8
        case .complex128: return 16
        }
    }

    /// Whether this is float16, bfloat16, float32 or float64 (`dtype.is_floating_point`).
    @inlinable public var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64: return true
        default: return false
        }
    }

    /// True for the integer types, bool excluded.
    @inlinable public var isIntegral: Bool {
        switch self {
        case .uint8, .int8, .int16, .int32, .int64: return true
        default: return false
        }
    }

    /// Whether this is complex64 or complex128 (`dtype.is_complex`).
    @inlinable public var isComplex: Bool { self == .complex64 || self == .complex128 }

    /// The dtype of a complex dtype's parts (complex64 → float32); other dtypes are their own.
    @inlinable public var realPart: DType {
        switch self {
        case .complex64: return .float32
        case .complex128: return .float64
        default: return self
        }
    }

    /// The complex dtype whose parts are this dtype (float64 → complex128; float32, the half
    /// types and the integers → complex64, as `torch.complex` and PyTorch's promotion choose
    /// while complex32 does not exist here).
    @inlinable public var complexCounterpart: DType {
        switch self {
        case .float64, .complex128: return .complex128
        default: return .complex64
        }
    }

    /// Whether negative values exist (all but bool and uint8).
    @inlinable public var isSigned: Bool { self != .bool && self != .uint8 }

    /// The name as PyTorch prints it, `torch.float32`.
    public var torchName: String { "torch.\(self)" }

    /// PyTorch's C++ scalar-type name, as its error messages print it (`'Long'`, `'Half'`).
    public var pytorchName: String {
        switch self {
        case .bool: return "Bool"
        case .uint8: return "Byte"
        case .int8: return "Char"
        case .int16: return "Short"
        case .int32: return "Int"
        case .int64: return "Long"
        case .float16: return "Half"
        case .bfloat16: return "BFloat16"
        case .float32: return "Float"
        case .float64: return "Double"
        case .complex64: return "ComplexFloat"
        case .complex128: return "ComplexDouble"
        }
    }

    /// The Swift case name (`float32`).
    public var description: String {
        switch self {
        case .bool: return "bool"
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .float16: return "float16"
        case .bfloat16: return "bfloat16"
        case .float32: return "float32"
        case .float64: return "float64"
        case .complex64: return "complex64"
        case .complex128: return "complex128"
        }
    }

    /// Category used by type promotion: bool < integral < floating < complex.
    @inlinable package var category: Int {
        self == .bool ? 0 : (isComplex ? 3 : (isFloatingPoint ? 2 : 1))
    }
}
