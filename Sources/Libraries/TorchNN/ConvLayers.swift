import Torch
import TorchBase

/// Convolution over `r` spatial dimensions with PyTorch's default initialisation (Kaiming
/// uniform with a = √5, bias uniform in ±1/√fanIn). `Conv1d`, `Conv2d` and `Conv3d` fix `r`.
public class ConvNd: Module {
    /// The filters [out, in / groups, kernel...] (through their parametrizations, if any).
    public var weight: Tensor { tensor("weight") }
    /// One bias per output channel, or nil.
    public var bias: Tensor? { optionalTensor("bias") }
    /// The channels in and out, and the kernel's size.
    public let inChannels: Int, outChannels: Int, kernelSize: [Int]
    /// The convolution's geometry (as PyTorch's arguments).
    public let stride: [Int], dilation: [Int], padding: ConvPadding, groups: Int

    init(
        r: Int, _ inChannels: Int, _ outChannels: Int, kernelSize: any SizeSpecConvertible,
        stride: any SizeSpecConvertible, padding: any ConvPaddingConvertible,
        dilation: any SizeSpecConvertible, groups: Int, bias: Bool, dtype: DType, file: StaticString, line: UInt
    ) {
        let op = "Conv\(r)d"
        if groups < 1 || inChannels % groups != 0 || outChannels % groups != 0 {
            torchFail(
                op,
                "in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))",
                file: file, line: line)
        }
        let k = kernelSize.expand(r, "kernel_size", op, file: file, line: line)
        (self.inChannels, self.outChannels, self.kernelSize) = (inChannels, outChannels, k)
        let weight = Tensor.empty([outChannels, inChannels / groups] + k, dtype: dtype)
        Init.kaimingUniform_(weight)
        let bias = bias ? Init.defaultBias(outChannels, fanIn: inChannels / groups * k.product, dtype: dtype) : nil
        self.stride = stride.expand(r, "stride", op, file: file, line: line)
        self.dilation = dilation.expand(r, "dilation", op, file: file, line: line)
        self.padding = padding.convPadding
        self.groups = groups
        super.init()
        registerParameter("weight", weight)
        if let bias { registerParameter("bias", bias) }
    }

    /// PyTorch's repr: `1, 32, kernel_size=(3, 3), stride=(1, 1)` and the non-default options.
    public override var extraRepr: String {
        let k = kernelSize
        var s = "\(inChannels), \(outChannels), kernel_size=\(reprTuple(k)), stride=\(reprTuple(stride))"
        switch padding {
        case .same: s += ", padding=same"
        case .valid: s += ", padding=valid"
        case .explicit(let p):
            let full = p.count == 1 ? Array(repeating: p[0], count: k.count) : p
            if full.contains(where: { $0 != 0 }) { s += ", padding=\(reprTuple(full))" }
        }
        if dilation.contains(where: { $0 != 1 }) { s += ", dilation=\(reprTuple(dilation))" }
        if groups != 1 { s += ", groups=\(groups)" }
        if !hasTensor("bias") { s += ", bias=False" }
        return s
    }

    /// The convolution of `x` [N, C, spatial...] (or unbatched [C, spatial...]).
    public override func forward(_ x: Tensor) -> Tensor {
        conv(
            x, weight, bias, stride: SizeSpec(stride), padding: padding, dilation: SizeSpec(dilation), groups: groups,
            op: "Conv\(kernelSize.count)d")
    }
}

/// 1-D convolution of [N, C, L] inputs.
public final class Conv1d: ConvNd {
    /// A 1-D convolution from `inChannels` to `outChannels` (PyTorch's argument defaults).
    ///
    /// ```swift
    /// let conv = Conv1d(16, 32, kernelSize: 3, padding: 1)
    /// ```
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: any SizeSpecConvertible, stride: any SizeSpecConvertible = 1,
        padding: any ConvPaddingConvertible = 0,
        dilation: any SizeSpecConvertible = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        super.init(
            r: 1, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
            groups: groups, bias: bias, dtype: dtype, file: file, line: line)
    }

    /// The kernel size positional and the rest labelled, as `nn.Conv1d(3, 6, 5, padding=2)`.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, _ kernelSize: any SizeSpecConvertible,
        stride: any SizeSpecConvertible = 1, padding: any ConvPaddingConvertible = 0,
        dilation: any SizeSpecConvertible = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
            groups: groups, bias: bias, dtype: dtype, file: file, line: line)
    }

    /// PyTorch's positional spelling, `Conv1d(1, 32, 3, 1)`: kernel size, stride, padding,
    /// dilation and groups in `nn.Conv1d`'s order; any of them may be an `Int` variable.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, _ kernelSize: any SizeSpecConvertible,
        _ stride: any SizeSpecConvertible, _ padding: any ConvPaddingConvertible = 0,
        _ dilation: any SizeSpecConvertible = 1, _ groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
            groups: groups, bias: bias, dtype: dtype, file: file, line: line)
    }
}

/// 2-D convolution of [N, C, H, W] inputs.
///
/// ```swift
/// let conv = Conv2d(3, 16, kernelSize: 3, padding: .same)
/// ```
public final class Conv2d: ConvNd {
    /// A 2-D convolution from `inChannels` to `outChannels`, Kaiming-uniform initialised as PyTorch.
    ///
    /// ```swift
    /// let conv = Conv2d(3, 16, kernelSize: 3, padding: .same)
    /// ```
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: any SizeSpecConvertible, stride: any SizeSpecConvertible = 1,
        padding: any ConvPaddingConvertible = 0,
        dilation: any SizeSpecConvertible = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        super.init(
            r: 2, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
            groups: groups, bias: bias, dtype: dtype, file: file, line: line)
    }

    /// The kernel size positional and the rest labelled, as `nn.Conv2d(3, 6, 5, padding=2)`.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, _ kernelSize: any SizeSpecConvertible,
        stride: any SizeSpecConvertible = 1, padding: any ConvPaddingConvertible = 0,
        dilation: any SizeSpecConvertible = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
            groups: groups, bias: bias, dtype: dtype, file: file, line: line)
    }

    /// PyTorch's positional spelling, `Conv2d(1, 32, 3, 1)`: kernel size, stride, padding,
    /// dilation and groups in `nn.Conv2d`'s order; any of them may be an `Int` variable.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, _ kernelSize: any SizeSpecConvertible,
        _ stride: any SizeSpecConvertible, _ padding: any ConvPaddingConvertible = 0,
        _ dilation: any SizeSpecConvertible = 1, _ groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
            groups: groups, bias: bias, dtype: dtype, file: file, line: line)
    }
}

/// 3-D convolution of [N, C, D, H, W] inputs.
public final class Conv3d: ConvNd {
    /// A 3-D convolution from `inChannels` to `outChannels`.
    ///
    /// ```swift
    /// let conv = Conv3d(1, 8, kernelSize: 3)
    /// ```
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: any SizeSpecConvertible, stride: any SizeSpecConvertible = 1,
        padding: any ConvPaddingConvertible = 0,
        dilation: any SizeSpecConvertible = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        super.init(
            r: 3, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
            groups: groups, bias: bias, dtype: dtype, file: file, line: line)
    }

    /// The kernel size positional and the rest labelled, as `nn.Conv3d(3, 6, 5, padding=2)`.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, _ kernelSize: any SizeSpecConvertible,
        stride: any SizeSpecConvertible = 1, padding: any ConvPaddingConvertible = 0,
        dilation: any SizeSpecConvertible = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
            groups: groups, bias: bias, dtype: dtype, file: file, line: line)
    }

    /// PyTorch's positional spelling, `Conv3d(1, 32, 3, 1)`: kernel size, stride, padding,
    /// dilation and groups in `nn.Conv3d`'s order; any of them may be an `Int` variable.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, _ kernelSize: any SizeSpecConvertible,
        _ stride: any SizeSpecConvertible, _ padding: any ConvPaddingConvertible = 0,
        _ dilation: any SizeSpecConvertible = 1, _ groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
            groups: groups, bias: bias, dtype: dtype, file: file, line: line)
    }
}

/// Transposed convolution over `r` spatial dimensions; weight [Cin, Cout/groups, kernel...].
public class ConvTransposeNd: Module {
    /// The filters [in, out / groups, kernel...] (through their parametrizations, if any).
    public var weight: Tensor { tensor("weight") }
    /// One bias per output channel, or nil.
    public var bias: Tensor? { optionalTensor("bias") }
    /// The channels in and out, and the kernel's size.
    public let inChannels: Int, outChannels: Int, kernelSize: [Int]
    /// The transposed convolution's geometry (as PyTorch's arguments).
    public let stride: [Int], padding: [Int], outputPadding: [Int], dilation: [Int], groups: Int

    init(
        r: Int, _ inChannels: Int, _ outChannels: Int, kernelSize: any SizeSpecConvertible,
        stride: any SizeSpecConvertible, padding: any SizeSpecConvertible,
        outputPadding: any SizeSpecConvertible, groups: Int, bias: Bool, dilation: any SizeSpecConvertible,
        dtype: DType, file: StaticString,
        line: UInt
    ) {
        let op = "ConvTranspose\(r)d"
        if groups < 1 || inChannels % groups != 0 || outChannels % groups != 0 {
            torchFail(
                op,
                "in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))",
                file: file, line: line)
        }
        let k = kernelSize.expand(r, "kernel_size", op, file: file, line: line)
        (self.inChannels, self.outChannels, self.kernelSize) = (inChannels, outChannels, k)
        let weight = Tensor.empty([inChannels, outChannels / groups] + k, dtype: dtype)
        Init.kaimingUniform_(weight)
        let bias = bias ? Init.defaultBias(outChannels, fanIn: outChannels / groups * k.product, dtype: dtype) : nil
        self.stride = stride.expand(r, "stride", op, file: file, line: line)
        self.padding = padding.expand(r, "padding", op, file: file, line: line)
        self.outputPadding = outputPadding.expand(r, "output_padding", op, file: file, line: line)
        self.dilation = dilation.expand(r, "dilation", op, file: file, line: line)
        self.groups = groups
        super.init()
        registerParameter("weight", weight)
        if let bias { registerParameter("bias", bias) }
    }

    /// PyTorch's repr: `64, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1)`.
    public override var extraRepr: String {
        let k = kernelSize
        var s = "\(inChannels), \(outChannels), kernel_size=\(reprTuple(k)), stride=\(reprTuple(stride))"
        if padding.contains(where: { $0 != 0 }) { s += ", padding=\(reprTuple(padding))" }
        if outputPadding.contains(where: { $0 != 0 }) { s += ", output_padding=\(reprTuple(outputPadding))" }
        if dilation.contains(where: { $0 != 1 }) { s += ", dilation=\(reprTuple(dilation))" }
        if groups != 1 { s += ", groups=\(groups)" }
        if !hasTensor("bias") { s += ", bias=False" }
        return s
    }

    /// The transposed convolution (the gradient of a convolution) of `x`.
    public override func forward(_ x: Tensor) -> Tensor {
        convTranspose(
            x, weight, bias, stride: SizeSpec(stride), padding: SizeSpec(padding),
            outputPadding: SizeSpec(outputPadding),
            groups: groups, dilation: SizeSpec(dilation), op: "ConvTranspose\(kernelSize.count)d")
    }
}

/// A 1-D transposed convolution (`torch.nn.ConvTranspose1d`).
public final class ConvTranspose1d: ConvTransposeNd {
    /// A 1-D transposed convolution from `inChannels` to `outChannels`.
    ///
    /// ```swift
    /// let up = ConvTranspose1d(8, 4, kernelSize: 2, stride: 2)
    /// ```
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: any SizeSpecConvertible, stride: any SizeSpecConvertible = 1,
        padding: any SizeSpecConvertible = 0,
        outputPadding: any SizeSpecConvertible = 0, groups: Int = 1, bias: Bool = true,
        dilation: any SizeSpecConvertible = 1,
        dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        super.init(
            r: 1, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
            outputPadding: outputPadding,
            groups: groups, bias: bias, dilation: dilation, dtype: dtype, file: file, line: line)
    }

    /// The kernel size positional and the rest labelled, as `nn.ConvTranspose1d(64, 32, 4, stride=2)`.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, _ kernelSize: any SizeSpecConvertible,
        stride: any SizeSpecConvertible = 1, padding: any SizeSpecConvertible = 0,
        outputPadding: any SizeSpecConvertible = 0, groups: Int = 1, bias: Bool = true,
        dilation: any SizeSpecConvertible = 1, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
            outputPadding: outputPadding, groups: groups, bias: bias, dilation: dilation, dtype: dtype, file: file,
            line: line)
    }

    /// PyTorch's positional spelling, `ConvTranspose1d(64, 32, 4, 2, 1)`: kernel size, stride,
    /// padding, output padding and groups in `nn.ConvTranspose1d`'s order.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, _ kernelSize: any SizeSpecConvertible,
        _ stride: any SizeSpecConvertible, _ padding: any SizeSpecConvertible = 0,
        _ outputPadding: any SizeSpecConvertible = 0, _ groups: Int = 1, bias: Bool = true,
        dilation: any SizeSpecConvertible = 1, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
            outputPadding: outputPadding, groups: groups, bias: bias, dilation: dilation, dtype: dtype, file: file,
            line: line)
    }
}

/// A 2-D transposed convolution (`torch.nn.ConvTranspose2d`).
public final class ConvTranspose2d: ConvTransposeNd {
    /// A 2-D transposed convolution from `inChannels` to `outChannels`.
    ///
    /// ```swift
    /// let up = ConvTranspose2d(16, 8, kernelSize: 2, stride: 2)
    /// ```
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: any SizeSpecConvertible, stride: any SizeSpecConvertible = 1,
        padding: any SizeSpecConvertible = 0,
        outputPadding: any SizeSpecConvertible = 0, groups: Int = 1, bias: Bool = true,
        dilation: any SizeSpecConvertible = 1,
        dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        super.init(
            r: 2, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
            outputPadding: outputPadding,
            groups: groups, bias: bias, dilation: dilation, dtype: dtype, file: file, line: line)
    }

    /// The kernel size positional and the rest labelled, as `nn.ConvTranspose2d(64, 32, 4, stride=2)`.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, _ kernelSize: any SizeSpecConvertible,
        stride: any SizeSpecConvertible = 1, padding: any SizeSpecConvertible = 0,
        outputPadding: any SizeSpecConvertible = 0, groups: Int = 1, bias: Bool = true,
        dilation: any SizeSpecConvertible = 1, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
            outputPadding: outputPadding, groups: groups, bias: bias, dilation: dilation, dtype: dtype, file: file,
            line: line)
    }

    /// PyTorch's positional spelling, `ConvTranspose2d(64, 32, 4, 2, 1)`: kernel size, stride,
    /// padding, output padding and groups in `nn.ConvTranspose2d`'s order.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, _ kernelSize: any SizeSpecConvertible,
        _ stride: any SizeSpecConvertible, _ padding: any SizeSpecConvertible = 0,
        _ outputPadding: any SizeSpecConvertible = 0, _ groups: Int = 1, bias: Bool = true,
        dilation: any SizeSpecConvertible = 1, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
            outputPadding: outputPadding, groups: groups, bias: bias, dilation: dilation, dtype: dtype, file: file,
            line: line)
    }
}

/// A 3-D transposed convolution (`torch.nn.ConvTranspose3d`).
public final class ConvTranspose3d: ConvTransposeNd {
    /// A 3-D transposed convolution from `inChannels` to `outChannels`.
    ///
    /// ```swift
    /// let up = ConvTranspose3d(16, 8, kernelSize: 2, stride: 2)
    /// ```
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: any SizeSpecConvertible, stride: any SizeSpecConvertible = 1,
        padding: any SizeSpecConvertible = 0,
        outputPadding: any SizeSpecConvertible = 0, groups: Int = 1, bias: Bool = true,
        dilation: any SizeSpecConvertible = 1,
        dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        super.init(
            r: 3, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
            outputPadding: outputPadding,
            groups: groups, bias: bias, dilation: dilation, dtype: dtype, file: file, line: line)
    }

    /// The kernel size positional and the rest labelled, as `nn.ConvTranspose3d(16, 8, 2, stride=2)`.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, _ kernelSize: any SizeSpecConvertible,
        stride: any SizeSpecConvertible = 1, padding: any SizeSpecConvertible = 0,
        outputPadding: any SizeSpecConvertible = 0, groups: Int = 1, bias: Bool = true,
        dilation: any SizeSpecConvertible = 1, dtype: DType = .float32,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
            outputPadding: outputPadding, groups: groups, bias: bias, dilation: dilation, dtype: dtype, file: file,
            line: line)
    }
}

/// A size list as Python prints a tuple: `(3, 3)`, `(3,)`.
func reprTuple(_ v: [Int]) -> String {
    v.count == 1 ? "(\(v[0]),)" : "(" + v.map(String.init).joined(separator: ", ") + ")"
}

/// A `SizeSpec` as PyTorch's repr prints the argument it was given: `2` or `(2, 3)`.
func reprSize(_ s: SizeSpec) -> String { s.values.count == 1 ? "\(s.values[0])" : reprTuple(s.values) }

/// A Python bool.
func reprBool(_ b: Bool) -> String { b ? "True" : "False" }

/// A convolution equal to `conv` followed by `bn` in evaluation mode, in one layer
/// (`torch.nn.utils.fuse_conv_bn_eval`): the weights scaled per output channel by
/// `γ / √(running_var + ε)` and the bias shifted to `(b − running_mean)·γ/√(var + ε) + β`. Both
/// modules must be in evaluation mode; the originals are left as they are.
///
/// ```swift
/// let fused = fuseConvBnEval(conv.eval(), bn.eval())
/// ```
public func fuseConvBnEval(
    _ conv: ConvNd, _ bn: BatchNorm, file: StaticString = #fileID, line: UInt = #line
) -> ConvNd {
    if conv.training || bn.training { torchFail("fuse_conv_bn_eval", "Fusion only for eval!", file: file, line: line) }
    guard let mean = bn.runningMean, let variance = bn.runningVar else {
        torchFail("fuse_conv_bn_eval", "the batch norm has no running statistics", file: file, line: line)
    }
    let r = conv.weight.rank - 2
    let k = SizeSpec(Array(conv.weight.shape[2...]))
    let (inChannels, outChannels) = (conv.weight.shape[1] * conv.groups, conv.weight.shape[0])
    let (st, dil, dt) = (SizeSpec(conv.stride), SizeSpec(conv.dilation), conv.weight.dtype)
    let fused: ConvNd
    switch r {
    case 1:
        fused = Conv1d(
            inChannels, outChannels, kernelSize: k, stride: st, padding: conv.padding, dilation: dil,
            groups: conv.groups, dtype: dt)
    case 2:
        fused = Conv2d(
            inChannels, outChannels, kernelSize: k, stride: st, padding: conv.padding, dilation: dil,
            groups: conv.groups, dtype: dt)
    default:
        fused = Conv3d(
            inChannels, outChannels, kernelSize: k, stride: st, padding: conv.padding, dilation: dil,
            groups: conv.groups, dtype: dt)
    }
    fused.train(false)
    Torch.noGrad {
        let gamma = bn.weight ?? Tensor.onesLike(mean)
        let beta = bn.bias ?? Tensor.zerosLike(mean)
        let scale = gamma * (variance + bn.eps).rsqrt()
        let shape = [outChannels] + Array(repeating: 1, count: r + 1)
        _ = fused.weight.copy_(conv.weight * scale.reshape(shape))
        let b = conv.bias ?? Tensor.zerosLike(mean)
        _ = fused.bias!.copy_((b - mean) * scale + beta)
    }
    return fused
}
