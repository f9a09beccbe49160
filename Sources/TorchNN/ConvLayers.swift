import Torch
import TorchBase

/// Convolution over `r` spatial dimensions with PyTorch's default initialisation (Kaiming
/// uniform with a = √5, bias uniform in ±1/√fanIn). `Conv1d`, `Conv2d` and `Conv3d` fix `r`.
public class ConvNd: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: [Int], dilation: [Int], padding: ConvPadding, groups: Int

    init(r: Int, _ inChannels: Int, _ outChannels: Int, kernelSize: SizeSpec, stride: SizeSpec, padding: ConvPadding,
         dilation: SizeSpec, groups: Int, bias: Bool, dtype: DType, file: StaticString, line: UInt) {
        let op = "Conv\(r)d"
        if groups < 1 || inChannels % groups != 0 || outChannels % groups != 0 {
            torchFail(op, "in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))", file: file, line: line)
        }
        let k = kernelSize.expand(r, "kernel_size", op, file: file, line: line)
        weight = Tensor.empty([outChannels, inChannels / groups] + k, dtype: dtype)
        Init.kaimingUniform_(weight)
        self.bias = bias ? Init.defaultBias(outChannels, fanIn: inChannels / groups * k.product, dtype: dtype) : nil
        self.stride = stride.expand(r, "stride", op, file: file, line: line)
        self.dilation = dilation.expand(r, "dilation", op, file: file, line: line)
        self.padding = padding
        self.groups = groups
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public override func forward(_ x: Tensor) -> Tensor {
        conv(x, weight, bias, stride: SizeSpec(stride), padding: padding, dilation: SizeSpec(dilation), groups: groups,
             op: "Conv\(weight.rank - 2)d")
    }
}

/// 1-D convolution of [N, C, L] inputs.
public final class Conv1d: ConvNd {
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: SizeSpec, stride: SizeSpec = 1, padding: ConvPadding = 0,
                dilation: SizeSpec = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        super.init(r: 1, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                   groups: groups, bias: bias, dtype: dtype, file: file, line: line)
    }
}

/// 2-D convolution of [N, C, H, W] inputs.
///
/// ```swift
/// let conv = Conv2d(3, 16, kernelSize: 3, padding: .same)
/// ```
public final class Conv2d: ConvNd {
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: SizeSpec, stride: SizeSpec = 1, padding: ConvPadding = 0,
                dilation: SizeSpec = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        super.init(r: 2, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                   groups: groups, bias: bias, dtype: dtype, file: file, line: line)
    }
}

/// 3-D convolution of [N, C, D, H, W] inputs.
public final class Conv3d: ConvNd {
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: SizeSpec, stride: SizeSpec = 1, padding: ConvPadding = 0,
                dilation: SizeSpec = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        super.init(r: 3, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                   groups: groups, bias: bias, dtype: dtype, file: file, line: line)
    }
}

/// Transposed convolution over `r` spatial dimensions; weight [Cin, Cout/groups, kernel...].
public class ConvTransposeNd: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: [Int], padding: [Int], outputPadding: [Int], dilation: [Int], groups: Int

    init(r: Int, _ inChannels: Int, _ outChannels: Int, kernelSize: SizeSpec, stride: SizeSpec, padding: SizeSpec,
         outputPadding: SizeSpec, groups: Int, bias: Bool, dilation: SizeSpec, dtype: DType, file: StaticString, line: UInt) {
        let op = "ConvTranspose\(r)d"
        if groups < 1 || inChannels % groups != 0 || outChannels % groups != 0 {
            torchFail(op, "in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))", file: file, line: line)
        }
        let k = kernelSize.expand(r, "kernel_size", op, file: file, line: line)
        weight = Tensor.empty([inChannels, outChannels / groups] + k, dtype: dtype)
        Init.kaimingUniform_(weight)
        self.bias = bias ? Init.defaultBias(outChannels, fanIn: outChannels / groups * k.product, dtype: dtype) : nil
        self.stride = stride.expand(r, "stride", op, file: file, line: line)
        self.padding = padding.expand(r, "padding", op, file: file, line: line)
        self.outputPadding = outputPadding.expand(r, "output_padding", op, file: file, line: line)
        self.dilation = dilation.expand(r, "dilation", op, file: file, line: line)
        self.groups = groups
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public override func forward(_ x: Tensor) -> Tensor {
        convTranspose(x, weight, bias, stride: SizeSpec(stride), padding: SizeSpec(padding), outputPadding: SizeSpec(outputPadding),
                      groups: groups, dilation: SizeSpec(dilation), op: "ConvTranspose\(weight.rank - 2)d")
    }
}

public final class ConvTranspose1d: ConvTransposeNd {
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: SizeSpec, stride: SizeSpec = 1, padding: SizeSpec = 0,
                outputPadding: SizeSpec = 0, groups: Int = 1, bias: Bool = true, dilation: SizeSpec = 1, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        super.init(r: 1, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, outputPadding: outputPadding,
                   groups: groups, bias: bias, dilation: dilation, dtype: dtype, file: file, line: line)
    }
}

public final class ConvTranspose2d: ConvTransposeNd {
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: SizeSpec, stride: SizeSpec = 1, padding: SizeSpec = 0,
                outputPadding: SizeSpec = 0, groups: Int = 1, bias: Bool = true, dilation: SizeSpec = 1, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        super.init(r: 2, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, outputPadding: outputPadding,
                   groups: groups, bias: bias, dilation: dilation, dtype: dtype, file: file, line: line)
    }
}

/// Max pooling over 1 or 2 trailing dimensions (`MaxPool1d`, `MaxPool2d`).
public class MaxPoolNd: Module {
    let r: Int
    public let kernelSize: SizeSpec, stride: SizeSpec?, padding: SizeSpec, dilation: SizeSpec, ceilMode: Bool
    init(r: Int, _ kernelSize: SizeSpec, stride: SizeSpec?, padding: SizeSpec, dilation: SizeSpec, ceilMode: Bool) {
        self.r = r
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
        super.init()
    }
    public override func forward(_ x: Tensor) -> Tensor {
        maxPool(x, r: r, kernel: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode, op: "MaxPool\(r)d")
    }
}

public final class MaxPool1d: MaxPoolNd {
    public init(_ kernelSize: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, dilation: SizeSpec = 1, ceilMode: Bool = false) {
        super.init(r: 1, kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
}

public final class MaxPool2d: MaxPoolNd {
    public init(_ kernelSize: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, dilation: SizeSpec = 1, ceilMode: Bool = false) {
        super.init(r: 2, kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
}

/// Average pooling over 1 or 2 trailing dimensions (`AvgPool1d`, `AvgPool2d`).
public class AvgPoolNd: Module {
    let r: Int
    public let kernelSize: SizeSpec, stride: SizeSpec?, padding: SizeSpec, ceilMode: Bool, countIncludePad: Bool
    init(r: Int, _ kernelSize: SizeSpec, stride: SizeSpec?, padding: SizeSpec, ceilMode: Bool, countIncludePad: Bool) {
        self.r = r
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        super.init()
    }
    public override func forward(_ x: Tensor) -> Tensor {
        avgPool(x, r: r, kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
                countIncludePad: countIncludePad, op: "AvgPool\(r)d")
    }
}

public final class AvgPool1d: AvgPoolNd {
    public init(_ kernelSize: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        super.init(r: 1, kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

public final class AvgPool2d: AvgPoolNd {
    public init(_ kernelSize: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        super.init(r: 2, kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

/// Adaptive average or max pooling to a fixed output size.
public class AdaptivePoolNd: Module {
    public let outputSize: [Int]
    let max: Bool
    init(_ outputSize: [Int], max: Bool) {
        self.outputSize = outputSize
        self.max = max
        super.init()
    }
    public override func forward(_ x: Tensor) -> Tensor {
        adaptivePool(x, outputSize, max: max, op: "Adaptive\(max ? "Max" : "Avg")Pool\(outputSize.count)d")
    }
}

public final class AdaptiveAvgPool1d: AdaptivePoolNd {
    public init(_ out: Int) { super.init([out], max: false) }
}

public final class AdaptiveAvgPool2d: AdaptivePoolNd {
    public init(_ h: Int, _ w: Int) { super.init([h, w], max: false) }
}

public final class AdaptiveMaxPool1d: AdaptivePoolNd {
    public init(_ out: Int) { super.init([out], max: true) }
}

public final class AdaptiveMaxPool2d: AdaptivePoolNd {
    public init(_ h: Int, _ w: Int) { super.init([h, w], max: true) }
}
