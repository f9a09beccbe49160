import Torch
import TorchBase

// The functional convolutions and pools as traced nodes (Note [Tracing] in Torch): one node
// each, with their geometry as attributes expanded to one value per spatial dim, so that
// `maxPool2d(x, 2)` in a forward is exported like the MaxPool2d layer.

extension SizeSpec {
    /// One size per dimension of `r`.
    package func repeated(_ r: Int) -> [Int] { values.count == 1 ? Array(repeating: values[0], count: r) : values }
}

/// The attributes of a pool: kernel, stride (the kernel's by default) and padding.
func poolAttributes(
    _ r: Int, _ kernel: any SizeSpecConvertible, _ stride: (any SizeSpecConvertible)?,
    _ padding: any SizeSpecConvertible
) -> [(String, TraceAttribute)] {
    let k = kernel.sizeSpec.repeated(r)
    return [
        ("kernel", .ints(k)), ("stride", .ints(stride?.sizeSpec.repeated(r) ?? k)),
        ("padding", .ints(padding.sizeSpec.repeated(r))),
    ]
}

/// Records a convolution (`conv1d`/`conv2d`/`conv3d`) with its geometry; `run` is the op.
func tracedConv(
    _ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ stride: any SizeSpecConvertible,
    _ padding: any ConvPaddingConvertible, _ dilation: any SizeSpecConvertible, _ groups: Int,
    _ file: StaticString, _ line: UInt, _ run: @escaping ([Tensor]) -> Tensor
) -> Tensor {
    let r = weight.rank - 2
    var attrs: [(String, TraceAttribute)] = [
        ("stride", .ints(stride.sizeSpec.repeated(r))), ("dilation", .ints(dilation.sizeSpec.repeated(r))),
        ("groups", .int(groups)),
    ]
    switch padding.convPadding {
    case .explicit(let p): attrs.append(("padding", .ints(SizeSpec(p).repeated(r))))
    case .valid: attrs.append(("padding", .ints(Array(repeating: 0, count: r))))
    case .same: attrs.append(("padding", .string("same")))
    }
    return Tracing.record1(
        "conv\(r)d", bias.map { [x, weight, $0] } ?? [x, weight], attrs, file: file, line: line, run)
}
