import Torch
import TorchBase

// Pooling layers (`MaxPool2d`, `AvgPool2d`, adaptive pools): modules over the functions of Pooling.swift.

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
        maxPool(
            x, r: r, kernel: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
            op: "MaxPool\(r)d")
    }
}

public final class MaxPool1d: MaxPoolNd {
    public init(
        _ kernelSize: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, dilation: SizeSpec = 1,
        ceilMode: Bool = false
    ) {
        super.init(r: 1, kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
}

public final class MaxPool2d: MaxPoolNd {
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
        avgPool(
            x, r: r, kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
            countIncludePad: countIncludePad, op: "AvgPool\(r)d")
    }
}

public final class AvgPool1d: AvgPoolNd {
    public init(
        _ kernelSize: SizeSpec, stride: SizeSpec? = nil, padding: SizeSpec = 0, ceilMode: Bool = false,
        countIncludePad: Bool = true
    ) {
        super.init(
            r: 1, kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

public final class AvgPool2d: AvgPoolNd {
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
