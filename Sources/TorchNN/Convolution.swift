import Torch
import TorchBase

/// A size given for every spatial dimension at once (`3`) or per dimension (`[3, 5]`), as
/// PyTorch's `kernel_size=3` or `kernel_size=(3, 5)`.
public struct SizeSpec: ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, Equatable, Sendable {
    public let values: [Int]
    public init(_ values: [Int]) { self.values = values }
    public init(_ value: Int) { values = [value] }
    public init(integerLiteral value: Int) { values = [value] }
    public init(arrayLiteral elements: Int...) { values = elements }

    /// The sizes for `rank` dimensions (one value repeats).
    func expand(_ rank: Int, _ what: String, _ op: String, file: StaticString, line: UInt) -> [Int] {
        if values.count == 1 { return Array(repeating: values[0], count: rank) }
        if values.count != rank {
            torchFail(op, "expected \(what) to be a single integer or a list of \(rank) integers, got \(values)", file: file, line: line)
        }
        return values
    }
}

/// Convolution padding: explicit sizes (one for all dimensions or one per dimension), `.same`
/// (output as large as the input; stride 1 only) or `.valid` (none).
public enum ConvPadding: ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, Equatable, Sendable {
    case explicit([Int])
    case same
    case valid

    public init(integerLiteral value: Int) { self = .explicit([value]) }
    public init(arrayLiteral elements: Int...) { self = .explicit(elements) }
}

/// (before, after) padding per spatial dimension.
func resolvePadding(_ p: ConvPadding, kernel: [Int], dilation: [Int], stride: [Int], op: String,
                    file: StaticString, line: UInt) -> [(Int, Int)] {
    let r = kernel.count
    switch p {
    case .valid: return Array(repeating: (0, 0), count: r)
    case .same:
        if stride.contains(where: { $0 != 1 }) {
            torchFail(op, "padding='same' is not supported for strided convolutions", file: file, line: line)
        }
        return (0..<r).map { d in
            let total = dilation[d] * (kernel[d] - 1)
            return (total / 2, total - total / 2)
        }
    case .explicit(let v):
        return SizeSpec(v).expand(r, "padding", op, file: file, line: line).map { ($0, $0) }
    }
}

/// `x.pad` arguments (last dimension first) for per-dimension (before, after) padding.
func padList(_ pads: [(Int, Int)]) -> [Int] {
    pads.reversed().flatMap { [$0.0, $0.1] }
}

/// Convolution over the trailing `weight.rank - 2` dimensions of `x` [N, C, spatial...] with
/// `weight` [O, C/groups, kernel...] (im2col and one matrix multiply per group). Inputs without a
/// batch dimension are accepted as in PyTorch.
///
/// ```swift
/// let y = conv(x, w, b, stride: 2, padding: 1, dilation: 1, groups: 1)
/// ```
public func conv(_ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: SizeSpec = 1, padding: ConvPadding = 0,
                 dilation: SizeSpec = 1, groups: Int = 1, op: String = "conv",
                 file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if x.dtype == .float16 || x.dtype == .bfloat16 {
        // Accumulate in float32 and round once (PyTorch's accumulate type).
        return conv(x.to(.float32), weight.to(.float32), bias?.to(.float32), stride: stride, padding: padding,
                    dilation: dilation, groups: groups, op: op, file: file, line: line).to(x.dtype)
    }
    let r = weight.rank - 2
    if r < 1 { torchFail(op, "expected a weight of rank at least 3 [O, C/groups, kernel...], got \(weight.shape)", file: file, line: line) }
    if x.rank == r + 1 {
        return conv(x.unsqueeze(0), weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
                    op: op, file: file, line: line).squeeze(0)
    }
    if x.rank != r + 2 {
        torchFail(op, "Expected \(r + 1)D (unbatched) or \(r + 2)D (batched) input to \(op), but got input of size: \(x.shape)", file: file, line: line)
    }
    let (n, c, o) = (x.shape[0], x.shape[1], weight.shape[0])
    if groups < 1 || c % groups != 0 || o % groups != 0 || weight.shape[1] * groups != c {
        torchFail(op, "Given groups=\(groups), weight of size \(weight.shape), expected input\(x.shape) to have \(weight.shape[1] * groups) channels, but got \(c) channels instead", file: file, line: line)
    }
    if let bias, bias.shape != [o] {
        torchFail(op, "expected bias of shape [\(o)], got \(bias.shape)", file: file, line: line)
    }
    let kernel = Array(weight.shape[2...])
    let st = stride.expand(r, "stride", op, file: file, line: line)
    let dil = dilation.expand(r, "dilation", op, file: file, line: line)
    x.requireKernel(op, "slow_conv2d_cpu", .notBool, file: file, line: line)
    if dil.contains(where: { $0 > 1 }) { x.requireKernel(op, "slow_conv_dilated<>", .floatingOrLong, file: file, line: line) }
    let pads = resolvePadding(padding, kernel: kernel, dilation: dil, stride: st, op: op, file: file, line: line)
    let xp = pads.contains(where: { $0.0 != 0 || $0.1 != 0 }) ? x.pad(padList(pads)) : x
    let g = WindowGeometry(kernel: kernel, stride: st, dilation: dil)
    let spatial = Array(xp.shape[2...])
    let effective = (0..<r).map { dil[$0] * (kernel[$0] - 1) + 1 }
    if (0..<r).contains(where: { effective[$0] > spatial[$0] }) {
        let dims = { (v: [Int]) in v.map(String.init).joined(separator: " x ") }
        torchFail(op, "Calculated padded input size per channel: (\(dims(spatial))). Kernel size: (\(dims(effective))). Kernel size can't be greater than actual input size", file: file, line: line)
    }
    let out = g.outputSize(spatial)
    if out.contains(where: { $0 < 1 }) {
        torchFail(op, "Calculated padded input size per channel: \(spatial). Kernel size: \(kernel) (dilation \(dil)). Kernel size can't be greater than actual input size", file: file, line: line)
    }
    let cols = xp.im2col(g, file: file, line: line)               // [C·K, N·L]
    let width = cols.shape[1]
    var y: Tensor
    if groups == 1 {
        // [O, N·L]; the bias is the GEMM's starting value.
        y = bias.map { Tensor.addmm($0.view([o, 1]), weight.reshape([o, -1]), cols) } ?? weight.reshape([o, -1]).matmul(cols)
    } else {
        let cg = c / groups * g.volume
        let wG = weight.reshape([groups, o / groups, cg])         // [G, O/G, Cg·K]
        y = wG.matmul(cols.view([groups, cg, width])).reshape([o, width])
        if let bias { y = y + bias.view([o, 1]) }
    }
    return y.view([o, n] + out).transpose(0, 1)
}

/// 1-D convolution of [N, C, L] inputs.
public func conv1d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: SizeSpec = 1, padding: ConvPadding = 0,
                   dilation: SizeSpec = 1, groups: Int = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if weight.rank != 3 { torchFail("conv1d", "expected a weight [O, C/groups, k], got \(weight.shape)", file: file, line: line) }
    return conv(x, weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups, op: "conv1d", file: file, line: line)
}

/// 2-D convolution of [N, C, H, W] inputs with `weight` [O, C/groups, kh, kw].
///
/// ```swift
/// let y = conv2d(x, w, b, stride: 1, padding: .same)
/// ```
public func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: SizeSpec = 1, padding: ConvPadding = 0,
                   dilation: SizeSpec = 1, groups: Int = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if weight.rank != 4 { torchFail("conv2d", "expected a weight [O, C/groups, kh, kw], got \(weight.shape)", file: file, line: line) }
    return conv(x, weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups, op: "conv2d", file: file, line: line)
}

/// 3-D convolution of [N, C, D, H, W] inputs.
public func conv3d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: SizeSpec = 1, padding: ConvPadding = 0,
                   dilation: SizeSpec = 1, groups: Int = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if weight.rank != 5 { torchFail("conv3d", "expected a weight [O, C/groups, kd, kh, kw], got \(weight.shape)", file: file, line: line) }
    return conv(x, weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups, op: "conv3d", file: file, line: line)
}

/// Transposed convolution (the gradient of `conv` with respect to its input) of `x`
/// [N, Cin, spatial...] with `weight` [Cin, Cout/groups, kernel...]: a matrix multiply, then
/// col2im. Output size `(in - 1)·stride - 2·padding + dilation·(k - 1) + outputPadding + 1`.
public func convTranspose(_ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: SizeSpec = 1, padding: SizeSpec = 0,
                          outputPadding: SizeSpec = 0, groups: Int = 1, dilation: SizeSpec = 1, op: String = "conv_transpose",
                          file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if x.dtype == .float16 || x.dtype == .bfloat16 {
        return convTranspose(x.to(.float32), weight.to(.float32), bias?.to(.float32), stride: stride, padding: padding,
                             outputPadding: outputPadding, groups: groups, dilation: dilation, op: op, file: file, line: line).to(x.dtype)
    }
    let r = weight.rank - 2
    if r < 1 { torchFail(op, "expected a weight of rank at least 3 [Cin, Cout/groups, kernel...], got \(weight.shape)", file: file, line: line) }
    if x.rank == r + 1 {
        return convTranspose(x.unsqueeze(0), weight, bias, stride: stride, padding: padding, outputPadding: outputPadding,
                             groups: groups, dilation: dilation, op: op, file: file, line: line).squeeze(0)
    }
    if x.rank != r + 2 {
        torchFail(op, "Expected \(r + 1)D (unbatched) or \(r + 2)D (batched) input to \(op), but got input of size: \(x.shape)", file: file, line: line)
    }
    let (n, cin) = (x.shape[0], x.shape[1])
    if groups < 1 || weight.shape[0] != cin || cin % groups != 0 {
        torchFail(op, "Given transposed=1, groups=\(groups), weight of size \(weight.shape), expected input\(x.shape) to have \(weight.shape[0]) channels, but got \(cin) channels instead", file: file, line: line)
    }
    let cout = weight.shape[1] * groups
    if let bias, bias.shape != [cout] {
        torchFail(op, "expected bias of shape [\(cout)], got \(bias.shape)", file: file, line: line)
    }
    let kernel = Array(weight.shape[2...])
    let st = stride.expand(r, "stride", op, file: file, line: line)
    let dil = dilation.expand(r, "dilation", op, file: file, line: line)
    let pad = padding.expand(r, "padding", op, file: file, line: line)
    let outPad = outputPadding.expand(r, "output_padding", op, file: file, line: line)
    for d in 0..<r where outPad[d] >= st[d] && outPad[d] >= dil[d] {
        torchFail(op, "output padding must be smaller than either stride or dilation, but got output_padding \(outPad) stride \(st) dilation \(dil)", file: file, line: line)
    }
    x.requireKernel(op, "slow_conv_transpose2d_out_cpu", .floatingOrLong, file: file, line: line)
    let inSpatial = Array(x.shape[2...])
    // col2im fills the windows' extent; output padding (which may reach past a stride when the
    // dilation is larger) is added as zeros after it.
    var base: [Int] = [], full: [Int] = []
    for d in 0..<r {
        let span: Int = (inSpatial[d] - 1) * st[d]
        let reach: Int = dil[d] * (kernel[d] - 1)
        base.append(span + reach + 1)
        full.append(span + reach + 1 + outPad[d])
    }
    // PyTorch refuses an empty output on its undilated path only (the dilated kernel returns it).
    let outSize = (0..<r).map { full[$0] - 2 * pad[$0] }
    if outSize.contains(where: { $0 < 0 }) || (outSize.contains(0) && dil.allSatisfy { $0 == 1 }) {
        let inText = ([1] + inSpatial).map(String.init).joined(separator: " x ")
        let outText = ([1] + outSize).map(String.init).joined(separator: " x ")
        torchFail(op, "Given input size per channel: (\(inText)). Calculated output size per channel: (\(outText)). Output size is too small", file: file, line: line)
    }
    let g = WindowGeometry(kernel: kernel, stride: st, dilation: dil)
    let width = n * inSpatial.product, k = g.volume
    let xr = x.transpose(0, 1).reshape([cin, width])                         // [Cin, N·L]
    var cols: Tensor
    if groups == 1 {
        cols = weight.reshape([cin, cout * k]).t().matmul(xr)                 // [Cout·K, N·L]
    } else {
        let cg = cin / groups, og = cout / groups * k
        let wg = weight.reshape([groups, cg, og]).transpose(1, 2)             // [G, Cout/G·K, Cin/G]
        cols = wg.matmul(xr.view([groups, cg, width])).reshape([cout * k, width])
    }
    var y = Tensor.col2im(cols, shape: [n, cout] + base, g, file: file, line: line)
    if outPad.contains(where: { $0 != 0 }) {
        y = y.pad(outPad.reversed().flatMap { [0, $0] }, file: file, line: line)
    }
    if pad.contains(where: { $0 != 0 }) {
        var idx: [TensorIndex] = [.all, .all]
        for d in 0..<r { idx.append(.slice(pad[d], full[d] - pad[d])) }
        y = y[idx]
    }
    if let bias { y = y + bias.view([cout] + Array(repeating: 1, count: r)) }
    return y
}

public func convTranspose1d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: SizeSpec = 1, padding: SizeSpec = 0,
                            outputPadding: SizeSpec = 0, groups: Int = 1, dilation: SizeSpec = 1,
                            file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if weight.rank != 3 { torchFail("conv_transpose1d", "expected a weight [Cin, Cout/groups, k], got \(weight.shape)", file: file, line: line) }
    return convTranspose(x, weight, bias, stride: stride, padding: padding, outputPadding: outputPadding, groups: groups,
                         dilation: dilation, op: "conv_transpose1d", file: file, line: line)
}

public func convTranspose2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: SizeSpec = 1, padding: SizeSpec = 0,
                            outputPadding: SizeSpec = 0, groups: Int = 1, dilation: SizeSpec = 1,
                            file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if weight.rank != 4 { torchFail("conv_transpose2d", "expected a weight [Cin, Cout/groups, kh, kw], got \(weight.shape)", file: file, line: line) }
    return convTranspose(x, weight, bias, stride: stride, padding: padding, outputPadding: outputPadding, groups: groups,
                         dilation: dilation, op: "conv_transpose2d", file: file, line: line)
}

// MARK: - Pooling

/// Geometry of a pooling call: the padded input and the window.
struct PoolPlan {
    let padded: Tensor
    let geometry: WindowGeometry
    let out: [Int]
    /// Per-dimension (before, after) padding actually applied (after includes ceil-mode extra).
    let pads: [(Int, Int)]
}

func poolPlan(_ x: Tensor, r: Int, kernel: SizeSpec, stride: SizeSpec?, padding: SizeSpec, dilation: SizeSpec,
              ceilMode: Bool, fill: Double, op: String, file: StaticString, line: UInt) -> PoolPlan {
    if x.rank != r + 2 && x.rank != r + 1 {
        torchFail(op, "Expected \(r + 1)D (unbatched) or \(r + 2)D (batched) input, but got input of size: \(x.shape)", file: file, line: line)
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
            torchFail(op, "pad should be at most half of effective kernel size, but got pad=\(p[d]), kernel_size=\(k[d])", file: file, line: line)
        }
        let span = spatial[d] + 2 * p[d] - dil[d] * (k[d] - 1) - 1
        var o = (ceilMode ? (span + st[d] - 1) / st[d] : span / st[d]) + 1
        // In ceil mode the last window must start inside the input or its left padding.
        if ceilMode && (o - 1) * st[d] >= spatial[d] + p[d] { o -= 1 }
        if o < 1 || span < 0 {
            torchFail(op, "Given input size: \(spatial). Calculated output size: \(o) along dimension \(d). Output size is too small", file: file, line: line)
        }
        out.append(o)
        let needed = (o - 1) * st[d] + dil[d] * (k[d] - 1) + 1
        pads.append((p[d], Swift.max(p[d], needed - spatial[d] - p[d])))
    }
    let batched = x.rank == r + 2 ? x : x.unsqueeze(0)
    let padded = pads.contains(where: { $0.0 != 0 || $0.1 != 0 }) ? batched.pad(padList(pads), value: fill) : batched
    return PoolPlan(padded: padded, geometry: WindowGeometry(kernel: k, stride: st, dilation: dil), out: out, pads: pads)
}

/// The K window-offset views of a pooling plan, each [N, C, out...].
func windowViews(_ plan: PoolPlan) -> [Tensor] {
    (0..<plan.geometry.volume).map { plan.padded.windowOffsetView(plan.geometry.kernelIndex($0), plan.geometry, out: plan.out) }
}

/// Max pooling over the trailing `r` dimensions: the element-wise maximum of the kernel's
/// window-offset views (padding counts as -inf).
public func maxPool(_ x: Tensor, r: Int, kernel: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0,
                    dilation: SizeSpec = 1, ceilMode: Bool = false, op: String = "max_pool",
                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if r == 2 {
        x.requireKernel(op, "max_pool2d", .notBool, file: file, line: line)
    } else {
        x.requireKernel(op, "max_pool\(r)d_impl", .floating, file: file, line: line)
    }
    let lowest: Double = x.dtype.isFloatingPoint ? -Double.infinity : Tensor.representableRange(x.dtype).0
    let plan = poolPlan(x, r: r, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
                        fill: lowest, op: op, file: file, line: line)
    if let y = plan.padded.maxPool2dByIndices(plan.geometry, file: file, line: line) {
        return x.rank == r + 2 ? y : y.squeeze(0)
    }
    // Each output takes its window's first maximum (NaN counts as the maximum), so the gradient
    // goes to one element, as PyTorch's max pooling.
    let y = Tensor.stack(windowViews(plan), dim: 0).max(dim: 0, file: file, line: line).values
    return x.rank == r + 2 ? y : y.squeeze(0)
}

public func maxPool1d(_ x: Tensor, kernel: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, dilation: SizeSpec = 1,
                      ceilMode: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    maxPool(x, r: 1, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode, op: "max_pool1d", file: file, line: line)
}

/// Max over `kernel` windows with the given stride (default: the kernel size).
public func maxPool2d(_ x: Tensor, kernel: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, dilation: SizeSpec = 1,
                      ceilMode: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    maxPool(x, r: 2, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode, op: "max_pool2d", file: file, line: line)
}

/// Average pooling over the trailing `r` dimensions. With `countIncludePad` the divisor counts
/// the zero padding (not the ceil-mode overhang), as in PyTorch.
public func avgPool(_ x: Tensor, r: Int, kernel: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0,
                    ceilMode: Bool = false, countIncludePad: Bool = true, op: String = "avg_pool",
                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    x.requireKernel(op, "avg_pool2d", .floatingOrLong, file: file, line: line)
    if x.dtype != .float32 && x.dtype != .float64 {
        // float16/bfloat16 sum in float32 and round once; int64 divides and truncates, as PyTorch.
        let wide: DType = x.dtype == .int64 ? .float64 : .float32
        let y = avgPool(x.to(wide), r: r, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode,
                        countIncludePad: countIncludePad, op: op, file: file, line: line)
        return x.dtype == .int64 ? y.trunc().to(.int64) : y.to(x.dtype)
    }
    let plan = poolPlan(x, r: r, kernel: kernel, stride: stride, padding: padding, dilation: 1, ceilMode: ceilMode,
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

public func avgPool1d(_ x: Tensor, kernel: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, ceilMode: Bool = false,
                      countIncludePad: Bool = true, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    avgPool(x, r: 1, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad,
            op: "avg_pool1d", file: file, line: line)
}

/// Mean over `kernel` windows with the given stride (default: the kernel size).
public func avgPool2d(_ x: Tensor, kernel: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, ceilMode: Bool = false,
                      countIncludePad: Bool = true, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    avgPool(x, r: 2, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad,
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
public func adaptivePool(_ x: Tensor, _ outSize: [Int], max: Bool, op: String,
                         file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let r = outSize.count
    if x.rank != r + 1 && x.rank != r + 2 {
        torchFail(op, "Expected \(r + 1)D or \(r + 2)D input, but got input of size: \(x.shape)", file: file, line: line)
    }
    if outSize.contains(where: { $0 < 1 }) { torchFail(op, "output size must be positive, got \(outSize)", file: file, line: line) }
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

public func adaptiveAvgPool1d(_ x: Tensor, _ out: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    adaptivePool(x, [out], max: false, op: "adaptive_avg_pool1d", file: file, line: line)
}

/// Mean over adaptive windows giving an `outH`×`outW` output (PyTorch's start/end index rule).
public func adaptiveAvgPool2d(_ x: Tensor, _ outH: Int, _ outW: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    adaptivePool(x, [outH, outW], max: false, op: "adaptive_avg_pool2d", file: file, line: line)
}

public func adaptiveMaxPool1d(_ x: Tensor, _ out: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    adaptivePool(x, [out], max: true, op: "adaptive_max_pool1d", file: file, line: line)
}

public func adaptiveMaxPool2d(_ x: Tensor, _ outH: Int, _ outW: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    adaptivePool(x, [outH, outW], max: true, op: "adaptive_max_pool2d", file: file, line: line)
}
