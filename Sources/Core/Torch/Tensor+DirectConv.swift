import TorchBase

extension Tensor {
    /// Stride-1 2-D convolution of this [N, C, H, W] tensor with `weight` [O, C, kh, kw] and an
    /// optional [O] `bias`, zero `padding` (top, bottom, left, right) included, by the direct
    /// kernel (`KernelFamily.directConv`: float32 on the CPU, Note [Direct convolution]) when
    /// neither autograd nor the tracer is recording; nil otherwise, and the caller composes the
    /// convolution from im2col and a matrix multiply.
    package func directConv2d(weight: Tensor, bias: Tensor?, padding: [Int], dilation: [Int]) -> Tensor? {
        guard Tensor.directConvTakes(self, weight, bias), padding.count == 4, dilation.count == 2 else { return nil }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let o = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3]
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

    /// The weight gradient [O, C, kh, kw] of the stride-1 convolution of `x` with `weight` for the
    /// output gradient `grad` by the direct kernel (Note [Direct convolution's weight gradient]),
    /// when no graph is being recorded and the kernel takes the operands; nil otherwise (and for a
    /// non-finite input), and the caller composes it.
    package static func directConvWeightGrad(
        _ x: Tensor, _ grad: Tensor, _ weight: Tensor, padding: [Int], dilation: [Int]
    ) -> Tensor? {
        guard !GradMode.isEnabled, directConvTakes(x, weight, nil), grad.dtype == x.dtype, grad.device == x.device,
            padding.count == 4, dilation.count == 2, x.count > 0, grad.count > 0
        else { return nil }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let o = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3]
        let geometry = DirectConvGeometry(
            n: n, c: c, h: h, w: w, o: o, kh: kh, kw: kw, dh: dilation[0], dw: dilation[1], top: padding[0],
            bottom: padding[1], left: padding[2], right: padding[3])
        guard grad.shape == [n, o, geometry.oh, geometry.ow] else { return nil }
        let xc = x.contiguous(), gc = grad.contiguous()
        let out = Tensor(uninitialized: weight.shape, dtype: x.dtype, device: x.device)
        guard Kernels.directConv2dWeightGrad(out.operand, xc.operand, grad: gc.operand, geometry, x.device) else {
            return nil
        }
        return out
    }

    /// Whether `conv` runs the convolution primitive (Note [The convolution primitive]) for this
    /// stride-1, one-group 2-D convolution: the direct kernel has the dtype on the device, the
    /// operands agree, the filter has more than one tap, and the padding (top, bottom, left, right)
    /// stays within the filter's reach.
    package static func takesConvolutionPrimitive(
        _ x: Tensor, _ weight: Tensor, _ bias: Tensor?, padding: [Int], dilation: [Int]
    ) -> Bool {
        guard directConvTakes(x, weight, bias), padding.count == 4, dilation.count == 2, x.shape[1] > 0 else {
            return false
        }
        let (kh, kw) = (weight.shape[2], weight.shape[3])
        // A 1x1 filter is one matrix product already (BLAS scaled better on two threads here:
        // `conv 1x1 64->256 56px b8` 5.5-7.8 ms through GEMM against 9.0 ms direct).
        guard kh * kw > 1 else { return false }
        let reachH = dilation[0] * (kh - 1), reachW = dilation[1] * (kw - 1)
        guard padding[0] <= reachH, padding[1] <= reachH, padding[2] <= reachW, padding[3] <= reachW else {
            return false
        }
        let oh = x.shape[2] + padding[0] + padding[1] - reachH, ow = x.shape[3] + padding[2] + padding[3] - reachW
        return oh > 0 && ow > 0
    }

    /// Whether the direct kernel takes these operands: [N, C, H, W] and [O, C, kh, kw] (at most 256
    /// taps) of one dtype it has on one device, an optional [O] bias of the same, and no tracer or
    /// profiler on.
    static func directConvTakes(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Bool {
        guard !Tracing.isOn, x.rank == 4, weight.rank == 4, Kernels.supports(.directConv, x.dtype, on: x.device),
            weight.dtype == x.dtype, weight.device == x.device, weight.shape[1] == x.shape[1],
            weight.shape[2] * weight.shape[3] <= 256
        else { return false }
        guard let bias else { return true }
        return bias.dtype == x.dtype && bias.device == x.device && bias.shape == [weight.shape[0]]
    }

    /// Whether bfloat16 products on `device` run natively (AMX tiles, Note [bfloat16 GEMM]) rather
    /// than through float32 copies: layers then keep bfloat16 operands as they are.
    package static func bf16ProductsAreNative(on device: Device) -> Bool {
        Kernels.gemmComputeType(.bfloat16, device) == .bfloat16
    }
}
