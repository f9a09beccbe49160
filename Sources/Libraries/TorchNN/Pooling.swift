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
    _ x: Tensor, r: Int, kernel: SizeSpec, stride: SizeSpec?, padding: SizeSpec, dilation: SizeSpec,
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
    _ x: Tensor, r: Int, kernel: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0,
    dilation: SizeSpec = 1, ceilMode: Bool = false, op: String = "max_pool",
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
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

/// 1-D max pooling (`torch.nn.functional.max_pool1d`). ```maxPool1d(x, kernel: 2)```
public func maxPool1d(
    _ x: Tensor, kernel: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, dilation: SizeSpec = 1,
    ceilMode: Bool = false, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    maxPool(
        x, r: 1, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
        op: "max_pool1d", file: file, line: line)
}

/// Max over `kernel` windows with the given stride (default: the kernel size).
public func maxPool2d(
    _ x: Tensor, kernel: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, dilation: SizeSpec = 1,
    ceilMode: Bool = false, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    maxPool(
        x, r: 2, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
        op: "max_pool2d", file: file, line: line)
}

/// Average pooling over the trailing `r` dimensions. With `countIncludePad` the divisor counts
/// the zero padding (not the ceil-mode overhang), as in PyTorch.
public func avgPool(
    _ x: Tensor, r: Int, kernel: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0,
    ceilMode: Bool = false, countIncludePad: Bool = true, op: String = "avg_pool",
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    x.requireKernel(op, "avg_pool2d", .floatingOrLong, file: file, line: line)
    if x.dtype != .float32 && x.dtype != .float64 {
        // float16/bfloat16 sum in float32 and round once; int64 divides and truncates, as PyTorch.
        let wide: DType = x.dtype == .int64 ? .float64 : .float32
        let y = avgPool(
            x.to(wide), r: r, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode,
            countIncludePad: countIncludePad, op: op, file: file, line: line)
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
    if !overhang && (countIncludePad || !hasPad) {
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

/// 1-D average pooling (`torch.nn.functional.avg_pool1d`). ```avgPool1d(x, kernel: 2)```
public func avgPool1d(
    _ x: Tensor, kernel: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, ceilMode: Bool = false,
    countIncludePad: Bool = true, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    avgPool(
        x, r: 1, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad,
        op: "avg_pool1d", file: file, line: line)
}

/// Mean over `kernel` windows with the given stride (default: the kernel size).
public func avgPool2d(
    _ x: Tensor, kernel: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, ceilMode: Bool = false,
    countIncludePad: Bool = true, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    avgPool(
        x, r: 2, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad,
        op: "avg_pool2d", file: file, line: line)
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

/// Averages [N, C, L] into `out` bins (`adaptive_avg_pool1d`). ```adaptiveAvgPool1d(x, 1)```
public func adaptiveAvgPool1d(_ x: Tensor, _ out: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    adaptivePool(x, [out], max: false, op: "adaptive_avg_pool1d", file: file, line: line)
}

/// Mean over adaptive windows giving an `outH`×`outW` output (PyTorch's start/end index rule).
public func adaptiveAvgPool2d(_ x: Tensor, _ outH: Int, _ outW: Int, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
{
    adaptivePool(x, [outH, outW], max: false, op: "adaptive_avg_pool2d", file: file, line: line)
}

/// Maxima of [N, C, L] over `out` bins (`adaptive_max_pool1d`). ```adaptiveMaxPool1d(x, 4)```
public func adaptiveMaxPool1d(_ x: Tensor, _ out: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    adaptivePool(x, [out], max: true, op: "adaptive_max_pool1d", file: file, line: line)
}

/// Maxima of [N, C, H, W] over `outH`×`outW` bins (`adaptive_max_pool2d`). ```adaptiveMaxPool2d(x, 1, 1)```
public func adaptiveMaxPool2d(_ x: Tensor, _ outH: Int, _ outW: Int, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
{
    adaptivePool(x, [outH, outW], max: true, op: "adaptive_max_pool2d", file: file, line: line)
}
