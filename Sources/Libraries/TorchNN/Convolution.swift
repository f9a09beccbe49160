import Torch
import TorchBase

/// A size given for every spatial dimension at once (`3`) or per dimension (`[3, 5]`), as
/// PyTorch's `kernel_size=3` or `kernel_size=(3, 5)`.
public struct SizeSpec: ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, Equatable, Sendable {
    /// The sizes given: one (repeated over every dimension) or one per dimension.
    public let values: [Int]
    /// One size per spatial dimension. `SizeSpec([3, 5])`
    public init(_ values: [Int]) { self.values = values }
    /// The same size for every spatial dimension. `SizeSpec(3)`
    public init(_ value: Int) { values = [value] }
    /// A literal size: `kernelSize: 3`.
    public init(integerLiteral value: Int) { values = [value] }
    /// A literal list: `kernelSize: [3, 5]`.
    public init(arrayLiteral elements: Int...) { values = elements }

    /// The sizes for `rank` dimensions (one value repeats).
    func expand(_ rank: Int, _ what: String, _ op: String, file: StaticString, line: UInt) -> [Int] {
        if values.count == 1 { return Array(repeating: values[0], count: rank) }
        if values.count != rank {
            torchFail(
                op, "expected \(what) to be a single integer or a list of \(rank) integers, got \(values)", file: file,
                line: line)
        }
        return values
    }
}

/// A size argument: an `Int` (literal or variable), an `[Int]` or a `SizeSpec`, so that
/// `Conv2d(1, 32, k)` takes a variable `k` as PyTorch's `kernel_size=k` does.
public protocol SizeSpecConvertible {
    /// The size as a `SizeSpec`.
    var sizeSpec: SizeSpec { get }
}

extension SizeSpec: SizeSpecConvertible {
    public var sizeSpec: SizeSpec { self }
}

extension Int: SizeSpecConvertible {
    /// The same size for every spatial dimension.
    public var sizeSpec: SizeSpec { SizeSpec(self) }
}

extension Array: SizeSpecConvertible where Element == Int {
    /// One size per spatial dimension.
    public var sizeSpec: SizeSpec { SizeSpec(self) }
}

extension SizeSpecConvertible {
    func expand(_ rank: Int, _ what: String, _ op: String, file: StaticString, line: UInt) -> [Int] {
        sizeSpec.expand(rank, what, op, file: file, line: line)
    }
}

/// A padding argument: an `Int`, an `[Int]` or a `ConvPadding` (`.same`, `.valid`).
public protocol ConvPaddingConvertible {
    /// The padding as a `ConvPadding`.
    var convPadding: ConvPadding { get }
}

extension ConvPadding: ConvPaddingConvertible {
    public var convPadding: ConvPadding { self }
}

/// `.same` and `.valid` where a padding argument takes any `ConvPaddingConvertible`.
public struct PaddingMode: ConvPaddingConvertible, Sendable {
    public let convPadding: ConvPadding
}

extension ConvPaddingConvertible where Self == PaddingMode {
    /// `padding: .same`: the output as large as the input (stride 1 only).
    public static var same: PaddingMode { PaddingMode(convPadding: ConvPadding.same) }
    /// `padding: .valid`: no padding.
    public static var valid: PaddingMode { PaddingMode(convPadding: ConvPadding.valid) }
}

extension Int: ConvPaddingConvertible {
    /// The same padding on every spatial dimension.
    public var convPadding: ConvPadding { .explicit([self]) }
}

extension Array: ConvPaddingConvertible where Element == Int {
    /// One padding per spatial dimension.
    public var convPadding: ConvPadding { .explicit(self) }
}

/// Convolution padding: explicit sizes (one for all dimensions or one per dimension), `.same`
/// (output as large as the input; stride 1 only) or `.valid` (none).
public enum ConvPadding: ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, Equatable, Sendable {
    case explicit([Int])
    case same
    case valid

    /// A literal padding: `padding: 1`.
    public init(integerLiteral value: Int) { self = .explicit([value]) }
    /// A literal per-dimension padding: `padding: [1, 2]`.
    public init(arrayLiteral elements: Int...) { self = .explicit(elements) }
}

/// (before, after) padding per spatial dimension.
func resolvePadding(
    _ p: any ConvPaddingConvertible, kernel: [Int], dilation: [Int], stride: [Int], op: String,
    file: StaticString, line: UInt
) -> [(Int, Int)] {
    let r = kernel.count
    switch p.convPadding {
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

// Note [The convolution's composite backward]: a convolution is, in general, not a primitive (the
// exception, stride 1 with one group on a backend with the direct kernel, is Note [The convolution
// primitive]). It is built from
// `im2col` (a recorded primitive whose backward is `col2im`), one GEMM (`addmm` with the bias as the
// GEMM's starting value, or a batched `matmul` per group) and views, so its gradients come from
// those primitives' derivatives: the weight gradient is `gᵀ · cols`, the input gradient `col2im(W ·
// g)`, exactly the im2col formulation PyTorch's CPU kernels use. Only `im2col`/`col2im` have
// dedicated CPU loops (the `window2D` optional family); the stride-1 primitive beat this in
// `torch-bench` first (DESIGN convention 2).

/// The most bytes of patches a convolution makes at once when autograd is not recording
/// (Note [Convolution memory]).
nonisolated(unsafe) package var convolutionChunkBytes = 32 << 20

/// Convolution over the trailing `weight.rank - 2` dimensions of `x` [N, C, spatial...] with
/// `weight` [O, C/groups, kernel...] (im2col and one matrix multiply per group). Inputs without a
/// batch dimension are accepted as in PyTorch.
///
/// ```swift
/// let y = conv(x, w, b, stride: 2, padding: 1, dilation: 1, groups: 1)
/// ```
public func conv(
    _ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: any SizeSpecConvertible = 1,
    padding: any ConvPaddingConvertible = 0,
    dilation: any SizeSpecConvertible = 1, groups: Int = 1, op: String = "conv",
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if Tracing.isOn {
        return tracedConv(x, weight, bias, stride, padding, dilation, groups, file, line) { ts in
            conv(
                ts[0], ts[1], ts.count > 2 ? ts[2] : nil, stride: stride, padding: padding, dilation: dilation,
                groups: groups, op: op, file: file, line: line)
        }
    }
    // Without autograd, bfloat16 products run natively where the CPU has AMX (Note [bfloat16 GEMM]):
    // im2col copies bfloat16 exactly and the product (with the bias) is summed in float32 and
    // rounded once. Otherwise half precision is computed in float32 and rounded once.
    let nativeBF16 =
        x.dtype == .bfloat16 && groups == 1 && weight.dtype == x.dtype && (bias?.dtype ?? x.dtype) == x.dtype
        && !(Torch.isGradEnabled && [x, weight, bias].contains { $0?.requiresGrad == true })
        && Tensor.bf16ProductsAreNative(on: x.device)
    if (x.dtype == .float16 || x.dtype == .bfloat16) && !nativeBF16 {
        // Accumulate in float32 and round once (PyTorch's accumulate type).
        return conv(
            x.to(.float32), weight.to(.float32), bias?.to(.float32), stride: stride, padding: padding,
            dilation: dilation, groups: groups, op: op, file: file, line: line
        ).to(x.dtype)
    }
    let r = weight.rank - 2
    if r < 1 {
        torchFail(
            op, "expected a weight of rank at least 3 [O, C/groups, kernel...], got \(weight.shape)", file: file,
            line: line)
    }
    if x.rank == r + 1 {
        return conv(
            x.unsqueeze(0), weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
            op: op, file: file, line: line
        ).squeeze(0)
    }
    if x.rank != r + 2 {
        torchFail(
            op,
            "Expected \(r + 1)D (unbatched) or \(r + 2)D (batched) input to \(op), but got input of size: \(x.shape)",
            file: file, line: line)
    }
    let (n, c, o) = (x.shape[0], x.shape[1], weight.shape[0])
    if groups < 1 || c % groups != 0 || o % groups != 0 || weight.shape[1] * groups != c {
        torchFail(
            op,
            "Given groups=\(groups), weight of size \(weight.shape), expected input\(x.shape) to have "
                + "\(weight.shape[1] * groups) channels, but got \(c) channels instead",
            file: file, line: line)
    }
    if let bias, bias.shape != [o] {
        torchFail(op, "expected bias of shape [\(o)], got \(bias.shape)", file: file, line: line)
    }
    let kernel = Array(weight.shape[2...])
    let st = stride.expand(r, "stride", op, file: file, line: line)
    let dil = dilation.expand(r, "dilation", op, file: file, line: line)
    x.requireKernel(op, "slow_conv2d_cpu", .notBool, file: file, line: line)
    if dil.contains(where: { $0 > 1 }) {
        x.requireKernel(op, "slow_conv_dilated<>", .floatingOrLong, file: file, line: line)
    }
    let pads = resolvePadding(padding, kernel: kernel, dilation: dil, stride: st, op: op, file: file, line: line)
    // Note [Depthwise convolution]: groups == channels, symmetric padding, no autograd.
    if r == 2, groups == c, groups > 1, pads.allSatisfy({ $0.0 == $0.1 }),
        let y = x.directDepthwiseConv2d(
            weight: weight, bias: bias, stride: st, padding: pads.map(\.0), dilation: dil)
    {
        return y
    }
    // Note [The convolution primitive]: stride 1, one group, padding within the filter's reach.
    if r == 2, groups == 1, st == [1, 1] {
        let p4 = [pads[0].0, pads[0].1, pads[1].0, pads[1].1]
        if Tensor.takesConvolutionPrimitive(x, weight, bias, padding: p4, dilation: dil) {
            return Tensor.convolution2d(x, weight, bias, padding: p4, dilation: dil, file: file, line: line)
        }
    }
    let xp = pads.contains(where: { $0.0 != 0 || $0.1 != 0 }) ? x.pad(padList(pads)) : x
    let g = WindowGeometry(kernel: kernel, stride: st, dilation: dil)
    let spatial = Array(xp.shape[2...])
    let effective = (0..<r).map { dil[$0] * (kernel[$0] - 1) + 1 }
    if (0..<r).contains(where: { effective[$0] > spatial[$0] }) {
        let dims = { (v: [Int]) in v.map(String.init).joined(separator: " x ") }
        torchFail(
            op,
            "Calculated padded input size per channel: (\(dims(spatial))). Kernel size: (\(dims(effective))). Kernel "
                + "size can't be greater than actual input size",
            file: file, line: line)
    }
    let out = g.outputSize(spatial)
    if out.contains(where: { $0 < 1 }) {
        torchFail(
            op,
            "Calculated padded input size per channel: \(spatial). Kernel size: \(kernel) (dilation \(dil)). Kernel "
                + "size can't be greater than actual input size",
            file: file, line: line)
    }
    // Note [Convolution memory]: the patches of a whole batch can be far larger than the batch
    // (the MNIST example's second convolution on a 1 000-image test batch: 663 MB of patches for a
    // 147 MB output). Without autograd nothing keeps them, so a large batch is convolved a slice of
    // samples at a time into the result, its patches at most `convolutionChunkBytes`; with autograd the patches are
    // what the weight gradient reads, and the whole batch is done at once.
    let colBytes = c * g.volume * out.reduce(1, *) * n * x.dtype.itemSize
    let recording = Torch.isGradEnabled && [x, weight, bias].contains { $0?.requiresGrad == true }
    if n > 1 && colBytes > convolutionChunkBytes && !recording {
        let per = Swift.max(1, n * convolutionChunkBytes / colBytes)
        let result = Tensor.empty([n, o] + out, dtype: x.dtype, device: x.device)
        for start in Swift.stride(from: 0, to: n, by: per) {
            let m = Swift.min(per, n - start)
            result.narrow(0, start: start, length: m).copy_(
                conv(
                    xp.narrow(0, start: start, length: m), weight, bias, stride: st, padding: 0, dilation: dil,
                    groups: groups, op: op, file: file, line: line))
        }
        return result
    }
    let cols = xp.im2col(g, file: file, line: line)  // [C·K, N·L]
    let width = cols.shape[1]
    var y: Tensor
    if groups == 1 {
        // [O, N·L]; the bias is the GEMM's starting value.
        y =
            bias.map { Tensor.addmm($0.view([o, 1]), weight.reshape([o, -1]), cols) }
            ?? weight.reshape([o, -1]).matmul(cols)
    } else {
        let cg = c / groups * g.volume
        let wG = weight.reshape([groups, o / groups, cg])  // [G, O/G, Cg·K]
        y = wG.matmul(cols.view([groups, cg, width])).reshape([o, width])
        if let bias { y = y + bias.view([o, 1]) }
    }
    return y.view([o, n] + out).transpose(0, 1)
}

/// 1-D convolution of [N, C, L] inputs.
public func conv1d(
    _ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: any SizeSpecConvertible = 1,
    padding: any ConvPaddingConvertible = 0,
    dilation: any SizeSpecConvertible = 1, groups: Int = 1, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if weight.rank != 3 {
        torchFail("conv1d", "expected a weight [O, C/groups, k], got \(weight.shape)", file: file, line: line)
    }
    return conv(
        x, weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups, op: "conv1d", file: file,
        line: line)
}

/// 2-D convolution of [N, C, H, W] inputs with `weight` [O, C/groups, kh, kw].
///
/// ```swift
/// let y = conv2d(x, w, b, stride: 1, padding: .same)
/// ```
public func conv2d(
    _ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: any SizeSpecConvertible = 1,
    padding: any ConvPaddingConvertible = 0,
    dilation: any SizeSpecConvertible = 1, groups: Int = 1, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if weight.rank != 4 {
        torchFail("conv2d", "expected a weight [O, C/groups, kh, kw], got \(weight.shape)", file: file, line: line)
    }
    return conv(
        x, weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups, op: "conv2d", file: file,
        line: line)
}

/// 3-D convolution of [N, C, D, H, W] inputs.
public func conv3d(
    _ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: any SizeSpecConvertible = 1,
    padding: any ConvPaddingConvertible = 0,
    dilation: any SizeSpecConvertible = 1, groups: Int = 1, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if weight.rank != 5 {
        torchFail("conv3d", "expected a weight [O, C/groups, kd, kh, kw], got \(weight.shape)", file: file, line: line)
    }
    return conv(
        x, weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups, op: "conv3d", file: file,
        line: line)
}

/// Transposed convolution (the gradient of `conv` with respect to its input) of `x`
/// [N, Cin, spatial...] with `weight` [Cin, Cout/groups, kernel...]: a matrix multiply, then
/// col2im. Output size `(in - 1)·stride - 2·padding + dilation·(k - 1) + outputPadding + 1`.
public func convTranspose(
    _ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: any SizeSpecConvertible = 1,
    padding: any SizeSpecConvertible = 0,
    outputPadding: any SizeSpecConvertible = 0, groups: Int = 1, dilation: any SizeSpecConvertible = 1,
    op: String = "conv_transpose",
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if Tracing.isOn {
        let r = max(weight.rank - 2, 1)
        let attrs: [(String, TraceAttribute)] = [
            ("stride", .ints(stride.sizeSpec.repeated(r))), ("padding", .ints(padding.sizeSpec.repeated(r))),
            ("output_padding", .ints(outputPadding.sizeSpec.repeated(r))), ("groups", .int(groups)),
            ("dilation", .ints(dilation.sizeSpec.repeated(r))),
        ]
        return Tracing.record1(
            "convTranspose\(r)d", bias.map { [x, weight, $0] } ?? [x, weight], attrs, file: file, line: line
        ) { ts in
            convTranspose(
                ts[0], ts[1], ts.count > 2 ? ts[2] : nil, stride: stride, padding: padding,
                outputPadding: outputPadding,
                groups: groups, dilation: dilation, op: op, file: file, line: line)
        }
    }
    if x.dtype == .float16 || x.dtype == .bfloat16 {
        return convTranspose(
            x.to(.float32), weight.to(.float32), bias?.to(.float32), stride: stride, padding: padding,
            outputPadding: outputPadding, groups: groups, dilation: dilation, op: op, file: file, line: line
        ).to(x.dtype)
    }
    let r = weight.rank - 2
    if r < 1 {
        torchFail(
            op, "expected a weight of rank at least 3 [Cin, Cout/groups, kernel...], got \(weight.shape)", file: file,
            line: line)
    }
    if x.rank == r + 1 {
        return convTranspose(
            x.unsqueeze(0), weight, bias, stride: stride, padding: padding, outputPadding: outputPadding,
            groups: groups, dilation: dilation, op: op, file: file, line: line
        ).squeeze(0)
    }
    if x.rank != r + 2 {
        torchFail(
            op,
            "Expected \(r + 1)D (unbatched) or \(r + 2)D (batched) input to \(op), but got input of size: \(x.shape)",
            file: file, line: line)
    }
    let (n, cin) = (x.shape[0], x.shape[1])
    if groups < 1 || weight.shape[0] != cin || cin % groups != 0 {
        torchFail(
            op,
            "Given transposed=1, groups=\(groups), weight of size \(weight.shape), expected input\(x.shape) to have "
                + "\(weight.shape[0]) channels, but got \(cin) channels instead",
            file: file, line: line)
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
        torchFail(
            op,
            "output padding must be smaller than either stride or dilation, but got output_padding \(outPad) stride "
                + "\(st) dilation \(dil)",
            file: file, line: line)
    }
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
    let outSize = (0..<r).map { full[$0] - 2 * pad[$0] }
    // PyTorch's 1-D and 2-D kernels are its 2-D one: it checks the dtype first, prints a leading
    // depth of 1, and refuses an empty output on its undilated path only (the dilated kernel
    // returns it); its 3-D kernel checks the size first and refuses any empty output.
    func refuseSize() {
        let empty = r == 3 ? outSize.contains(0) : (outSize.contains(0) && dil.allSatisfy { $0 == 1 })
        guard outSize.contains(where: { $0 < 0 }) || empty else { return }
        let depth = r == 3 ? [] : [1]
        let inText = (depth + inSpatial).map(String.init).joined(separator: " x ")
        let outText = (depth + outSize).map(String.init).joined(separator: " x ")
        torchFail(
            op,
            "Given input size per channel: (\(inText)). Calculated output size per channel: (\(outText)). Output "
                + "size is too small",
            file: file, line: line)
    }
    if r == 3 { refuseSize() }
    x.requireKernel(op, "slow_conv_transpose\(r == 3 ? 3 : 2)d_out_cpu", .floatingOrLong, file: file, line: line)
    if r < 3 { refuseSize() }
    let g = WindowGeometry(kernel: kernel, stride: st, dilation: dil)
    let width = n * inSpatial.product, k = g.volume
    let xr = x.transpose(0, 1).reshape([cin, width])  // [Cin, N·L]
    var cols: Tensor
    if groups == 1 {
        cols = weight.reshape([cin, cout * k]).t().matmul(xr)  // [Cout·K, N·L]
    } else {
        let cg = cin / groups, og = cout / groups * k
        let wg = weight.reshape([groups, cg, og]).transpose(1, 2)  // [G, Cout/G·K, Cin/G]
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

/// A 1-D transposed convolution (`torch.nn.functional.conv_transpose1d`).
///
/// ```swift
/// let y = convTranspose1d(x, w, stride: 2)
/// ```
public func convTranspose1d(
    _ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: any SizeSpecConvertible = 1,
    padding: any SizeSpecConvertible = 0,
    outputPadding: any SizeSpecConvertible = 0, groups: Int = 1, dilation: any SizeSpecConvertible = 1,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if weight.rank != 3 {
        torchFail(
            "conv_transpose1d", "expected a weight [Cin, Cout/groups, k], got \(weight.shape)", file: file, line: line)
    }
    return convTranspose(
        x, weight, bias, stride: stride, padding: padding, outputPadding: outputPadding, groups: groups,
        dilation: dilation, op: "conv_transpose1d", file: file, line: line)
}

/// A 2-D transposed convolution (`torch.nn.functional.conv_transpose2d`).
///
/// ```swift
/// let y = convTranspose2d(x, w, stride: 2, padding: 1)
/// ```
public func convTranspose2d(
    _ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: any SizeSpecConvertible = 1,
    padding: any SizeSpecConvertible = 0,
    outputPadding: any SizeSpecConvertible = 0, groups: Int = 1, dilation: any SizeSpecConvertible = 1,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if weight.rank != 4 {
        torchFail(
            "conv_transpose2d", "expected a weight [Cin, Cout/groups, kh, kw], got \(weight.shape)", file: file,
            line: line)
    }
    return convTranspose(
        x, weight, bias, stride: stride, padding: padding, outputPadding: outputPadding, groups: groups,
        dilation: dilation, op: "conv_transpose2d", file: file, line: line)
}

/// A 3-D transposed convolution (`torch.nn.functional.conv_transpose3d`).
///
/// ```swift
/// let y = convTranspose3d(x, w, stride: 2)   // x [N, Cin, D, H, W], w [Cin, Cout/groups, kd, kh, kw]
/// ```
public func convTranspose3d(
    _ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: any SizeSpecConvertible = 1,
    padding: any SizeSpecConvertible = 0,
    outputPadding: any SizeSpecConvertible = 0, groups: Int = 1, dilation: any SizeSpecConvertible = 1,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if weight.rank != 5 {
        torchFail(
            "conv_transpose3d", "expected a weight [Cin, Cout/groups, kd, kh, kw], got \(weight.shape)", file: file,
            line: line)
    }
    return convTranspose(
        x, weight, bias, stride: stride, padding: padding, outputPadding: outputPadding, groups: groups,
        dilation: dilation, op: "conv_transpose3d", file: file, line: line)
}

// MARK: - Pooling
