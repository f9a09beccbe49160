import Torch
import TorchBase

// Pooling as functions: max, average and adaptive pooling over 1-3 spatial dimensions.

/// Geometry of a pooling call: the padded input and the window.
struct PoolPlan {
    let padded: Tensor
    let geometry: WindowGeometry
    let out: [Int]
    /// Per-dimension (before, after) padding actually applied (after includes ceil-mode extra).
    let pads: [(Int, Int)]
}

func poolPlan(
    _ x: Tensor, r: Int, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)?,
    padding: any SizeSpecConvertible, dilation: any SizeSpecConvertible,
    ceilMode: Bool, fill: Double, op: String, file: StaticString, line: UInt
) -> PoolPlan {
    if x.rank != r + 2 && x.rank != r + 1 {
        torchFail(
            op, "Expected \(r + 1)D (unbatched) or \(r + 2)D (batched) input, but got input of size: \(x.shape)",
            file: file, line: line)
    }
    let k = kernel.expand(r, "kernel_size", op, file: file, line: line)
    let st = (stride ?? kernel).expand(r, "stride", op, file: file, line: line)
    let p = padding.expand(r, "padding", op, file: file, line: line)
    let dil = dilation.expand(r, "dilation", op, file: file, line: line)
    let spatial = Array(x.shape[(x.rank - r)...])
    var out: [Int] = []
    var pads: [(Int, Int)] = []
    for d in 0..<r {
        if p[d] * 2 > k[d] {
            torchFail(
                op, "pad should be at most half of effective kernel size, but got pad=\(p[d]), kernel_size=\(k[d])",
                file: file, line: line)
        }
        let span = spatial[d] + 2 * p[d] - dil[d] * (k[d] - 1) - 1
        // Rounded down (PyTorch's div_rtn), also for a window longer than the input.
        let num = ceilMode ? span + st[d] - 1 : span
        var o = (num >= 0 ? num / st[d] : -((-num + st[d] - 1) / st[d])) + 1
        // In ceil mode the last window must start inside the input or its left padding.
        if ceilMode && (o - 1) * st[d] >= spatial[d] + p[d] { o -= 1 }
        if o < 1 {
            torchFail(
                op,
                "Given input size: \(spatial). Calculated output size: \(o) along dimension \(d). Output size is too "
                    + "small",
                file: file, line: line)
        }
        out.append(o)
        let needed = (o - 1) * st[d] + dil[d] * (k[d] - 1) + 1
        pads.append((p[d], Swift.max(p[d], needed - spatial[d] - p[d])))
    }
    let batched = x.rank == r + 2 ? x : x.unsqueeze(0)
    let padded = pads.contains(where: { $0.0 != 0 || $0.1 != 0 }) ? batched.pad(padList(pads), value: fill) : batched
    return PoolPlan(
        padded: padded, geometry: WindowGeometry(kernel: k, stride: st, dilation: dil), out: out, pads: pads)
}

/// The K window-offset views of a pooling plan, each [N, C, out...].
func windowViews(_ plan: PoolPlan) -> [Tensor] {
    (0..<plan.geometry.volume).map {
        plan.padded.windowOffsetView(plan.geometry.kernelIndex($0), plan.geometry, out: plan.out)
    }
}

/// Max pooling over the trailing `r` dimensions: the element-wise maximum of the kernel's
/// window-offset views (padding counts as -inf).
public func maxPool(
    _ x: Tensor, r: Int, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0,
    dilation: any SizeSpecConvertible = 1, ceilMode: Bool = false, op: String = "max_pool",
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if Tracing.isOn {
        let attrs =
            poolAttributes(r, kernel, stride, padding) + [
                ("dilation", .ints(dilation.sizeSpec.repeated(r))), ("ceilMode", .bool(ceilMode)),
            ]
        return Tracing.record1("maxPool\(r)d", [x], attrs, file: file, line: line) {
            maxPool(
                $0[0], r: r, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
                op: op, file: file, line: line)
        }
    }
    if r == 2 {
        x.requireKernel(op, "max_pool2d", .notBool, file: file, line: line)
    } else {
        x.requireKernel(op, "max_pool\(r)d_impl", .floating, file: file, line: line)
    }
    let lowest: Double = x.dtype.isFloatingPoint ? -Double.infinity : Tensor.representableRange(x.dtype).0
    let plan = poolPlan(
        x, r: r, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
        fill: lowest, op: op, file: file, line: line)
    if let y = plan.padded.maxPool2dByIndices(plan.geometry, file: file, line: line) {
        return x.rank == r + 2 ? y : y.squeeze(0)
    }
    // Each output takes its window's first maximum (NaN counts as the maximum), so the gradient
    // goes to one element, as PyTorch's max pooling.
    let y = Tensor.stack(windowViews(plan), dim: 0).max(dim: 0, file: file, line: line).values
    return x.rank == r + 2 ? y : y.squeeze(0)
}

/// 1-D max pooling (`torch.nn.functional.max_pool1d`). `maxPool1d(x, kernel: 2)`
public func maxPool1d(
    _ x: Tensor, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0, dilation: any SizeSpecConvertible = 1,
    ceilMode: Bool = false, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    maxPool(
        x, r: 1, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
        op: "max_pool1d", file: file, line: line)
}

/// Max over `kernel` windows with the given stride (default: the kernel size).
public func maxPool2d(
    _ x: Tensor, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0, dilation: any SizeSpecConvertible = 1,
    ceilMode: Bool = false, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    maxPool(
        x, r: 2, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
        op: "max_pool2d", file: file, line: line)
}

/// Average pooling over the trailing `r` dimensions. With `countIncludePad` the divisor counts
/// the zero padding (not the ceil-mode overhang), as in PyTorch.
public func avgPool(
    _ x: Tensor, r: Int, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0,
    ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil, op: String = "avg_pool",
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if Tracing.isOn {
        let attrs =
            poolAttributes(r, kernel, stride, padding) + [
                ("ceilMode", .bool(ceilMode)), ("countIncludePad", .bool(countIncludePad)),
                ("divisorOverride", .int(divisorOverride ?? 0)),
            ]
        return Tracing.record1("avgPool\(r)d", [x], attrs, file: file, line: line) {
            avgPool(
                $0[0], r: r, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode,
                countIncludePad: countIncludePad, divisorOverride: divisorOverride, op: op, file: file, line: line)
        }
    }
    x.requireKernel(op, "avg_pool2d", .floatingOrLong, file: file, line: line)
    if divisorOverride == 0 { torchFail(op, "divisor must be not zero", file: file, line: line) }
    if x.dtype != .float32 && x.dtype != .float64 {
        // float16/bfloat16 sum in float32 and round once; int64 divides and truncates, as PyTorch.
        let wide: DType = x.dtype == .int64 ? .float64 : .float32
        let y = avgPool(
            x.to(wide), r: r, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode,
            countIncludePad: countIncludePad, divisorOverride: divisorOverride, op: op, file: file, line: line)
        return x.dtype == .int64 ? y.trunc().to(.int64) : y.to(x.dtype)
    }
    let plan = poolPlan(
        x, r: r, kernel: kernel, stride: stride, padding: padding, dilation: 1, ceilMode: ceilMode,
        fill: 0, op: op, file: file, line: line)
    let views = windowViews(plan)
    let total = views.dropFirst().reduce(views[0]) { $0 + $1 }
    let p = padding.expand(r, "padding", op, file: file, line: line)
    let overhang = (0..<r).contains { plan.pads[$0].1 != p[$0] }
    let hasPad = p.contains { $0 != 0 }
    var y: Tensor
    if let d = divisorOverride {
        y = total / Double(d)
    } else if !overhang && (countIncludePad || !hasPad) {
        y = total / Double(plan.geometry.volume)
    } else {
        // Divisor per window: the count of elements it covers that are input (or padding, with
        // countIncludePad), from the same windows over a mask.
        let spatial = Array(plan.padded.shape[2...])
        let mask = Tensor.zeros([1, 1] + spatial, dtype: x.dtype, device: x.device)
        var idx: [TensorIndex] = [.all, .all]
        for d in 0..<r {
            let lo = countIncludePad ? 0 : p[d]
            let hi = countIncludePad ? spatial[d] - (plan.pads[d].1 - p[d]) : spatial[d] - plan.pads[d].1
            idx.append(.slice(lo, hi))
        }
        Torch.noGrad { _ = mask[idx].fill_(1.0) }
        let mplan = PoolPlan(padded: mask, geometry: plan.geometry, out: plan.out, pads: plan.pads)
        let mviews = windowViews(mplan)
        let count = mviews.dropFirst().reduce(mviews[0]) { $0 + $1 }
        y = total / count
    }
    return x.rank == r + 2 ? y : y.squeeze(0)
}

/// 1-D average pooling (`torch.nn.functional.avg_pool1d`). `avgPool1d(x, kernel: 2)`
public func avgPool1d(
    _ x: Tensor, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0, ceilMode: Bool = false,
    countIncludePad: Bool = true, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    avgPool(
        x, r: 1, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad,
        op: "avg_pool1d", file: file, line: line)
}

/// Mean over `kernel` windows with the given stride (default: the kernel size); a
/// `divisorOverride` divides every window's sum by itself instead of the window's size.
public func avgPool2d(
    _ x: Tensor, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0, ceilMode: Bool = false, countIncludePad: Bool = true,
    divisorOverride: Int? = nil, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    avgPool(
        x, r: 2, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad,
        divisorOverride: divisorOverride, op: "avg_pool2d", file: file, line: line)
}

/// 3-D max pooling (`torch.nn.functional.max_pool3d`).
public func maxPool3d(
    _ x: Tensor, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0, dilation: any SizeSpecConvertible = 1, ceilMode: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    maxPool(
        x, r: 3, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
        op: "max_pool3d", file: file, line: line)
}

/// 3-D average pooling (`torch.nn.functional.avg_pool3d`).
public func avgPool3d(
    _ x: Tensor, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0, ceilMode: Bool = false, countIncludePad: Bool = true,
    divisorOverride: Int? = nil, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    avgPool(
        x, r: 3, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad,
        divisorOverride: divisorOverride, op: "avg_pool3d", file: file, line: line)
}

/// Adaptive pooling along one dimension: output `i` covers input `[⌊i·n/out⌋, ⌈(i+1)·n/out⌉)`.
func adaptivePool1(_ x: Tensor, dim d: Int, out: Int, max: Bool) -> Tensor {
    let n = x.shape[d]
    if n % out == 0 {
        // Equal windows: one reshape and one reduction.
        var shape = x.shape
        shape[d] = out
        shape.insert(n / out, at: d + 1)
        let v = x.reshape(shape)
        return max ? v.max(dim: d + 1).values : v.mean(dims: [d + 1])
    }
    let parts = (0..<out).map { i -> Tensor in
        let lo = i * n / out, hi = ((i + 1) * n + out - 1) / out
        let w = x.narrow(d, start: lo, length: hi - lo)
        return max ? w.max(dim: d, keepdim: true).values : w.mean(dims: [d], keepdim: true)
    }
    return Tensor.cat(parts, dim: d)
}

/// Adaptive average or max pooling of the trailing `outSize.count` dimensions (separable: a
/// rectangle's mean or max is the mean or max over one dimension of those over the next).
public func adaptivePool(
    _ x: Tensor, _ outSize: [Int], max: Bool, op: String,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let r = outSize.count
    if x.rank != r + 1 && x.rank != r + 2 {
        torchFail(
            op, "Expected \(r + 1)D or \(r + 2)D input, but got input of size: \(x.shape)", file: file, line: line)
    }
    if outSize.contains(where: { $0 < 1 }) {
        torchFail(op, "output size must be positive, got \(outSize)", file: file, line: line)
    }
    x.requireKernel(op, max ? "adaptive_max_pool2d" : "adaptive_avg_pool2d", .floating, file: file, line: line)
    if x.dtype == .float16 || x.dtype == .bfloat16 {
        return adaptivePool(x.to(.float32), outSize, max: max, op: op, file: file, line: line).to(x.dtype)
    }
    // Last dimension first: the separable first maximum is then the window's first in row-major
    // order, the element PyTorch's adaptive max pooling picks.
    var y = x
    for (i, o) in outSize.enumerated().reversed() { y = adaptivePool1(y, dim: x.rank - r + i, out: o, max: max) }
    return y
}

/// Averages [N, C, L] into `out` bins (`adaptive_avg_pool1d`). `adaptiveAvgPool1d(x, 1)`
public func adaptiveAvgPool1d(_ x: Tensor, _ out: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    adaptivePool(x, [out], max: false, op: "adaptive_avg_pool1d", file: file, line: line)
}

/// Mean over adaptive windows giving an `outH`×`outW` output (PyTorch's start/end index rule).
public func adaptiveAvgPool2d(_ x: Tensor, _ outH: Int, _ outW: Int, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
{
    adaptivePool(x, [outH, outW], max: false, op: "adaptive_avg_pool2d", file: file, line: line)
}

/// Maxima of [N, C, L] over `out` bins (`adaptive_max_pool1d`). `adaptiveMaxPool1d(x, 4)`
public func adaptiveMaxPool1d(_ x: Tensor, _ out: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    adaptivePool(x, [out], max: true, op: "adaptive_max_pool1d", file: file, line: line)
}

/// Maxima of [N, C, H, W] over `outH`×`outW` bins (`adaptive_max_pool2d`). `adaptiveMaxPool2d(x, 1, 1)`
public func adaptiveMaxPool2d(_ x: Tensor, _ outH: Int, _ outW: Int, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
{
    adaptivePool(x, [outH, outW], max: true, op: "adaptive_max_pool2d", file: file, line: line)
}

/// Max pooling that also returns where each maximum is (PyTorch's `max_pool{r}d(...,
/// return_indices=True)`): indices into the flattened spatial dimensions of each [N, C] plane of
/// the unpadded input, as `maxUnpool` takes them. A window whose maximum is the padding value
/// (all its input elements are -inf) points at its first input element, as PyTorch's kernel.
public func maxPoolWithIndices(
    _ x: Tensor, r: Int, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0, dilation: any SizeSpecConvertible = 1, ceilMode: Bool = false,
    op: String = "max_pool", file: StaticString = #fileID, line: UInt = #line
) -> (values: Tensor, indices: Tensor) {
    if Tracing.isOn {
        let attrs =
            poolAttributes(r, kernel, stride, padding) + [
                ("dilation", .ints(dilation.sizeSpec.repeated(r))), ("ceilMode", .bool(ceilMode)),
            ]
        let outs = Tracing.record("maxPool\(r)dWithIndices", [x], attrs, file: file, line: line) {
            let (v, i) = maxPoolWithIndices(
                $0[0], r: r, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
                op: op, file: file, line: line)
            return [v, i]
        }
        return (outs[0], outs[1])
    }
    if r == 2 {
        x.requireKernel(op, "max_pool2d_with_indices", .notBool, file: file, line: line)
    } else {
        x.requireKernel(op, "max_pool\(r)d_with_indices", .floating, file: file, line: line)
    }
    let lowest: Double = x.dtype.isFloatingPoint ? -Double.infinity : Tensor.representableRange(x.dtype).0
    let plan = poolPlan(
        x, r: r, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
        fill: lowest, op: op, file: file, line: line)
    let m = Tensor.stack(windowViews(plan), dim: 0).max(dim: 0, file: file, line: line)
    let g = plan.geometry
    let spatial = Array(x.shape[(x.rank - r)...])
    var flat = Tensor.zeros([1], dtype: .int64)
    var first = Tensor.zeros([1], dtype: .int64)
    var after = g.kernel.reduce(1, *)
    for d in 0..<r {
        after /= g.kernel[d]
        var shape = [Int](repeating: 1, count: r)
        shape[d] = plan.out[d]
        let start = Tensor.arange(plan.out[d], dtype: .int64).reshape(shape) * g.stride[d] - plan.pads[d].0
        let kd = m.indices.floorDivide(after).remainder(g.kernel[d])
        flat = flat * spatial[d] + start + kd * g.dilation[d]
        // The first in-bounds element of the window along d.
        let skip = (start.neg().clamp(min: 0) + (g.dilation[d] - 1)).floorDivide(g.dilation[d]) * g.dilation[d]
        first = first * spatial[d] + start + skip
    }
    let indices = Torch.noGrad { Tensor.where(m.values.eq(Tensor(lowest, dtype: x.dtype)), first, flat) }
    if x.rank == r + 2 { return (m.values, indices) }
    return (m.values.squeeze(0), indices.squeeze(0))
}

/// 1-D max pooling with the indices of the maxima (`F.max_pool1d(..., return_indices=True)`).
public func maxPool1dWithIndices(
    _ x: Tensor, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0, dilation: any SizeSpecConvertible = 1, ceilMode: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> (values: Tensor, indices: Tensor) {
    maxPoolWithIndices(
        x, r: 1, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
        op: "max_pool1d", file: file, line: line)
}

/// 2-D max pooling with the indices of the maxima (`F.max_pool2d(..., return_indices=True)`).
/// `let (y, idx) = maxPool2dWithIndices(x, kernel: 2)`
public func maxPool2dWithIndices(
    _ x: Tensor, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0, dilation: any SizeSpecConvertible = 1, ceilMode: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> (values: Tensor, indices: Tensor) {
    maxPoolWithIndices(
        x, r: 2, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
        op: "max_pool2d", file: file, line: line)
}

/// The partial inverse of max pooling (PyTorch's `max_unpool{r}d`): each value of `x` goes to the
/// place `indices` (from `maxPoolWithIndices`) names in a zero output of `outputSize` (the
/// spatial sizes, optionally with N and C first; default `(in - 1)·stride - 2·padding + kernel`).
public func maxUnpool(
    _ x: Tensor, _ indices: Tensor, r: Int, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0, outputSize: [Int]? = nil, op: String = "max_unpool",
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if x.rank != r + 1 && x.rank != r + 2 {
        torchFail(
            op,
            "Input to max_unpooling\(r)d should be a \(r + 1)d or \(r + 2)d Tensor, but got a tensor with "
                + "\(x.rank) dimensions.",
            file: file, line: line)
    }
    if indices.dtype != .int64 {
        torchFail(
            op, "elements in indices should be type int64 but got: \(indices.dtype.pytorchName)", file: file,
            line: line)
    }
    if indices.shape != x.shape {
        torchFail(
            op,
            "Expected shape of indices to be same as that of the input tensor (\(x.shape)) but got indices tensor "
                + "with shape: \(indices.shape)",
            file: file, line: line)
    }
    let k = kernel.expand(r, "kernel_size", op, file: file, line: line)
    let st = (stride ?? kernel).expand(r, "stride", op, file: file, line: line)
    let p = padding.expand(r, "padding", op, file: file, line: line)
    let spatial = Array(x.shape[(x.rank - r)...])
    var size: [Int] = []
    for d in 0..<r {
        let span: Int = (spatial[d] - 1) * st[d]
        size.append(span - 2 * p[d] + k[d])
    }
    if let o = outputSize {
        if o.count != r && o.count != r + 2 {
            torchFail(
                op,
                "output_size should be a sequence containing \(r) or \(r + 2) elements, but it has a length of "
                    + "'\(o.count)'",
                file: file, line: line)
        }
        let wanted = Array(o.suffix(r))
        for d in 0..<r {
            let lo = size[d] - st[d], hi = size[d] + st[d]
            if wanted[d] <= lo || wanted[d] >= hi {
                torchFail(
                    op,
                    "invalid output_size \"\(o)\" (dim \(d) must be between \(lo) and \(hi))", file: file, line: line)
            }
        }
        size = wanted
    }
    let volume = size.reduce(1, *)
    let batched = x.rank == r + 2 ? x : x.unsqueeze(0)
    let n = batched.shape[0], c = batched.shape[1]
    let flatIndex = indices.reshape([n, c, -1])
    if volume == 0 { return Tensor.zeros(x.rank == r + 2 ? [n, c] + size : [c] + size, dtype: x.dtype) }
    let bad = flatIndex.lt(Tensor(0, dtype: .int64)).logicalOr(flatIndex.ge(Tensor(volume, dtype: .int64)))
    if bad.any().item() != 0 {
        let first = flatIndex.flatten()[Int(bad.flatten().to(.int64).argmax().item())].item()
        let shown = r == 1 ? "\(size[0])x1" : size.map(String.init).joined(separator: "x")
        torchFail(
            op, "Found an invalid max index: \(Int(first)) (output volumes are of size \(shown))", file: file,
            line: line)
    }
    let out = Tensor.zeros([n, c, volume], dtype: x.dtype, device: x.device)
        .scatter(2, flatIndex, batched.reshape([n, c, -1]), file: file, line: line)
        .reshape([n, c] + size)
    return x.rank == r + 2 ? out : out.squeeze(0)
}

/// 1-D max unpooling (`F.max_unpool1d`).
public func maxUnpool1d(
    _ x: Tensor, _ indices: Tensor, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0, outputSize: [Int]? = nil, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    maxUnpool(
        x, indices, r: 1, kernel: kernel, stride: stride, padding: padding, outputSize: outputSize,
        op: "max_unpool1d", file: file, line: line)
}

/// 2-D max unpooling (`F.max_unpool2d`). `maxUnpool2d(y, idx, kernel: 2)`
public func maxUnpool2d(
    _ x: Tensor, _ indices: Tensor, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0, outputSize: [Int]? = nil, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    maxUnpool(
        x, indices, r: 2, kernel: kernel, stride: stride, padding: padding, outputSize: outputSize,
        op: "max_unpool2d", file: file, line: line)
}

/// 3-D max unpooling (`F.max_unpool3d`).
public func maxUnpool3d(
    _ x: Tensor, _ indices: Tensor, kernel: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
    padding: any SizeSpecConvertible = 0, outputSize: [Int]? = nil, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    maxUnpool(
        x, indices, r: 3, kernel: kernel, stride: stride, padding: padding, outputSize: outputSize,
        op: "max_unpool3d", file: file, line: line)
}

// PyTorch's positional spellings of the functional pools: `F.max_pool2d(x, 2)`,
// `F.avg_pool2d(x, 3, 2, 1)`.

/// `maxPool2d` with kernel, stride and padding positional. `maxPool2d(x, 2)`
public func maxPool2d(
    _ x: Tensor, _ kernel: any SizeSpecConvertible, _ stride: (any SizeSpecConvertible)? = nil,
    _ padding: any SizeSpecConvertible = 0, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    maxPool2d(x, kernel: kernel, stride: stride, padding: padding, file: file, line: line)
}

/// `maxPool1d` with kernel, stride and padding positional. `maxPool1d(x, 2)`
public func maxPool1d(
    _ x: Tensor, _ kernel: any SizeSpecConvertible, _ stride: (any SizeSpecConvertible)? = nil,
    _ padding: any SizeSpecConvertible = 0, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    maxPool1d(x, kernel: kernel, stride: stride, padding: padding, file: file, line: line)
}

/// `avgPool2d` with kernel, stride and padding positional. `avgPool2d(x, 2)`
public func avgPool2d(
    _ x: Tensor, _ kernel: any SizeSpecConvertible, _ stride: (any SizeSpecConvertible)? = nil,
    _ padding: any SizeSpecConvertible = 0, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    avgPool2d(x, kernel: kernel, stride: stride, padding: padding, file: file, line: line)
}

/// `avgPool1d` with kernel, stride and padding positional. `avgPool1d(x, 2)`
public func avgPool1d(
    _ x: Tensor, _ kernel: any SizeSpecConvertible, _ stride: (any SizeSpecConvertible)? = nil,
    _ padding: any SizeSpecConvertible = 0, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    avgPool1d(x, kernel: kernel, stride: stride, padding: padding, file: file, line: line)
}
