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
    /// What owns the memory (a tensor's storage): held so that the memory outlives every kernel
    /// call the operand is passed to, even when the tensor it came from was a temporary that Swift
    /// may release right after taking the operand.
    public var owner: AnyObject?
    /// An operand over `base` with `layout`, keeping `owner` (the memory's owner) alive.
    public init(base: UnsafeMutableRawPointer, layout: Layout, dtype: DType, owner: AnyObject? = nil) {
        self.base = base
        self.layout = layout
        self.dtype = dtype
        self.owner = owner
    }
    /// A typed pointer to the first element (`base + offset`).
    @inlinable public func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        base.assumingMemoryBound(to: T.self) + layout.offset
    }
}
