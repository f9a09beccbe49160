import TorchBase

// im2col and col2im as a pair of primitives, each the other's adjoint: the patches of an
// [N, C, d1, ..., dr] input as columns [C·K, N·L] (K kernel elements, L output positions), so
// that a convolution of any rank, stride and dilation is one matrix multiply W[O, C·K] · cols,
// and a transposed convolution is a matrix multiply followed by col2im. im2col is one strided
// copy of an overlapping window view whose inner loop runs along the output width; col2im adds
// the K kernel-offset slices into strided, non-overlapping views of the result: K strided
// kernels instead of an element-index scatter.

/// Kernel size, stride and dilation of a sliding window over `r` spatial dimensions.
public struct WindowGeometry: Equatable, Sendable {
    /// The window's size per spatial dimension.
    public let kernel: [Int]
    /// The step between windows per dimension.
    public let stride: [Int]
    /// The spacing of a window's elements per dimension.
    public let dilation: [Int]

    /// A window geometry (all three lists of one length).
    /// `WindowGeometry(kernel: [3, 3], stride: [1, 1], dilation: [1, 1])`
    public init(kernel: [Int], stride: [Int], dilation: [Int]) {
        precondition(
            kernel.count == stride.count && kernel.count == dilation.count,
            "WindowGeometry: kernel \(kernel), stride \(stride) and dilation \(dilation) differ in rank")
        self.kernel = kernel
        self.stride = stride
        self.dilation = dilation
    }

    /// The number of spatial dimensions.
    public var rank: Int { kernel.count }
    /// Number of kernel elements.
    public var volume: Int { kernel.product }

    /// Output size along each spatial dimension for an input of `spatial` sizes (no padding).
    public func outputSize(_ spatial: [Int]) -> [Int] {
        (0..<rank).map { d in (spatial[d] - dilation[d] * (kernel[d] - 1) - 1) / stride[d] + 1 }
    }

    /// The multi-index of kernel element `k` (row-major).
    public func kernelIndex(_ k: Int) -> [Int] { unravelIndex(k, kernel) }
}

extension Tensor {
    /// The elements at kernel offset `index` of every window of an [N, C, spatial...] tensor: an
    /// [N, C, out...] strided view. Convolution, pooling and their gradients are built from these.
    public func windowOffsetView(_ index: [Int], _ g: WindowGeometry, out: [Int]) -> Tensor {
        var idx: [TensorIndex] = [.all, .all]
        for d in 0..<g.rank {
            let start = index[d] * g.dilation[d]
            idx.append(.slice(start, start + g.stride[d] * (out[d] - 1) + 1, step: g.stride[d]))
        }
        return self[idx]
    }

    /// Layout of the overlapping [C, kernel..., N, out...] window view of this tensor's storage.
    func patchLayout(_ g: WindowGeometry, out: [Int]) -> Layout {
        let s = strides
        let shape = [self.shape[1]] + g.kernel + [self.shape[0]] + out
        var st = [s[1]]
        for d in 0..<g.rank { st.append(s[2 + d] * g.dilation[d]) }
        st.append(s[0])
        for d in 0..<g.rank { st.append(s[2 + d] * g.stride[d]) }
        return Layout(shape: shape, strides: st, offset: layout.offset)
    }

    /// Sliding-window patches of an [N, C, spatial...] input, one patch per column: [C·K, N·L].
    ///
    /// ```swift
    /// let cols = x.im2col(WindowGeometry(kernel: [3, 3], stride: [1, 1], dilation: [1, 1]))
    /// ```
    public func im2col(_ g: WindowGeometry, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank != g.rank + 2 {
            torchFail(
                "im2col", "expected a \(g.rank + 2)-D input [N, C, spatial...], got \(shape)", file: file, line: line)
        }
        let spatial = Array(shape[2...])
        let out = g.outputSize(spatial)
        if out.contains(where: { $0 < 1 }) {
            torchFail(
                "im2col", "kernel \(g.kernel) with dilation \(g.dilation) is larger than the input \(spatial)",
                file: file, line: line)
        }
        let (n, c) = (shape[0], shape[1])
        let rows = c * g.volume, width = n * out.product
        func forward() -> Tensor {
            if let w = Tensor.window2D(shape, g, out), layout.isContiguous,
                Kernels.supports(.window2D, dtype, on: device)
            {
                let result = Tensor(uninitialized: [rows, width], dtype: dtype, device: device)
                Kernels.im2col(result.operand, operand, w, device)
                return result
            }
            let patches = Tensor(storage: storage, layout: patchLayout(g, out: out), dtype: dtype)
            let result = Tensor(uninitialized: patches.shape, dtype: dtype, device: device)
            Kernels.copy(result.operand, patches.operand, device)
            return result.view([rows, width])
        }
        if !Tensor.shouldRecord(self) { return forward() }
        let inShape = shape
        return Tensor.recorded(.im2col, SmallList(self), file: file, line: line, forward: forward) { _, gr in
            [Tensor.col2im(gr, shape: inShape, g)]
        }
    }

    /// The 2-D form with a square stride and no dilation.
    public func im2col(kh: Int, kw: Int, stride: Int = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        im2col(WindowGeometry(kernel: [kh, kw], stride: [stride, stride], dilation: [1, 1]), file: file, line: line)
    }

    /// Adds patch columns [C·K, N·L] back into an [N, C, spatial...] tensor of `shape` (the
    /// adjoint of `im2col`; overlapping windows sum).
    public static func col2im(
        _ cols: Tensor, shape: [Int], _ g: WindowGeometry,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if shape.count != g.rank + 2 {
            torchFail(
                "col2im", "expected a \(g.rank + 2)-D output shape [N, C, spatial...], got \(shape)", file: file,
                line: line)
        }
        let out = g.outputSize(Array(shape[2...]))
        let (n, c) = (shape[0], shape[1])
        if cols.shape != [c * g.volume, n * out.product] {
            torchFail(
                "col2im",
                "expected columns of shape \([c * g.volume, n * out.product]) for output \(shape), got \(cols.shape)",
                file: file, line: line)
        }
        func forward() -> Tensor {
            if let w = window2D(shape, g, out), Kernels.supports(.window2D, cols.dtype, on: cols.device) {
                let c = cols.contiguous()
                let result = Tensor(uninitialized: shape, dtype: cols.dtype, device: cols.device)
                Kernels.col2im(result.operand, c.operand, w, cols.device)
                return result
            }
            let result = Tensor.zeros(shape, dtype: cols.dtype, device: cols.device)
            let patches = cols.contiguous().view([c] + g.kernel + [n] + out)
            // [C, k..., N, out...] -> [N, C, out...] slices, one per kernel element.
            for k in 0..<g.volume {
                let ki = g.kernelIndex(k)
                var idx: [TensorIndex] = [.all]
                idx += ki.map { TensorIndex.index($0) }
                let slice = patches[idx].transpose(0, 1)
                let target = result.windowOffsetView(ki, g, out: out)
                target += slice
            }
            return result
        }
        if !Tensor.shouldRecord(cols) { return forward() }
        return Tensor.recorded(.col2im, SmallList(cols), file: file, line: line, forward: forward) { _, gr in
            [gr.im2col(g)]
        }
    }

    /// The 2-D window of an [N, C, H, W] shape for the dedicated CPU loops (nil for other ranks).
    static func window2D(_ shape: [Int], _ g: WindowGeometry, _ out: [Int]) -> Window2D? {
        guard g.rank == 2, shape.count == 4 else { return nil }
        return Window2D(
            n: shape[0], c: shape[1], h: shape[2], w: shape[3], kh: g.kernel[0], kw: g.kernel[1],
            sh: g.stride[0], sw: g.stride[1], dh: g.dilation[0], dw: g.dilation[1], oh: out[0], ow: out[1])
    }

    /// 2-D max pooling of a contiguous float [N, C, H, W] tensor (already padded) through the
    /// index of each window's first maximum: the output gathers those elements, so the gradient
    /// goes to that one element, as in PyTorch. Nil where this path does not apply.
    public func maxPool2dByIndices(_ g: WindowGeometry, file: StaticString = #fileID, line: UInt = #line) -> Tensor? {
        guard g.rank == 2, rank == 4, Kernels.supports(.window2D, dtype, on: device) else { return nil }
        let out = g.outputSize(Array(shape[2...]))
        guard out.allSatisfy({ $0 > 0 }), let w = Tensor.window2D(shape, g, out) else { return nil }
        let x = contiguous()
        let idx = Kernels.maxPool2dIndices(x.operand, w, device)
        return Tensor.gatherLinear(x, idx, shape: [shape[0], shape[1]] + out, file: file, line: line)
    }
}

extension Primitive {
    /// Sliding-window columns and their adjoint (convolutions are built on these).
    public static let im2col = Primitive("im2col"), col2im = Primitive("col2im")
    /// The window primitives, in the registry.
    static let windows: [Primitive] = [.im2col, .col2im, .convolution]
}
