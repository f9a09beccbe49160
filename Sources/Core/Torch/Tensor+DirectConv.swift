import TorchBase

extension Tensor {
    /// Stride-1 2-D convolution of this [N, C, H, W] tensor with `weight` [O, C, kh, kw] and an
    /// optional [O] `bias`, zero `padding` (top, bottom, left, right) included, by the direct
    /// kernel (`KernelFamily.directConv`: float32 on the CPU, Note [Direct convolution]) when
    /// neither autograd nor the tracer is recording; nil otherwise, and the caller composes the
    /// convolution from im2col and a matrix multiply.
    package func directConv2d(weight: Tensor, bias: Tensor?, padding: [Int], dilation: [Int]) -> Tensor? {
        guard !Tracing.isOn, rank == 4, weight.rank == 4, padding.count == 4, dilation.count == 2,
            Kernels.supports(.directConv, dtype, on: device)
        else { return nil }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let o = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3]
        guard weight.shape[1] == c, kh * kw <= 256, weight.dtype == dtype, weight.device == device else { return nil }
        if let bias, bias.dtype != dtype || bias.device != device || bias.count != o { return nil }
        let recording =
            GradMode.isEnabled
            && (needsGradient || weight.needsGradient || bias?.needsGradient == true)
        guard !recording else { return nil }
        let geometry = DirectConvGeometry(
            n: n, c: c, h: h, w: w, o: o, kh: kh, kw: kw, dh: dilation[0], dw: dilation[1], top: padding[0],
            bottom: padding[1], left: padding[2], right: padding[3])
        guard geometry.oh > 0, geometry.ow > 0 else { return nil }
        let x = contiguous(), k = weight.contiguous(), b = bias?.contiguous()
        let out = Tensor(uninitialized: [n, o, geometry.oh, geometry.ow], dtype: dtype, device: device)
        if out.count > 0 && c > 0 {
            Kernels.directConv2d(out.operand, x.operand, weight: k.operand, bias: b?.operand, geometry, device)
        } else if out.count > 0 {
            return nil
        }
        return out
    }
}
