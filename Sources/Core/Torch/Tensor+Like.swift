import TorchBase

// PyTorch's `*_like` factories and `new_*` constructors, and the `*_as` shape/dtype helpers.

extension Tensor {
    /// Standard normal samples shaped like `t` (its dtype unless given, its device).
    /// `let noise = Tensor.randnLike(x)`
    public static func randnLike(_ t: Tensor, dtype: DType? = nil, generator: Generator = .default) -> Tensor {
        randn(t.shape, dtype: dtype ?? t.dtype, device: t.device, generator: generator)
    }
    /// Uniform [0, 1) samples shaped like `t`. `let u = Tensor.randLike(x)`
    public static func randLike(_ t: Tensor, dtype: DType? = nil, generator: Generator = .default) -> Tensor {
        rand(t.shape, dtype: dtype ?? t.dtype, device: t.device, generator: generator)
    }

    /// Zeros of `shape` in this tensor's dtype (unless given) and device (`Tensor.new_zeros`).
    /// `let z = x.newZeros([2, 3])`
    public func newZeros(_ shape: [Int], dtype: DType? = nil) -> Tensor {
        Tensor.zeros(shape, dtype: dtype ?? self.dtype).to(device: device)
    }
    /// Ones of `shape`, this tensor's dtype and device (`Tensor.new_ones`). `x.newOnes([3])`
    public func newOnes(_ shape: [Int], dtype: DType? = nil) -> Tensor {
        Tensor.ones(shape, dtype: dtype ?? self.dtype).to(device: device)
    }
    /// `value` everywhere in `shape`, this tensor's dtype and device (`Tensor.new_full`). `x.newFull([2], 7)`
    public func newFull<S: TensorElement>(_ shape: [Int], _ value: S, dtype: DType? = nil) -> Tensor {
        Tensor.full(shape, value, dtype: dtype ?? self.dtype).to(device: device)
    }
    /// A tensor of `shape` for the caller to fill (`Tensor.new_empty`; here zero-filled, never garbage).
    /// `let buf = x.newEmpty([4])`
    public func newEmpty(_ shape: [Int], dtype: DType? = nil) -> Tensor { newZeros(shape, dtype: dtype) }
    /// `data` as a new tensor in this tensor's dtype and device (`Tensor.new_tensor`).
    /// `let t = x.newTensor([1.0, 2.0])`
    public func newTensor<D: TensorData>(_ data: D, dtype: DType? = nil) -> Tensor {
        Tensor(data, dtype: dtype ?? self.dtype).to(device: device)
    }

    /// A view with `other`'s shape (`Tensor.view_as`). `y.viewAs(x)`
    public func viewAs(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        view(other.shape, file: file, line: line)
    }
    /// Reshaped to `other`'s shape (`Tensor.reshape_as`). `y.reshapeAs(x)`
    public func reshapeAs(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        reshape(other.shape, file: file, line: line)
    }
    /// Converted to `other`'s dtype (`Tensor.type_as`). `i.typeAs(x)`
    public func typeAs(_ other: Tensor) -> Tensor { to(other.dtype) }

    /// The same storage outside the graph (`Tensor.data`): changes through it are not recorded.
    /// Unlike PyTorch's, in-place changes through it still count for autograd's in-place checks
    /// (the version counter lives on the shared storage). `Torch.noGrad { p.data.mul_(0.5) }`
    public var data: Tensor { detach() }
}
