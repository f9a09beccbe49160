import Torch
import TorchBase

// Fractional max pooling (split from Pooling.swift).

/// Fractional max pooling (Graham 2014; `F.fractional_max_pool2d(..., return_indices=True)`):
/// windows of `kernelSize` at pseudo-random, overlapping-free starts that shrink [N, C, H, W] (or
/// [C, H, W]) to `outputSize` (or `outputRatio` of the input). `randomSamples` [N, C, 2] in [0, 1)
/// place the windows (PyTorch's `_random_samples`; drawn with `Tensor.rand` when nil): each plane's
/// starts are `⌊(i + u)·α⌋ − ⌊u·α⌋` with `α = (in − k)/(out − 1)`, computed in the input's type as
/// PyTorch's kernel, the last window ending at the input's edge.
public func fractionalMaxPool2dWithIndices(
    _ x: Tensor, kernelSize: any SizeSpecConvertible, outputSize: (any SizeSpecConvertible)? = nil,
    outputRatio: [Double]? = nil, randomSamples: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line
) -> (values: Tensor, indices: Tensor) {
    let op = "fractional_max_pool2d"
    func fail(_ m: String) -> Never { torchFail(op, m, file: file, line: line) }
    if x.rank != 3 && x.rank != 4 { fail("fractional_max_pool2d(): Expected 3D or 4D tensor, but got: \(x.shape)") }
    x.requireKernel(op, "fractional_max_pool2d_out_frame", .floating, file: file, line: line)
    let batched = x.rank == 4 ? x : x.unsqueeze(0)
    let (n, c, h, w) = (batched.shape[0], batched.shape[1], batched.shape[2], batched.shape[3])
    let k = kernelSize.expand(2, "kernel_size", op, file: file, line: line)
    let out: [Int]
    if let outputSize {
        out = outputSize.expand(2, "output_size", op, file: file, line: line)
    } else if let r = outputRatio {
        if r.count > 2 {
            fail("fractional_max_pool2d requires output_ratio to either be a single Int or tuple of Ints.")
        }
        let ratio = r.count == 1 ? [r[0], r[0]] : r
        out = [Int(Double(h) * ratio[0]), Int(Double(w) * ratio[1])]
    } else {
        fail("fractional_max_pool2d requires specifying either an output_size or an output_ratio")
    }
    if k.contains(where: { $0 <= 0 }) {
        fail("fractional_max_pool2d(): kernel_size must be greater than zero, but got \(k[0]) and \(k[1])")
    }
    if out.contains(where: { $0 <= 0 }) {
        fail("fractional_max_pool2d(): output_size must be greater than zero, but got \(out[0]) and \(out[1])")
    }
    if out[0] + k[0] - 1 > h {
        fail("fractional_max_pool2d(): pool height \(k[0]) too large relative to input height \(h)")
    }
    if out[1] + k[1] - 1 > w {
        fail("fractional_max_pool2d(): pool width \(k[1]) too large relative to input width \(w)")
    }
    let samples = randomSamples ?? Tensor.rand([n, c, 2], dtype: x.dtype, device: x.device)
    if samples.rank != 3 || samples.shape[2] != 2 {
        fail("Expect _random_samples.size(2) equals to 2; got \(samples.rank == 3 ? samples.shape[2] : samples.rank).")
    }
    if samples.dtype != x.dtype { fail("Expect _random_samples to have the same dtype as input") }
    if samples.shape[0] != n || samples.shape[1] != c {
        fail("Expect _random_samples to have shape [\(n), \(c), 2]; got \(samples.shape).")
    }
    let u = Torch.noGrad { samples.to(.float64).contiguous() }.scalars
    let single = x.dtype != .float64
    /// PyTorch's generate_intervals in the input's scalar type.
    func starts(_ sample: Double, _ input: Int, _ output: Int, _ pool: Int) -> [Int] {
        var seq = [Int](repeating: input - pool, count: output)
        guard output > 1 else { return seq }
        if single {
            let alpha = Float(input - pool) / Float(output - 1), s = Float(sample)
            for i in 0..<(output - 1) { seq[i] = Int((Float(i) + s) * alpha) - Int(s * alpha) }
        } else {
            let alpha = Double(input - pool) / Double(output - 1)
            for i in 0..<(output - 1) { seq[i] = Int((Double(i) + sample) * alpha) - Int(sample * alpha) }
        }
        return seq
    }
    // The flat input index of every (plane, output position, window element): [N, C, oh, ow, kh·kw].
    let window = k[0] * k[1]
    var flat = [Int64]()
    flat.reserveCapacity(n * c * out[0] * out[1] * window)
    for plane in 0..<(n * c) {
        let rows = starts(u[plane * 2 + 1], h, out[0], k[0]), cols = starts(u[plane * 2], w, out[1], k[1])
        for r in rows {
            for col in cols {
                for dr in 0..<k[0] { for dc in 0..<k[1] { flat.append(Int64((r + dr) * w + col + dc)) } }
            }
        }
    }
    let index = Tensor(shape: [n, c, out[0] * out[1] * window], scalars: flat).to(device: x.device)
    let picked = batched.reshape([n, c, h * w]).gather(2, index).reshape([n, c, out[0], out[1], window])
    let m = picked.max(dim: 4, file: file, line: line)
    let where_ = index.reshape([n, c, out[0], out[1], window]).gather(4, m.indices.unsqueeze(4)).squeeze(4)
    if x.rank == 4 { return (m.values, where_) }
    return (m.values.squeeze(0), where_.squeeze(0))
}

/// Fractional max pooling's values (`F.fractional_max_pool2d`).
public func fractionalMaxPool2d(
    _ x: Tensor, kernelSize: any SizeSpecConvertible, outputSize: (any SizeSpecConvertible)? = nil,
    outputRatio: [Double]? = nil, randomSamples: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    fractionalMaxPool2dWithIndices(
        x, kernelSize: kernelSize, outputSize: outputSize, outputRatio: outputRatio, randomSamples: randomSamples,
        file: file, line: line
    ).values
}
