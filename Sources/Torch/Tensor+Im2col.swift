import TorchBase

// im2col as a primitive: the patches of a [N, C, H, W] input as rows [N·OH·OW, C·kh·kw], so that
// a convolution is one matrix multiply. Its backward (col2im) adds the kh·kw slices of the
// gradient into strided views of the input gradient: kh·kw strided kernels instead of the
// element-index scatter an overlapping `unfold` view would need.
extension Tensor {
    /// The elements at offset (`i`, `j`) of every `stride`-spaced window of a [N, C, H, W] tensor:
    /// a [N, C, outH, outW] view. Convolution (im2col), pooling and their gradients are built from
    /// these views, one strided kernel per kernel offset.
    public func windowOffsetView(_ i: Int, _ j: Int, stride: Int, outH: Int, outW: Int) -> Tensor {
        self[TensorIndex.all, TensorIndex.all, TensorIndex.slice(i, i + stride * (outH - 1) + 1, step: stride),
             TensorIndex.slice(j, j + stride * (outW - 1) + 1, step: stride)]
    }

    /// Sliding `kh`×`kw` patches of a 4-D input with `stride`, one patch per row.
    ///
    /// ```swift
    /// let cols = x.im2col(kh: 3, kw: 3)   // [N*OH*OW, C*9]
    /// ```
    public func im2col(kh: Int, kw: Int, stride: Int = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank != 4 { torchFail("im2col", "expected a 4-D input [N, C, H, W], got \(shape)", file: file, line: line) }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        if h < kh || w < kw { torchFail("im2col", "kernel \(kh)x\(kw) is larger than the input \(h)x\(w)", file: file, line: line) }
        let oh = (h - kh) / stride + 1, ow = (w - kw) / stride + 1
        func forward() -> Tensor {
            // One strided copy per kernel offset (rows of OW or C elements), not one per patch row.
            let out = Tensor(uninitialized: [n, oh, ow, c, kh, kw], dtype: dtype, device: device)
            for i in 0..<kh {
                for j in 0..<kw {
                    let src = windowOffsetView(i, j, stride: stride, outH: oh, outW: ow).permute([0, 2, 3, 1])
                    let dst = out[TensorIndex.all, TensorIndex.all, TensorIndex.all, TensorIndex.all, i, j]
                    Kernels.copy(dst.operand, src.operand, device)
                }
            }
            return out.view([n * oh * ow, c * kh * kw])
        }
        if !Tensor.shouldRecord(self) { return forward() }
        let inShape = shape
        return Tensor.recorded(.im2col, [self], file: file, line: line, forward: forward) { _, g in
            let gc = g.reshape([n, oh, ow, c, kh, kw])
            if GradMode.isEnabled {
                // Differentiable form for double backward: the unfold view's own adjoint.
                let standIn = Tensor.zeros(inShape, dtype: g.dtype, device: g.device)
                let view = standIn.unfold(2, size: kh, step: stride).unfold(3, size: kw, step: stride).permute([0, 2, 3, 1, 4, 5])
                return [Tensor.viewBackward(gc, base: standIn.layout, view: view.layout)]
            }
            let out = Tensor.zeros(inShape, dtype: g.dtype, device: g.device)
            for i in 0..<kh {
                for j in 0..<kw {
                    let target = out.windowOffsetView(i, j, stride: stride, outH: oh, outW: ow)
                    target += gc[TensorIndex.all, TensorIndex.all, TensorIndex.all, TensorIndex.all, i, j].permute([0, 3, 1, 2])
                }
            }
            return [out]
        }
    }
}
