import TorchBase

/// An n-dimensional array on a device, with PyTorch's semantics: views share storage, ops run
/// eagerly, in-place ops mutate every view of the storage.
///
/// ```swift
/// let x = Tensor([[1.0, 2.0], [3.0, 4.0]])
/// let y = x.t() + 1
/// print(y)   // tensor([[2., 4.], [3., 5.]])
/// ```
public final class Tensor: @unchecked Sendable {
    // Variables only so that `replaceData(with:)` can swap them (PyTorch's `param.data = ...`,
    // used by `Module.to`); ops never write them, and reads need no exclusivity check.
    @exclusivity(unchecked) public private(set) var storage: Storage
    @exclusivity(unchecked) public private(set) var layout: Layout
    @exclusivity(unchecked) public private(set) var dtype: DType
    /// Leaf autograd state (requiresGrad, grad, hooks); nil for tensors that never took part in
    /// a graph (the common, fast case) and for most op outputs.
    var autograd: AutogradMeta?
    /// The node that produced this tensor while recording (nil for leaves), and which of its
    /// outputs this is. Kept here rather than in `autograd` so that recording an op allocates
    /// no metadata object.
    var creator: Node?
    var outputNr = 0
    /// For a view: the tensor whose storage it views (never itself a view). An in-place op on
    /// the view rewrites the base's graph (PyTorch's CopySlices).
    var viewBase: Tensor?
    /// A complex tensor's real view or a real tensor's complex view (Note [Complex tensors]).
    var isPartsView = false

    /// A tensor over `storage` with `layout`; the layout must stay inside the storage.
    public init(storage: Storage, layout: Layout, dtype: DType) {
        self.storage = storage
        self.layout = layout
        self.dtype = dtype
    }

    /// A fresh contiguous tensor with undefined contents.
    @inlinable public convenience init(uninitialized shape: [Int], dtype: DType, device: Device = .cpu) {
        let layout = Layout(shape: shape)
        self.init(
            storage: Storage(byteCount: layout.count * dtype.itemSize, device: device), layout: layout, dtype: dtype)
    }

    /// A fresh tensor with undefined contents and the given contiguous layout (offset 0), which
    /// lets an op reuse an input's layout instead of computing strides again.
    @inlinable convenience init(uninitializedContiguous layout: Layout, dtype: DType, device: Device = .cpu) {
        self.init(
            storage: Storage(byteCount: layout.count * dtype.itemSize, device: device), layout: layout, dtype: dtype)
    }

    /// A fresh tensor shaped like `like`: reuses its layout when that is contiguous from offset 0.
    @inlinable static func uninitialized(like: Tensor, shape: [Int], dtype: DType) -> Tensor {
        if like.layout.isContiguous && like.layout.offset == 0 && like.shape == shape {
            return Tensor(uninitializedContiguous: like.layout, dtype: dtype, device: like.device)
        }
        return Tensor(uninitialized: shape, dtype: dtype, device: like.device)
    }

    /// Where the elements live (`.cpu`, `.cuda(0)`).
    public var device: Device { storage.device }
    /// The size of each dimension (`Tensor.shape`). `Tensor.zeros([2, 3]).shape   // [2, 3]`
    public var shape: [Int] { layout.shape }
    /// Elements between neighbours along each dimension (`Tensor.stride()`).
    public var strides: [Int] { layout.strides }
    /// The index of the first element in the storage (`Tensor.storage_offset`).
    public var storageOffset: Int { layout.offset }
    /// The number of dimensions (`Tensor.dim()`).
    public var rank: Int { layout.rank }
    /// Number of dimensions (PyTorch's `dim()`).
    public var ndim: Int { layout.rank }
    /// The number of elements (`Tensor.numel()`).
    public var count: Int { layout.count }
    /// Number of elements (PyTorch's `numel()`).
    public var numel: Int { layout.count }
    /// Whether the elements are laid out row-major without gaps (`Tensor.is_contiguous`).
    public var isContiguous: Bool { layout.isContiguous }
    /// Bytes per element (`Tensor.element_size`).
    public var itemSize: Int { dtype.itemSize }
    /// Version of the underlying storage: increases with every in-place write.
    public var version: Int { storage.version }

    /// Size of dimension `d` (negative counts from the end).
    public func size(_ d: Int, file: StaticString = #fileID, line: UInt = #line) -> Int {
        shape[Checks.dim(d, rank: rank).unwrap("size", file: file, line: line)]
    }

    /// The stride of dimension `d` (negative counts from the end). `x.stride(0)`
    public func stride(_ d: Int, file: StaticString = #fileID, line: UInt = #line) -> Int {
        strides[Checks.dim(d, rank: rank).unwrap("stride", file: file, line: line)]
    }

    /// This tensor as a kernel operand.
    @inlinable package var operand: KernelOperand {
        KernelOperand(base: storage.data, layout: layout, dtype: dtype, owner: storage)
    }

    /// The whole storage as a flat operand of this tensor's dtype (offsets count from the storage base).
    package var storageOperand: KernelOperand {
        KernelOperand(
            base: storage.data, layout: Layout(shape: [storage.byteCount / itemSize]), dtype: dtype, owner: storage)
    }

    /// This tensor's operand with its layout broadcast to `shape`.
    package func operand(broadcastTo shape: [Int]) -> KernelOperand {
        KernelOperand(base: storage.data, layout: layout.broadcast(to: shape), dtype: dtype, owner: storage)
    }

    /// A tensor sharing this storage with another layout.
    package func view(layout: Layout) -> Tensor {
        if Tracing.isOn { return tracedStrided(layout) }
        let v =
            Tensor.shouldRecord(self) ? recordedView(layout) : Tensor(storage: storage, layout: layout, dtype: dtype)
        v.viewBase = viewBase ?? self
        return v
    }

    /// Makes this tensor object hold `source`'s data (storage, layout and dtype), keeping its
    /// identity, autograd flags and gradient: PyTorch's `tensor.data = source`, which is how
    /// `Module.to(dtype:)` and `Module.to(device:)` convert parameters that layers hold.
    public func replaceData(with source: Tensor) {
        storage = source.storage
        layout = source.layout
        dtype = source.dtype
        autograd?.accumulator = nil  // it recorded the old shape and dtype
    }

    /// True when no other tensor object holds this tensor's storage.
    package func hasUniqueStorage() -> Bool { isKnownUniquelyReferenced(&storage) }

    /// Records an in-place write (bumps the storage's version counter).
    package func bumpVersion() { storage.version &+= 1 }

    /// Traps as PyTorch before an in-place write into a tensor whose elements share memory (an
    /// expanded, stride-0 view): the write would land on one element several times.
    package func checkNoInternalOverlap(_ op: String, file: StaticString, line: UInt) {
        if count == 0 { return }
        for (n, s) in zip(shape, strides) where n > 1 && s == 0 {
            torchFail(
                op,
                "unsupported operation: more than one element of the written-to tensor refers to a single memory "
                    + "location. Please clone() the tensor before performing the operation.",
                file: file, line: line)
        }
    }

    /// True when both tensors use the same storage.
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }
}
