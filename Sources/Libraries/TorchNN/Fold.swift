import Torch
import TorchBase

// `unfold` (im2col) and `fold` (col2im) in PyTorch's layout: blocks as columns of an
// [N, C·kh·kw, L] tensor, L the number of sliding blocks; built on core's im2col/col2im pair.

/// The sliding blocks of a batched [N, C, H, W] (or unbatched [C, H, W]) input as columns:
/// [N, C·kh·kw, L] (`torch.nn.functional.unfold`).
///
/// ```swift
/// unfold(Tensor.randn([1, 3, 4, 4]), kernelSize: 2)   // [1, 12, 9]
/// ```
public func unfold(
    _ input: Tensor, kernelSize: any SizeSpecConvertible, dilation: any SizeSpecConvertible = 1,
    padding: any SizeSpecConvertible = 0, stride: any SizeSpecConvertible = 1,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if (input.rank != 3 && input.rank != 4) || input.shape.dropFirst(input.rank - 3).contains(0) {
        torchFail(
            "unfold",
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, "
                + "but got: \(input.shape)", file: file, line: line)
    }
    let g = FoldGeometry(kernelSize, dilation, padding, stride, "unfold", file: file, line: line)
    let x = input.rank == 3 ? input.unsqueeze(0) : input
    let out = g.blocks([x.shape[2], x.shape[3]])
    if out.contains(where: { $0 < 1 }) {
        torchFail(
            "unfold",
            "Given input with spatial size (\(x.shape[2]), \(x.shape[3])), kernel_size=\(g.tuple(g.window.kernel)), "
                + "dilation=\(g.tuple(g.window.dilation)), padding=\(g.tuple(g.padding)), calculated shape of the "
                + "array of sliding blocks as (\(out[0]), \(out[1])), but its components must be at least one.",
            file: file, line: line)
    }
    input.requireKernel("unfold", "im2col_out_cpu", .floating, file: file, line: line)
    let padded = g.padding.allSatisfy { $0 == 0 } ? x : x.pad([g.padding[1], g.padding[1], g.padding[0], g.padding[0]])
    let (n, c) = (x.shape[0], x.shape[1])
    let blocks = out.product
    // [C·K, N·L] → [N, C·K, L].
    let cols = padded.im2col(g.window, file: file, line: line).view([c * g.window.volume, n, blocks]).permute([1, 0, 2])
    return input.rank == 3 ? cols.squeeze(0) : cols
}

/// Sums the columns of an [N, C·kh·kw, L] (or [C·kh·kw, L]) tensor back into an [N, C, H, W]
/// image of `outputSize` (`torch.nn.functional.fold`, the adjoint of `unfold`).
///
/// ```swift
/// fold(unfold(x, kernelSize: 2), outputSize: [4, 4], kernelSize: 2)   // overlaps summed
/// ```
public func fold(
    _ input: Tensor, outputSize: any SizeSpecConvertible, kernelSize: any SizeSpecConvertible,
    dilation: any SizeSpecConvertible = 1, padding: any SizeSpecConvertible = 0,
    stride: any SizeSpecConvertible = 1, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if Tracing.isOn {
        let attrs: [(String, TraceAttribute)] = [
            ("output_size", .ints(outputSize.sizeSpec.repeated(2))),
            ("kernel_size", .ints(kernelSize.sizeSpec.repeated(2))),
            ("dilation", .ints(dilation.sizeSpec.repeated(2))), ("padding", .ints(padding.sizeSpec.repeated(2))),
            ("stride", .ints(stride.sizeSpec.repeated(2))),
        ]
        return Tracing.record1("fold", [input], attrs, file: file, line: line) {
            fold(
                $0[0], outputSize: outputSize, kernelSize: kernelSize, dilation: dilation, padding: padding,
                stride: stride, file: file, line: line)
        }
    }
    if (input.rank != 2 && input.rank != 3) || input.shape.dropFirst(input.rank - 2).contains(0) {
        torchFail(
            "fold",
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for "
                + "input, but got: \(input.shape)", file: file, line: line)
    }
    let g = FoldGeometry(kernelSize, dilation, padding, stride, "fold", file: file, line: line)
    let size = outputSize.expand(2, "output_size", "fold", file: file, line: line)
    let x = input.rank == 2 ? input.unsqueeze(0) : input
    let k = g.window.volume
    if x.shape[1] % k != 0 {
        torchFail(
            "fold",
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got "
                + "input.size(1)=\(x.shape[1]) and kernel_size=\(g.tuple(g.window.kernel))", file: file, line: line)
    }
    input.requireKernel("fold", "col2im_out_cpu", .floating, file: file, line: line)
    let paddedSize = [size[0] + 2 * g.padding[0], size[1] + 2 * g.padding[1]]
    let out = g.blocks(size)
    if x.shape[2] != out.product || out.contains(where: { $0 < 1 }) {
        torchFail(
            "fold",
            "Given output_size=\(g.tuple(size)), kernel_size=\(g.tuple(g.window.kernel)), "
                + "dilation=\(g.tuple(g.window.dilation)), padding=\(g.tuple(g.padding)), "
                + "stride=\(g.tuple(g.window.stride)), expected size of input's dimension 2 to match the calculated "
                + "number of sliding blocks \(out[0]) * \(out[1]) = \(out.product), but got "
                + "input.size(2)=\(x.shape[2]).",
            file: file, line: line)
    }
    let (n, c) = (x.shape[0], x.shape[1] / k)
    let cols = x.permute([1, 0, 2]).reshape([c * k, n * out.product])
    var image = Tensor.col2im(cols, shape: [n, c] + paddedSize, g.window, file: file, line: line)
    if g.padding.contains(where: { $0 != 0 }) {
        image = image.narrow(2, start: g.padding[0], length: size[0]).narrow(3, start: g.padding[1], length: size[1])
    }
    return input.rank == 2 ? image.squeeze(0) : image
}

/// The 2-D window of `fold`/`unfold` (kernel, dilation, stride) and its padding.
struct FoldGeometry {
    let window: WindowGeometry
    let padding: [Int]

    init(
        _ kernel: any SizeSpecConvertible, _ dilation: any SizeSpecConvertible, _ padding: any SizeSpecConvertible,
        _ stride: any SizeSpecConvertible, _ op: String,
        file: StaticString, line: UInt
    ) {
        let k = kernel.expand(2, "kernel_size", op, file: file, line: line)
        let d = dilation.expand(2, "dilation", op, file: file, line: line)
        let p = padding.expand(2, "padding", op, file: file, line: line)
        let s = stride.expand(2, "stride", op, file: file, line: line)
        // PyTorch's order of checks and words: (what, its fields' prefix, values, must be positive).
        let checks: [(String, String, [Int], Bool)] = [
            ("kernel size", "kernel", k, true), ("dilation", "dilation", d, true), ("padding", "pad", p, false),
            ("stride", "stride", s, true),
        ]
        for (what, field, v, positive) in checks where v.contains(where: { positive ? $0 <= 0 : $0 < 0 }) {
            torchFail(
                op,
                "\(what) should be \(positive ? "greater than zero" : "non-negative"), but got "
                    + "\(field)_height: \(v[0]) \(field)_width: \(v[1])", file: file, line: line)
        }
        window = WindowGeometry(kernel: k, stride: s, dilation: d)
        self.padding = p
    }

    /// The number of blocks along each dim of an image of `size`, rounded down as PyTorch's check
    /// (negative when the window does not fit at all).
    func blocks(_ size: [Int]) -> [Int] {
        (0..<2).map { d in
            let span = size[d] + 2 * padding[d] - (window.dilation[d] * (window.kernel[d] - 1) + 1)
            return Int((Double(span) / Double(window.stride[d])).rounded(.down)) + 1
        }
    }

    func tuple(_ v: [Int]) -> String { "(" + v.map(String.init).joined(separator: ", ") + ")" }
}

/// `unfold` as a module (`torch.nn.Unfold`). `Unfold(kernelSize: 3, padding: 1)(x)`
public final class Unfold: Module {
    let kernelSize: SizeSpec, dilation: SizeSpec, padding: SizeSpec, stride: SizeSpec
    /// The blocks' geometry, as `unfold`'s arguments.
    public init(
        kernelSize: any SizeSpecConvertible, dilation: any SizeSpecConvertible = 1,
        padding: any SizeSpecConvertible = 0, stride: any SizeSpecConvertible = 1
    ) {
        (self.kernelSize, self.dilation) = (kernelSize.sizeSpec, dilation.sizeSpec)
        (self.padding, self.stride) = (padding.sizeSpec, stride.sizeSpec)
        super.init()
    }
    /// `unfold(x, ...)`.
    public override func forward(_ x: Tensor) -> Tensor {
        unfold(x, kernelSize: kernelSize, dilation: dilation, padding: padding, stride: stride)
    }
}

/// `fold` as a module (`torch.nn.Fold`). `Fold(outputSize: [4, 5], kernelSize: 2)(cols)`
public final class Fold: Module {
    let outputSize: SizeSpec, kernelSize: SizeSpec, dilation: SizeSpec, padding: SizeSpec, stride: SizeSpec
    /// The image size and the blocks' geometry, as `fold`'s arguments.
    public init(
        outputSize: any SizeSpecConvertible, kernelSize: any SizeSpecConvertible, dilation: any SizeSpecConvertible = 1,
        padding: any SizeSpecConvertible = 0, stride: any SizeSpecConvertible = 1
    ) {
        (self.outputSize, self.kernelSize, self.dilation) = (
            outputSize.sizeSpec, kernelSize.sizeSpec, dilation.sizeSpec
        )
        (self.padding, self.stride) = (padding.sizeSpec, stride.sizeSpec)
        super.init()
    }
    /// `fold(x, ...)`.
    public override func forward(_ x: Tensor) -> Tensor {
        fold(x, outputSize: outputSize, kernelSize: kernelSize, dilation: dilation, padding: padding, stride: stride)
    }
}
