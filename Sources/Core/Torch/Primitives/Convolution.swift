import TorchBase

// Note [The convolution primitive]: a stride-1 2-D convolution with one group whose padding stays
// within the filter's reach is one primitive (PyTorch's ConvolutionBackward0), so that float32 on
// the CPU runs the direct kernel (Note [Direct convolution]) with autograd too:
// - forward: the direct kernel where `KernelFamily.directConv` has the dtype, else the composite
//   (zero padding, im2col, one matrix multiply) without recording;
// - the input's gradient is the same primitive: a stride-1 convolution of the output gradient,
//   padded by the filter's reach less the forward padding, with the filter flipped and its two
//   channel dimensions swapped;
// - the weight's gradient is the direct kernel's (Note [Direct convolution's weight gradient]) when
//   no graph of the backward is recorded, the operands are float32 on the CPU and the input is
//   finite; else `g · colsᵀ` (im2col of the padded input and one matrix multiply, as the
//   composite's); the bias's is the sum of `g` over the batch and both spatial dimensions.
// Every piece of the backward is differentiable, so higher-order gradients come from them. Other
// convolutions (strided, grouped, 1-D/3-D, wider padding) stay composites of im2col and a product.

extension Tensor {
    /// The stride-1 2-D convolution primitive (Note [The convolution primitive]) of `x` [N, C, H, W]
    /// with `weight` [O, C, kh, kw] and an optional [O] `bias`; `padding` is (top, bottom, left,
    /// right) zeros, each at most the filter's reach `dilation · (k − 1)` on its dimension. The
    /// caller (`conv` in TorchNN) has checked shapes, dtypes and devices.
    package static func convolution2d(
        _ x: Tensor, _ weight: Tensor, _ bias: Tensor?, padding: [Int], dilation: [Int],
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        func forward() -> Tensor {
            if let y = x.detach().directConv2d(
                weight: weight.detach(), bias: bias?.detach(), padding: padding, dilation: dilation)
            {
                return y
            }
            let (n, o) = (x.shape[0], weight.shape[0])
            let xp = x.pad([padding[2], padding[3], padding[0], padding[1]])
            let g = WindowGeometry(kernel: Array(weight.shape[2...]), stride: [1, 1], dilation: dilation)
            let out = g.outputSize(Array(xp.shape[2...]))
            let cols = xp.im2col(g)
            let y = weight.reshape([o, -1]).matmul(cols).view([o, n] + out).transpose(0, 1).contiguous()
            return bias.map { y + $0.view([1, o, 1, 1]) } ?? y
        }
        let inputs: SmallList<Tensor> = bias.map { SmallList([x, weight, $0]) } ?? SmallList([x, weight])
        if !Tensor.shouldRecord(Array(inputs)) { return Torch.noGrad(forward) }
        let (kh, kw) = (weight.shape[2], weight.shape[3])
        let reachH = dilation[0] * (kh - 1), reachW = dilation[1] * (kw - 1)
        return Tensor.recorded(
            .convolution, inputs, save: SmallList([x, weight]), file: file, line: line, forward: forward
        ) { node, g in
            let x = node.savedTensor(0), w = node.savedTensor(1)
            var grads: [Tensor?] = [nil, nil]
            if node.needs(0) {
                // A full correlation with the flipped filter: the same primitive.
                let flipped = w.flip([2, 3]).transpose(0, 1)
                let pads = [reachH - padding[0], reachH - padding[1], reachW - padding[2], reachW - padding[3]]
                grads[0] = convolution2d(g, flipped, nil, padding: pads, dilation: dilation, file: file, line: line)
            }
            if node.needs(1) {
                grads[1] =
                    directConvWeightGrad(x, g, w, padding: padding, dilation: dilation)
                    ?? {
                        let xp = x.pad([padding[2], padding[3], padding[0], padding[1]])
                        let geometry = WindowGeometry(kernel: [kh, kw], stride: [1, 1], dilation: dilation)
                        let cols = xp.im2col(geometry)  // [C·kh·kw, N·L]
                        let gm = g.transpose(0, 1).reshape([w.shape[0], -1])  // [O, N·L]
                        return gm.matmul(cols.t()).view(w.shape)
                    }()
            }
            if inputs.count == 3 { grads.append(node.needs(2) ? g.sum(dims: [0, 2, 3]) : nil) }
            return grads
        }
    }
}

extension Primitive {
    /// The stride-1 2-D convolution (PyTorch's ConvolutionBackward0).
    public static let convolution = Primitive("convolution")
}
