import TorchBase

extension Tensor {

    /// A contiguous tensor with the same values: itself when already contiguous.
    public func contiguous() -> Tensor {
        isContiguous ? self : clone()
    }

    /// Copies `src` (broadcast to this shape, converted to this dtype) into this tensor in place.
    @discardableResult
    public func copy_(_ src: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkNoInternalOverlap("copy_", file: file, line: line)
        if Tensor.shouldRecord(self, src) {
            let s = src.dtype == dtype ? src : src.to(dtype)
            rebaseInPlace("copy_", file: file, line: line) { _ in s.expand(shape).clone() }
            return self
        }
        let b = Checks.broadcastShapes(shape, src.shape).unwrap("copy_", file: file, line: line)
        if b != shape {
            torchFail(
                "copy_", "source of shape \(src.shape) cannot be broadcast to destination shape \(shape)", file: file,
                line: line)
        }
        // A source that overlaps the destination is read from a copy first.
        var s = src.storage === storage ? src.clone() : src
        if s.device != device { s = s.to(device: device) }
        Kernels.copy(operand, s.operand(broadcastTo: shape), device)
        bumpVersion()
        return self
    }

    /// Sets every element to `value`.
    @discardableResult
    public func fill_<S: TensorElement>(_ value: S, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.checkFits(value.asDouble, dtype, "fill_", integral: !S.dtype.isFloatingPoint, file: file, line: line)
        if Tensor.shouldRecord(self) || (viewBase.map(Tensor.shouldRecord) ?? false) {
            // The old value no longer influences this tensor: its gradient there is zero.
            let fresh = Tensor(uninitialized: shape, dtype: dtype, device: device)
            Kernels.fill(fresh.operand, value.asDouble, exactInt: S.dtype.isFloatingPoint ? nil : value.asInt64, device)
            rebaseInPlace("fill_", file: file, line: line) { _ in fresh }
            return self
        }
        Kernels.fill(operand, value.asDouble, exactInt: S.dtype.isFloatingPoint ? nil : value.asInt64, device)
        bumpVersion()
        return self
    }

    @discardableResult
    /// Sets every element to zero in place (`Tensor.zero_`). `grad.zero_()`
    public func zero_() -> Tensor { fill_(0) }

    /// The value of a one-element tensor.
    public func item<T: TensorElement>(_: T.Type = T.self, file: StaticString = #fileID, line: UInt = #line) -> T {
        if count != 1 {
            torchFail("item", "a Tensor with \(count) elements cannot be converted to Scalar", file: file, line: line)
        }
        Tracing.leavingGraph(self, "item()", file: file, line: line)
        let c = Tracing.suspended { to(T.dtype).cpu().contiguous() }
        return withExtendedLifetime(c) { c.storagePointer(T.self)[0] }
    }

    /// The value of a one-element tensor as a Double.
    public func item(file: StaticString = #fileID, line: UInt = #line) -> Double {
        item(Double.self, file: file, line: line)
    }

    /// All elements in row-major order, converted to `T`.
    public func toArray<T: TensorElement>(_: T.Type = T.self, file: StaticString = #fileID, line: UInt = #line) -> [T] {
        Tracing.leavingGraph(self, "toArray()", file: file, line: line)
        let c = Tracing.suspended { to(T.dtype).cpu().contiguous() }
        return withExtendedLifetime(c) { Array(UnsafeBufferPointer(start: c.storagePointer(T.self), count: count)) }
    }

    /// All elements in row-major order as Doubles (PyTorch's `tolist()` flattened).
    public var scalars: [Double] { toArray(Double.self) }

    /// Pointer to the first element (`storage + offset`), typed. The dtype must match `T`'s size.
    /// The pointer is valid only while the tensor lives, and Swift ends a local's life at its last
    /// use, not at the end of its scope: reading through the pointer of a temporary, or after the
    /// tensor's last mention, reads freed memory. Hold the tensor with `withExtendedLifetime`.
    package func storagePointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        storage.data.assumingMemoryBound(to: T.self) + layout.offset
    }

    /// Calls `body` with a buffer over the elements of this tensor, which must be contiguous
    /// and of `T`'s dtype.
    public func withUnsafeBufferPointer<T: TensorElement, R>(
        _: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R,
        file: StaticString = #fileID, line: UInt = #line
    ) rethrows -> R {
        if T.dtype != dtype || !isContiguous {
            torchFail(
                "withUnsafeBufferPointer",
                "needs a contiguous \(T.dtype) tensor, got \(dtype) contiguous=\(isContiguous)", file: file, line: line)
        }
        return try body(UnsafeBufferPointer(start: storagePointer(T.self), count: count))
    }
}
