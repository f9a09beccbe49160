/// The closed set of op families a backend implements (DESIGN convention 3).
public enum UnaryOp: String, CaseIterable, Sendable {
    case neg, abs, sign, square
    case exp, exp2, expm1, log, log2, log10, log1p, sqrt, rsqrt
    case sin, cos, tan, asin, acos, atan, sinh, cosh, tanh
    case sigmoid, relu, gelu, geluTanh, silu, softplus, erf, erfc
    case floor, ceil, round, trunc, reciprocal
    case logicalNot, bitwiseNot

    /// Ops whose result is floating point even for integer inputs (PyTorch promotes to the default float).
    public var isFloatingOnly: Bool {
        switch self {
        case .neg, .abs, .sign, .square, .relu, .floor, .ceil, .round, .trunc, .logicalNot, .bitwiseNot: return false
        default: return true
        }
    }
}

public enum BinaryOp: String, CaseIterable, Sendable {
    case add, sub, mul, div, floorDivide, remainder, fmod, pow, maximum, minimum, atan2
    case bitwiseAnd, bitwiseOr, bitwiseXor, logicalAnd, logicalOr, logicalXor
    case eq, ne, lt, le, gt, ge
    /// `x` where `y > 0`, else 0: the gradient of ReLU in one pass (PyTorch's threshold_backward).
    case reluBackward

    public var isComparison: Bool {
        switch self {
        case .eq, .ne, .lt, .le, .gt, .ge, .logicalAnd, .logicalOr, .logicalXor: return true
        default: return false
        }
    }
}

public enum ReduceOp: String, Sendable {
    case sum, prod, max, min, all, any
}

/// A view of tensor memory handed to a kernel: the base address of the storage, the layout
/// into it (strides in elements) and the element type.
public struct KernelOperand: @unchecked Sendable {
    public var base: UnsafeMutableRawPointer
    public var layout: Layout
    public var dtype: DType
    public init(base: UnsafeMutableRawPointer, layout: Layout, dtype: DType) {
        self.base = base
        self.layout = layout
        self.dtype = dtype
    }
    @inlinable public func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        base.assumingMemoryBound(to: T.self) + layout.offset
    }
}
