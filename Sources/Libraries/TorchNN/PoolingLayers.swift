import Torch
import TorchBase

// Pooling layers (`MaxPool2d`, `AvgPool2d`, adaptive pools): modules over the functions of Pooling.swift.

/// Max pooling over 1 or 2 trailing dimensions (`MaxPool1d`, `MaxPool2d`).
public class MaxPoolNd: Module {
    let r: Int
    /// The pooling window's geometry (PyTorch's arguments; `stride` nil: the kernel size).
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
    /// The maxima of the windows of `x`.
    public override func forward(_ x: Tensor) -> Tensor {
        maxPool(
            x, r: r, kernel: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
            op: "MaxPool\(r)d")
    }
}

/// 1-D max pooling (`torch.nn.MaxPool1d`).
public final class MaxPool1d: MaxPoolNd {
    /// Max pooling over windows of `kernelSize`. ```MaxPool1d(2)```
    public init(
        _ kernelSize: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, dilation: SizeSpec = 1,
        ceilMode: Bool = false
    ) {
        super.init(r: 1, kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
}

/// 2-D max pooling (`torch.nn.MaxPool2d`).
public final class MaxPool2d: MaxPoolNd {
    /// Max pooling over `kernelSize` windows. ```MaxPool2d(2)```
    public init(
        _ kernelSize: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, dilation: SizeSpec = 1,
        ceilMode: Bool = false
    ) {
        super.init(r: 2, kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
}

/// Average pooling over 1 or 2 trailing dimensions (`AvgPool1d`, `AvgPool2d`).
public class AvgPoolNd: Module {
    let r: Int
    /// The pooling window's geometry (PyTorch's arguments).
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
    /// The averages of the windows of `x`.
    public override func forward(_ x: Tensor) -> Tensor {
        avgPool(
            x, r: r, kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
            countIncludePad: countIncludePad, op: "AvgPool\(r)d")
    }
}

/// 1-D average pooling (`torch.nn.AvgPool1d`).
public final class AvgPool1d: AvgPoolNd {
    /// Average pooling over windows of `kernelSize`. ```AvgPool1d(2)```
    public init(
        _ kernelSize: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, ceilMode: Bool = false,
        countIncludePad: Bool = true
    ) {
        super.init(
            r: 1, kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

/// 2-D average pooling (`torch.nn.AvgPool2d`).
public final class AvgPool2d: AvgPoolNd {
    /// Average pooling over `kernelSize` windows. ```AvgPool2d(2)```
    public init(
        _ kernelSize: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, ceilMode: Bool = false,
        countIncludePad: Bool = true
    ) {
        super.init(
            r: 2, kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

/// Adaptive average or max pooling to a fixed output size.
public class AdaptivePoolNd: Module {
    /// The number of bins per spatial dimension.
    public let outputSize: [Int]
    let max: Bool
    init(_ outputSize: [Int], max: Bool) {
        self.outputSize = outputSize
        self.max = max
        super.init()
    }
    /// The pooled bins of `x`.
    public override func forward(_ x: Tensor) -> Tensor {
        adaptivePool(x, outputSize, max: max, op: "Adaptive\(max ? "Max" : "Avg")Pool\(outputSize.count)d")
    }
}

/// Averages into a fixed number of bins (`torch.nn.AdaptiveAvgPool1d`).
public final class AdaptiveAvgPool1d: AdaptivePoolNd {
    /// Pooling into `out` bins. ```AdaptiveAvgPool1d(1)```
    public init(_ out: Int) { super.init([out], max: false) }
}

/// Averages into a fixed grid (`torch.nn.AdaptiveAvgPool2d`).
public final class AdaptiveAvgPool2d: AdaptivePoolNd {
    /// Pooling into an `h`×`w` grid. ```AdaptiveAvgPool2d(1, 1)```
    public init(_ h: Int, _ w: Int) { super.init([h, w], max: false) }
}

/// Maxima over a fixed number of bins (`torch.nn.AdaptiveMaxPool1d`).
public final class AdaptiveMaxPool1d: AdaptivePoolNd {
    /// Pooling into `out` bins. ```AdaptiveMaxPool1d(4)```
    public init(_ out: Int) { super.init([out], max: true) }
}

/// Maxima over a fixed grid (`torch.nn.AdaptiveMaxPool2d`).
public final class AdaptiveMaxPool2d: AdaptivePoolNd {
    /// Pooling into an `h`×`w` grid. ```AdaptiveMaxPool2d(1, 1)```
    public init(_ h: Int, _ w: Int) { super.init([h, w], max: true) }
}
