import TorchBase

extension Tensor {
    /// Depthwise 2-D convolution of this [N, C, H, W] tensor with `weight` [C·m, 1, kh, kw] and
    /// an optional [C·m] `bias`, zero `padding` (height, width) included, by the direct kernel
    /// (`KernelFamily.depthwiseConv`: float32 on the CPU, Note [Depthwise convolution]) when
    /// neither autograd nor the tracer is recording; nil otherwise, and the caller composes the
    /// convolution from im2col and a matrix multiply.
    package func directDepthwiseConv2d(
        weight: Tensor, bias: Tensor?, stride: [Int], padding: [Int], dilation: [Int]
    ) -> Tensor? {
        guard !Tracing.isOn, rank == 4, weight.rank == 4, weight.shape[1] == 1,
            Kernels.supports(.depthwiseConv, dtype, on: device)
        else { return nil }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let o = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3]
        guard c > 0, o % c == 0, weight.dtype == dtype, weight.device == device else { return nil }
        if let bias, bias.dtype != dtype || bias.device != device || bias.count != o { return nil }
        let recording =
            GradMode.isEnabled
            && (needsGradient || weight.needsGradient || bias?.needsGradient == true)
        guard !recording else { return nil }
        let oh = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) / stride[0] + 1
        let ow = (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) / stride[1] + 1
        guard oh > 0, ow > 0 else { return nil }
        let window = Window2D(
            n: n, c: c, h: h, w: w, kh: kh, kw: kw, sh: stride[0], sw: stride[1], dh: dilation[0], dw: dilation[1],
            oh: oh, ow: ow)
        let geometry = DepthwiseGeometry(window: window, padH: padding[0], padW: padding[1], multiplier: o / c)
        let x = contiguous(), k = weight.contiguous(), b = bias?.contiguous()
        let out = Tensor(uninitialized: [n, o, oh, ow], dtype: dtype, device: device)
        if out.count > 0 {
            Kernels.depthwiseConv2d(out.operand, x.operand, weight: k.operand, bias: b?.operand, geometry, device)
        }
        return out
    }
}
