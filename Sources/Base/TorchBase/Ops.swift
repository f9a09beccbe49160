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
