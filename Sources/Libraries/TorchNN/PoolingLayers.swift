import Torch
import TorchBase

// Pooling layers (`MaxPool2d`, `AvgPool2d`, `MaxUnpool2d`, adaptive pools): modules over the
// functions of Pooling.swift. Sizes may be `Int` literals or variables, `[Int]` or `SizeSpec`,
// positional as in PyTorch (`MaxPool2d(2, 2)`).

/// Max pooling over 1, 2 or 3 trailing dimensions (`MaxPool1d`, `MaxPool2d`, `MaxPool3d`).
public class MaxPoolNd: Module {
    let r: Int
    /// The pooling window's geometry (PyTorch's arguments; `stride` nil: the kernel size).
    public let kernelSize: SizeSpec, stride: SizeSpec?, padding: SizeSpec, dilation: SizeSpec, ceilMode: Bool
    /// Whether the module was made to give indices (`return_indices=True`); `withIndices(_:)`
    /// returns them, calling the module returns the values.
    public let returnIndices: Bool
    init(
        r: Int, _ kernelSize: any SizeSpecConvertible, stride: (any SizeSpecConvertible)?,
        padding: any SizeSpecConvertible, dilation: any SizeSpecConvertible, returnIndices: Bool, ceilMode: Bool
    ) {
        self.r = r
        self.kernelSize = kernelSize.sizeSpec
        self.stride = stride?.sizeSpec
        self.padding = padding.sizeSpec
        self.dilation = dilation.sizeSpec
        self.returnIndices = returnIndices
        self.ceilMode = ceilMode
        super.init()
    }
    public override var extraRepr: String {
        "kernel_size=\(reprSize(kernelSize)), stride=\(reprSize(stride ?? kernelSize)), padding=\(reprSize(padding)), "
            + "dilation=\(reprSize(dilation)), ceil_mode=\(reprBool(ceilMode))"
    }
    /// The maxima of the windows of `x`.
    public override func forward(_ x: Tensor) -> Tensor {
        maxPool(
            x, r: r, kernel: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
            op: "MaxPool\(r)d")
    }
    /// The maxima and where they are (`pool(x)` with `return_indices=True` in PyTorch), for
    /// `MaxUnpool`. `let (y, idx) = pool.withIndices(x)`
    public func withIndices(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> (
        values: Tensor, indices: Tensor
    ) {
        withHooks(x) { [self] x in
            maxPoolWithIndices(
                x, r: r, kernel: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
                op: "MaxPool\(r)d", file: file, line: line)
        }
    }
}

/// 1-D max pooling (`torch.nn.MaxPool1d`).
public final class MaxPool1d: MaxPoolNd {
    /// Max pooling over windows of `kernelSize`, arguments in PyTorch's order. `MaxPool1d(2)`
    public init(
        _ kernelSize: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
        padding: any SizeSpecConvertible = 0, dilation: any SizeSpecConvertible = 1, returnIndices: Bool = false,
        ceilMode: Bool = false
    ) {
        super.init(
            r: 1, kernelSize, stride: stride, padding: padding, dilation: dilation, returnIndices: returnIndices,
            ceilMode: ceilMode)
    }
    /// The positional spelling. `MaxPool1d(3, 2, 1)`
    public convenience init(
        _ kernelSize: any SizeSpecConvertible, _ stride: any SizeSpecConvertible,
        _ padding: any SizeSpecConvertible = 0, _ dilation: any SizeSpecConvertible = 1, returnIndices: Bool = false,
        ceilMode: Bool = false
    ) {
        self.init(
            kernelSize, stride: stride, padding: padding, dilation: dilation, returnIndices: returnIndices,
            ceilMode: ceilMode)
    }
}

/// 2-D max pooling (`torch.nn.MaxPool2d`).
public final class MaxPool2d: MaxPoolNd {
    /// Max pooling over `kernelSize` windows, arguments in PyTorch's order. `MaxPool2d(2, 2)`
    public init(
        _ kernelSize: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
        padding: any SizeSpecConvertible = 0, dilation: any SizeSpecConvertible = 1, returnIndices: Bool = false,
        ceilMode: Bool = false
    ) {
        super.init(
            r: 2, kernelSize, stride: stride, padding: padding, dilation: dilation, returnIndices: returnIndices,
            ceilMode: ceilMode)
    }
    /// The positional spelling. `MaxPool2d(3, 2, 1)`
    public convenience init(
        _ kernelSize: any SizeSpecConvertible, _ stride: any SizeSpecConvertible,
        _ padding: any SizeSpecConvertible = 0, _ dilation: any SizeSpecConvertible = 1, returnIndices: Bool = false,
        ceilMode: Bool = false
    ) {
        self.init(
            kernelSize, stride: stride, padding: padding, dilation: dilation, returnIndices: returnIndices,
            ceilMode: ceilMode)
    }
}

/// 3-D max pooling (`torch.nn.MaxPool3d`).
public final class MaxPool3d: MaxPoolNd {
    /// Max pooling over `kernelSize` windows of [N, C, D, H, W]. `MaxPool3d(2)`
    public init(
        _ kernelSize: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
        padding: any SizeSpecConvertible = 0, dilation: any SizeSpecConvertible = 1, returnIndices: Bool = false,
        ceilMode: Bool = false
    ) {
        super.init(
            r: 3, kernelSize, stride: stride, padding: padding, dilation: dilation, returnIndices: returnIndices,
            ceilMode: ceilMode)
    }
}

/// Average pooling over 1, 2 or 3 trailing dimensions (`AvgPool1d`, `AvgPool2d`, `AvgPool3d`).
public class AvgPoolNd: Module {
    let r: Int
    /// The pooling window's geometry (PyTorch's arguments).
    public let kernelSize: SizeSpec, stride: SizeSpec?, padding: SizeSpec, ceilMode: Bool, countIncludePad: Bool
    /// The divisor used instead of the window's size, if any.
    public let divisorOverride: Int?
    init(
        r: Int, _ kernelSize: any SizeSpecConvertible, stride: (any SizeSpecConvertible)?,
        padding: any SizeSpecConvertible, ceilMode: Bool, countIncludePad: Bool, divisorOverride: Int?
    ) {
        self.r = r
        self.kernelSize = kernelSize.sizeSpec
        self.stride = stride?.sizeSpec
        self.padding = padding.sizeSpec
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        self.divisorOverride = divisorOverride
        super.init()
    }
    public override var extraRepr: String {
        "kernel_size=\(reprSize(kernelSize)), stride=\(reprSize(stride ?? kernelSize)), padding=\(reprSize(padding))"
    }
    /// The averages of the windows of `x`.
    public override func forward(_ x: Tensor) -> Tensor {
        avgPool(
            x, r: r, kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
            countIncludePad: countIncludePad, divisorOverride: divisorOverride, op: "AvgPool\(r)d")
    }
}

/// 1-D average pooling (`torch.nn.AvgPool1d`).
public final class AvgPool1d: AvgPoolNd {
    /// Average pooling over windows of `kernelSize`, arguments in PyTorch's order. `AvgPool1d(2)`
    public init(
        _ kernelSize: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
        padding: any SizeSpecConvertible = 0, ceilMode: Bool = false, countIncludePad: Bool = true
    ) {
        super.init(
            r: 1, kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad,
            divisorOverride: nil)
    }
    /// The positional spelling. `AvgPool1d(3, 2)`
    public convenience init(
        _ kernelSize: any SizeSpecConvertible, _ stride: any SizeSpecConvertible,
        _ padding: any SizeSpecConvertible = 0, ceilMode: Bool = false, countIncludePad: Bool = true
    ) {
        self.init(kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

/// 2-D average pooling (`torch.nn.AvgPool2d`).
public final class AvgPool2d: AvgPoolNd {
    /// Average pooling over `kernelSize` windows, arguments in PyTorch's order. `AvgPool2d(2, 2)`
    public init(
        _ kernelSize: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
        padding: any SizeSpecConvertible = 0, ceilMode: Bool = false, countIncludePad: Bool = true,
        divisorOverride: Int? = nil
    ) {
        super.init(
            r: 2, kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad,
            divisorOverride: divisorOverride)
    }
    /// The positional spelling. `AvgPool2d(3, 2, 1)`
    public convenience init(
        _ kernelSize: any SizeSpecConvertible, _ stride: any SizeSpecConvertible,
        _ padding: any SizeSpecConvertible = 0, ceilMode: Bool = false, countIncludePad: Bool = true,
        divisorOverride: Int? = nil
    ) {
        self.init(
            kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad,
            divisorOverride: divisorOverride)
    }
}

/// 3-D average pooling (`torch.nn.AvgPool3d`).
public final class AvgPool3d: AvgPoolNd {
    /// Average pooling over `kernelSize` windows of [N, C, D, H, W]. `AvgPool3d(2)`
    public init(
        _ kernelSize: any SizeSpecConvertible, stride: (any SizeSpecConvertible)? = nil,
        padding: any SizeSpecConvertible = 0, ceilMode: Bool = false, countIncludePad: Bool = true,
        divisorOverride: Int? = nil
    ) {
        super.init(
            r: 3, kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad,
            divisorOverride: divisorOverride)
    }
}

/// The partial inverse of max pooling (`MaxUnpool1d`, `MaxUnpool2d`, `MaxUnpool3d`): called
/// with the values and indices a `MaxPool` gave.
///
/// ```swift
/// let pool = MaxPool2d(2, returnIndices: true), unpool = MaxUnpool2d(2)
/// let (y, idx) = pool.withIndices(x)
/// let back = unpool(y, idx)   // x's maxima in place, zeros elsewhere
/// ```
public class MaxUnpoolNd: Module, Forward2 {
    let r: Int
    /// The geometry of the pooling this undoes.
    public let kernelSize: SizeSpec, stride: SizeSpec?, padding: SizeSpec
    init(r: Int, _ k: any SizeSpecConvertible, _ s: (any SizeSpecConvertible)?, _ p: any SizeSpecConvertible) {
        (self.r, kernelSize, stride, padding) = (r, k.sizeSpec, s?.sizeSpec, p.sizeSpec)
        super.init()
    }
    /// Places `x`'s values where `indices` says, in an output of the default size.
    public func forward(_ x: Tensor, _ indices: Tensor) -> Tensor {
        maxUnpool(x, indices, r: r, kernel: kernelSize, stride: stride, padding: padding, op: "MaxUnpool\(r)d")
    }
    /// Places `x`'s values where `indices` says, in an output of `outputSize` (PyTorch's
    /// `output_size=`, to undo a pooling whose input size the default does not give back).
    public func callAsFunction(
        _ x: Tensor, _ indices: Tensor, outputSize: [Int], file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(x, indices) { [self] x, i in
            maxUnpool(
                x, i, r: r, kernel: kernelSize, stride: stride, padding: padding, outputSize: outputSize,
                op: "MaxUnpool\(r)d", file: file, line: line)
        }
    }
}

/// 1-D max unpooling (`torch.nn.MaxUnpool1d`).
public final class MaxUnpool1d: MaxUnpoolNd {
    /// Undoes `MaxPool1d(kernelSize, stride, padding)`. `MaxUnpool1d(2)`
    public init(
        _ kernelSize: any SizeSpecConvertible, _ stride: (any SizeSpecConvertible)? = nil,
        _ padding: any SizeSpecConvertible = 0
    ) { super.init(r: 1, kernelSize, stride, padding) }
}

/// 2-D max unpooling (`torch.nn.MaxUnpool2d`).
public final class MaxUnpool2d: MaxUnpoolNd {
    /// Undoes `MaxPool2d(kernelSize, stride, padding)`. `MaxUnpool2d(2, 2)`
    public init(
        _ kernelSize: any SizeSpecConvertible, _ stride: (any SizeSpecConvertible)? = nil,
        _ padding: any SizeSpecConvertible = 0
    ) { super.init(r: 2, kernelSize, stride, padding) }
}

/// 3-D max unpooling (`torch.nn.MaxUnpool3d`).
public final class MaxUnpool3d: MaxUnpoolNd {
    /// Undoes `MaxPool3d(kernelSize, stride, padding)`. `MaxUnpool3d(2)`
    public init(
        _ kernelSize: any SizeSpecConvertible, _ stride: (any SizeSpecConvertible)? = nil,
        _ padding: any SizeSpecConvertible = 0
    ) { super.init(r: 3, kernelSize, stride, padding) }
}

/// Adaptive average or max pooling to a fixed output size.
public class AdaptivePoolNd: Module {
    /// The number of bins per spatial dimension.
    public let outputSize: [Int]
    package let max: Bool
    init(_ outputSize: [Int], max: Bool) {
        self.outputSize = outputSize
        self.max = max
        super.init()
    }
    public override var extraRepr: String {
        "output_size=\(outputSize.count == 1 ? "\(outputSize[0])" : reprTuple(outputSize))"
    }
    /// The pooled bins of `x`.
    public override func forward(_ x: Tensor) -> Tensor {
        adaptivePool(x, outputSize, max: max, op: "Adaptive\(max ? "Max" : "Avg")Pool\(outputSize.count)d")
    }
}

/// Averages into a fixed number of bins (`torch.nn.AdaptiveAvgPool1d`).
public final class AdaptiveAvgPool1d: AdaptivePoolNd {
    /// Pooling into `out` bins. `AdaptiveAvgPool1d(1)`
    public init(_ out: Int) { super.init([out], max: false) }
}

/// Averages into a fixed grid (`torch.nn.AdaptiveAvgPool2d`).
public final class AdaptiveAvgPool2d: AdaptivePoolNd {
    /// Pooling into an `h`×`w` grid. `AdaptiveAvgPool2d(1, 1)`
    public init(_ h: Int, _ w: Int) { super.init([h, w], max: false) }
    /// Pooling into a square grid or one given as a list. `AdaptiveAvgPool2d(1)`
    public convenience init(_ size: any SizeSpecConvertible) {
        let s = size.sizeSpec.expand(2, "output_size", "AdaptiveAvgPool2d", file: #fileID, line: #line)
        self.init(s[0], s[1])
    }
}

/// Maxima over a fixed number of bins (`torch.nn.AdaptiveMaxPool1d`).
public final class AdaptiveMaxPool1d: AdaptivePoolNd {
    /// Pooling into `out` bins. `AdaptiveMaxPool1d(4)`
    public init(_ out: Int) { super.init([out], max: true) }
}

/// Maxima over a fixed grid (`torch.nn.AdaptiveMaxPool2d`).
public final class AdaptiveMaxPool2d: AdaptivePoolNd {
    /// Pooling into an `h`×`w` grid. `AdaptiveMaxPool2d(1, 1)`
    public init(_ h: Int, _ w: Int) { super.init([h, w], max: true) }
    /// Pooling into a square grid or one given as a list. `AdaptiveMaxPool2d(1)`
    public convenience init(_ size: any SizeSpecConvertible) {
        let s = size.sizeSpec.expand(2, "output_size", "AdaptiveMaxPool2d", file: #fileID, line: #line)
        self.init(s[0], s[1])
    }
}

/// Fractional max pooling as a module (`torch.nn.FractionalMaxPool2d`): new window placements on
/// every call. `FractionalMaxPool2d(3, outputRatio: [0.5, 0.5])`
public final class FractionalMaxPool2d: Module {
    /// The window, and the output size or its ratio to the input.
    public let kernelSize: SizeSpec, outputSize: SizeSpec?, outputRatio: [Double]?
    /// Whether the module was made to give indices; `withIndices(_:)` returns them.
    public let returnIndices: Bool
    /// Pooling with windows of `kernelSize` to `outputSize` or `outputRatio` (exactly one).
    public init(
        _ kernelSize: any SizeSpecConvertible, outputSize: (any SizeSpecConvertible)? = nil,
        outputRatio: [Double]? = nil, returnIndices: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) {
        if (outputSize == nil) == (outputRatio == nil) {
            torchFail(
                "FractionalMaxPool2d",
                "FractionalMaxPool2d requires specifying either an output size, or a pooling ratio", file: file,
                line: line)
        }
        if let r = outputRatio, r.contains(where: { !($0 > 0 && $0 < 1) }) {
            torchFail(
                "FractionalMaxPool2d", "output_ratio must be between 0 and 1 (got \(r))", file: file, line: line)
        }
        (self.kernelSize, self.outputSize, self.outputRatio) = (kernelSize.sizeSpec, outputSize?.sizeSpec, outputRatio)
        self.returnIndices = returnIndices
        super.init()
    }
    /// The maxima of randomly placed windows.
    public override func forward(_ x: Tensor) -> Tensor {
        fractionalMaxPool2d(x, kernelSize: kernelSize, outputSize: outputSize, outputRatio: outputRatio)
    }
    /// The maxima and where they are, for `MaxUnpool2d`.
    public func withIndices(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> (
        values: Tensor, indices: Tensor
    ) {
        withHooks(x) { [self] in
            fractionalMaxPool2dWithIndices(
                $0, kernelSize: kernelSize, outputSize: outputSize, outputRatio: outputRatio, file: file, line: line)
        }
    }
    public override var extraRepr: String {
        "kernel_size=\(reprSize(kernelSize)), "
            + (outputSize.map { "output_size=\(reprSize($0))" } ?? "output_ratio=\(outputRatio ?? [])")
    }
}
