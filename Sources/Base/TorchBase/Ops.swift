/// The binary element-wise ops every backend implements (DESIGN convention 3). Unary ops are
/// types instead (`UnaryFunction`, Note [Element functions]).
public enum BinaryOp: String, CaseIterable, Sendable {
    case add, sub, mul, div, floorDivide, remainder, fmod, pow, maximum, minimum, atan2
    case bitwiseAnd, bitwiseOr, bitwiseXor, logicalAnd, logicalOr, logicalXor
    case eq, ne, lt, le, gt, ge
    /// `x` where `y > 0`, else 0: the gradient of ReLU in one pass (PyTorch's threshold_backward).
    case reluBackward
    /// `pow` with a Python-scalar exponent on float32/float64: PyTorch's kernel computes exponents
    /// 0.5 and -0.5 as `sqrt` and `rsqrt` (which differ from `pow` at -0 and -inf).
    case powScalar

    /// Whether the result is bool (comparisons and logical ops).
    public var isComparison: Bool {
        switch self {
        case .eq, .ne, .lt, .le, .gt, .ge, .logicalAnd, .logicalOr, .logicalXor: return true
        default: return false
        }
    }
}

/// The reductions every backend implements.
public enum ReduceOp: String, Sendable {
    case sum, prod, max, min, all, any
}

/// A view of tensor memory handed to a kernel: the base address of the storage, the layout
/// into it (strides in elements) and the element type.
public struct KernelOperand: @unchecked Sendable {
    /// The storage's first byte (a device address on CUDA).
    public var base: UnsafeMutableRawPointer
    /// The elements' layout in the storage.
    public var layout: Layout
    /// The element dtype.
    public var dtype: DType
    /// An operand over `base` with `layout`.
    public init(base: UnsafeMutableRawPointer, layout: Layout, dtype: DType) {
        self.base = base
        self.layout = layout
        self.dtype = dtype
    }
    /// A typed pointer to the first element (`base + offset`).
    @inlinable public func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        base.assumingMemoryBound(to: T.self) + layout.offset
    }
}
