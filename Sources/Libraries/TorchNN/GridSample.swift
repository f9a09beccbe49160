import Torch
import TorchBase

// Note [Grid sampling]
// `gridSample` reads an input [N, C, H, W] (or [N, C, D, H, W]) at the points of a grid
// [N, H', W', 2] (or [N, D', H', W', 3]) of coordinates in [-1, 1], x first, as PyTorch's
// `F.grid_sample`; `affineGrid` makes such a grid from affine matrices (spatial transformer
// networks). Both are composed from differentiable tensor ops, so that the input's gradient (a
// scatter-add through `gather`) and the grid's (through the interpolation weights and the padding
// functions) come from autograd, on every device the ops have kernels for:
// - a coordinate is unnormalised to pixel units (align corners: -1 and 1 are the corner pixels'
//   centres; otherwise their outer edges), then, for border and reflection padding, reflected
//   and clipped as PyTorch's helpers do, with their gradients (zero at and past a clipped border,
//   the sign of the reflection);
// - each corner (2 or 4 taps per dim) is one row gather (`indexSelect`) from the input laid out
//   channels last, [N·S, C]; taps outside the input read 0 (`where`, so a NaN there is not
//   read), and the interpolation weights multiply in the order of PyTorch's kernel (nw, ne, sw, se; top before bottom);
// - bicubic uses PyTorch's cubic convolution (A = −0.75) on the unpadded coordinate, padding each
//   of the 16 taps on its own, and its grid gradient comes from the weights only, as PyTorch's.

/// How `gridSample` interpolates (`mode` of `F.grid_sample`).
public enum GridSampleMode: String, Sendable {
    case bilinear, nearest, bicubic
}

/// What `gridSample` reads for points outside the input (`padding_mode` of `F.grid_sample`).
public enum GridSamplePadding: String, Sendable {
    case zeros, border, reflection
}

/// A sampling grid from a batch of affine matrices (`F.affine_grid`): `theta` [N, 2, 3] with
/// `size` [N, C, H, W] gives [N, H, W, 2]; `theta` [N, 3, 4] with [N, C, D, H, W] gives
/// [N, D, H, W, 3]. Each point is θ·(x, y, (z,) 1) over the output's normalised coordinates.
///
/// ```swift
/// let grid = affineGrid(theta, size: [1, 3, 32, 32])
/// let warped = gridSample(image, grid)
/// ```
public func affineGrid(
    _ theta: Tensor, size: [Int], alignCorners: Bool = false, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let op = "affine_grid"
    if !theta.dtype.isFloatingPoint {
        torchFail(op, "Expected theta to have floating point type, but got \(theta.dtype)", file: file, line: line)
    }
    let k = size.count - 2
    if k == 2 || k == 3 {
        if theta.rank != 3 || theta.shape[1] != k || theta.shape[2] != k + 1 {
            let kind = k == 2 ? "2D affine matrices of shape Nx2x3" : "3D affine matrices of shape Nx3x4"
            torchFail(op, "Expected a batch of \(kind) for size \(size). Got \(theta.shape).", file: file, line: line)
        }
    } else {
        torchFail(
            op,
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. "
                + "Got size \(size).", file: file, line: line)
    }
    if size.contains(where: { $0 <= 0 }) {
        torchFail(op, "Expected non-zero, positive output size. Got \(size)", file: file, line: line)
    }
    if theta.shape[0] != size[0] {
        // PyTorch's message is that of the batched product it makes the grid with.
        torchFail(
            "bmm",
            "Expected size for first two dimensions of batch2 tensor to be: [\(size[0]), \(k + 1)] but got: "
                + "[\(theta.shape[0]), \(k + 1)].", file: file, line: line)
    }
    if Tracing.isOn {
        // One node; its replay takes the batch size from theta (a dynamic batch stays dynamic).
        let spatial = Array(size.dropFirst(2)), channels = size[1]
        let attrs: [(String, TraceAttribute)] = [("grid_size", .ints(spatial)), ("align_corners", .bool(alignCorners))]
        return Tracing.record1("affineGrid", [theta], attrs, file: file, line: line) {
            affineGrid($0[0], size: [$0[0].shape[0], channels] + spatial, alignCorners: alignCorners)
        }
    }
    let spatial = Array(size.dropFirst(2))
    let base = affineBaseGrid(spatial, alignCorners: alignCorners, dtype: theta.dtype).to(device: theta.device)
    return base.matmul(theta.transpose(1, 2)).reshape([size[0]] + spatial + [k])
}

/// The base grid of `affineGrid` for an output of `spatial` sizes: [1, points, k + 1] rows
/// (x, y, (z,) 1) over the normalised coordinates (shared with the ONNX exporter).
package func affineBaseGrid(_ spatial: [Int], alignCorners: Bool, dtype: DType) -> Tensor {
    let k = spatial.count
    // Columns x (over the last dim), y, (z,) then ones, as PyTorch's base grid.
    var columns: [Tensor] = []
    for c in 0..<k {
        let d = k - 1 - c
        var shape = [Int](repeating: 1, count: k)
        shape[d] = spatial[d]
        columns.append(
            normalisedSteps(spatial[d], alignCorners: alignCorners, dtype: dtype).reshape(shape).expand(spatial))
    }
    columns.append(Tensor.ones(spatial, dtype: dtype))
    return Tensor.stack(columns, dim: -1).reshape([1, spatial.reduce(1, *), k + 1])
}

/// `steps` points over [-1, 1] (pixel centres when not aligning corners), PyTorch's
/// `linspace_from_neg_one`; one step is the single point 0.
private func normalisedSteps(_ steps: Int, alignCorners: Bool, dtype: DType) -> Tensor {
    if steps <= 1 { return Tensor.zeros([steps], dtype: dtype) }
    let r = Tensor.linspace(-1, 1, steps: steps, dtype: dtype)
    return alignCorners ? r : r * Double(steps - 1) / Double(steps)
}

/// The input read at the points of a grid of normalised coordinates (`F.grid_sample`, Note [Grid
/// sampling]): `input` [N, C, H, W] with `grid` [N, H', W', 2] gives [N, C, H', W'] (and likewise
/// in 3-D with [N, D', H', W', 3]); `grid[..., 0]` is x (the width), -1 the left edge. Bilinear
/// (trilinear in 3-D), nearest or (2-D only) bicubic; out-of-range points read zeros, the border
/// or the input reflected. Differentiable in both the input and the grid.
///
/// ```swift
/// let grid = affineGrid(theta, size: x.shape)
/// let y = gridSample(x, grid, mode: .bilinear, paddingMode: .border, alignCorners: false)
/// ```
public func gridSample(
    _ input: Tensor, _ grid: Tensor, mode: GridSampleMode = .bilinear, paddingMode: GridSamplePadding = .zeros,
    alignCorners: Bool = false, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if Tracing.isOn {
        let attrs: [(String, TraceAttribute)] = [
            ("mode", .string(mode.rawValue)), ("padding_mode", .string(paddingMode.rawValue)),
            ("align_corners", .bool(alignCorners)),
        ]
        return Tracing.record1("gridSample", [input, grid], attrs, file: file, line: line) {
            gridSample(
                $0[0], $0[1], mode: mode, paddingMode: paddingMode, alignCorners: alignCorners, file: file, line: line)
        }
    }
    checkGridSample(input, grid, mode: mode, file: file, line: line)
    let k = input.rank - 2
    let n = input.shape[0], c = input.shape[1]
    let sizes = Array(input.shape.dropFirst(2))
    let outSpatial = Array(grid.shape.dropFirst().dropLast())
    let points = outSpatial.reduce(1, *)
    // Channels last, one row per pixel: a tap is one row gather of C values (`indexSelect`).
    let volume = sizes.reduce(1, *)
    let rows = input.reshape([n, c, volume]).permute([0, 2, 1]).reshape([n * volume, c])
    let sampler = GridTaps(
        rows: rows, sizes: sizes, points: points, padding: paddingMode, alignCorners: alignCorners,
        imageStarts: Tensor.arange(n, dtype: .int64).to(device: input.device).reshape([n, 1]) * volume)
    let g = grid.reshape([n, points, k])
    // Pixel coordinates per input dim (depth, height, width), each [N, P].
    let raw = (0..<k).map { d in sampler.unnormalise(g.select(2, k - 1 - d), d) }
    let out: Tensor
    switch mode {
    case .bilinear: out = sampler.linear(raw.enumerated().map { sampler.pad($0.element, $0.offset) })
    case .nearest: out = sampler.nearest(raw.enumerated().map { sampler.pad($0.element, $0.offset) })
    case .bicubic: out = sampler.cubic(raw)
    }
    return out.permute([0, 2, 1]).reshape([n, c] + outSpatial)
}

private func checkGridSample(
    _ input: Tensor, _ grid: Tensor, mode: GridSampleMode, file: StaticString, line: UInt
) {
    let op = "grid_sampler"
    func fail(_ message: String) { torchFail(op, "grid_sampler(): " + message, file: file, line: line) }
    let sizes = "input with sizes \(input.shape) and grid with sizes \(grid.shape)"
    if input.device != grid.device {
        fail(
            "expected input and grid to be on same device, but input is on \(input.device) and grid is on "
                + "\(grid.device)"
        )
    }
    // PyTorch's order: the common checks, then the rank of the kernel chosen by the input's rank.
    if input.rank == 0 || grid.rank == 0 || input.shape[0] != grid.shape[0] {
        fail("expected grid and input to have same batch size, but got \(sizes)")
    }
    if grid.shape[grid.rank - 1] != input.rank - 2 {
        fail("expected grid to have size \(input.rank - 2) in last dimension, but got grid with sizes \(grid.shape)")
    }
    for d in 2..<max(2, input.rank) where input.shape[d] <= 0 {
        fail(
            "expected input to have non-empty spatial dimensions, but input has sizes \(input.shape) with "
                + "dimension \(d) being empty")
    }
    let planar = input.rank == 4
    if input.rank != grid.rank || (input.rank != 4 && input.rank != 5) {
        fail("expected \(planar ? 4 : 5)D input and grid with same number of dimensions, but got \(sizes)")
    }
    // PyTorch's 3-D kernel runs another computation for bicubic; it is refused here.
    if mode == .bicubic && !planar { fail("bicubic interpolation only supports 4D input") }
    let kernel = planar ? "grid_sampler_2d_cpu_kernel_impl" : "grid_sampler3d_cpu"
    input.requireKernel("grid_sampler", kernel, .floating, file: file, line: line)
    if input.dtype != grid.dtype {
        torchFail(
            op, "expected scalar type \(input.dtype.pytorchName) but found \(grid.dtype.pytorchName)",
            file: file, line: line)
    }
}

/// The taps of one `gridSample` call (Note [Grid sampling]): the input as [N·S, C] rows (pixels
/// channels last), read at integer coordinates per dim ([N, P] each) into [N, P, C].
private struct GridTaps {
    let rows: Tensor, sizes: [Int], points: Int, padding: GridSamplePadding, alignCorners: Bool
    /// The first row of each image, [N, 1] (made once per call, read by every tap).
    let imageStarts: Tensor

    /// Normalised [-1, 1] to pixel units along input dim `d`.
    func unnormalise(_ g: Tensor, _ d: Int) -> Tensor {
        let size = Double(sizes[d])
        return alignCorners ? (g + 1) / 2 * (size - 1) : ((g + 1) * size - 1) / 2
    }

    /// Border and reflection padding of a pixel coordinate along dim `d` (PyTorch's
    /// `compute_coordinates`): zeros leaves it as it is.
    func pad(_ x: Tensor, _ d: Int) -> Tensor {
        let size = sizes[d]
        switch padding {
        case .zeros: return x
        case .border: return clip(x, size)
        case .reflection:
            let r = alignCorners ? reflect(x, 0, 2 * (size - 1)) : reflect(x, -1, 2 * size - 1)
            return clip(r, size)
        }
    }

    /// `x` clipped to [0, size − 1]; its gradient is zero at and past either bound, as PyTorch's.
    private func clip(_ x: Tensor, _ size: Int) -> Tensor {
        let top = Double(size - 1)
        return Tensor.where(x .<= 0.0, 0.0, Tensor.where(x .>= top, top, x))
    }

    /// `x` reflected into [twiceLow/2, twiceHigh/2] (PyTorch's `reflect_coordinates`).
    private func reflect(_ x: Tensor, _ twiceLow: Int, _ twiceHigh: Int) -> Tensor {
        if twiceLow == twiceHigh { return x * 0.0 }
        let low = Double(twiceLow) / 2, span = Double(twiceHigh - twiceLow) / 2
        let a = (x - low).abs()
        let extra = a.fmod(span)
        let flips = Torch.noGrad { (a / span).floor() }
        let odd = flips.fmod(2.0) .== 1.0
        return Tensor.where(odd, (extra * -1.0) + (span + low), extra + low)
    }

    /// The input at integer coordinates `at` (one [N, P] per dim), zero where any is out of range.
    func tap(_ at: [Tensor]) -> Tensor {
        var inside: Tensor? = nil
        var flat: Tensor? = nil
        for (d, i) in at.enumerated() {
            let ok = (i .>= Int64(0)).logicalAnd(i .< Int64(sizes[d]))
            inside = inside.map { $0.logicalAnd(ok) } ?? ok
            let stride = sizes[(d + 1)...].reduce(1, *)
            let term = i.clamp(min: Int64(0), max: Int64(sizes[d] - 1)) * Int64(stride)
            flat = flat.map { $0 + term } ?? term
        }
        let batch = imageStarts.shape[0]
        let values = rows.indexSelect(0, (flat! + imageStarts).reshape([-1])).reshape([batch, points, rows.shape[1]])
        return Tensor.where(inside!.unsqueeze(2), values, 0.0)
    }

    /// Floor of a coordinate as an index; a non-finite one goes far out of range (PyTorch's
    /// `safe_downgrade_to_int_range`).
    private func index(_ x: Tensor, rounding: (Tensor) -> Tensor) -> Tensor {
        Torch.noGrad {
            let safe = Tensor.where(x.isfinite().logicalAnd(x.abs() .< 2e9), x, -100.0)
            return rounding(safe).to(.int64)
        }
    }

    /// Bilinear (trilinear) interpolation at padded coordinates.
    func linear(_ coords: [Tensor]) -> Tensor {
        let low = coords.map { x in index(x) { $0.floor() } }
        let frac = zip(coords, low).map { $0 - $1.to($0.dtype) }
        let k = coords.count
        var out: Tensor? = nil
        for corner in 0..<(1 << k) {
            var at: [Tensor] = []
            var weight: Tensor? = nil
            for d in 0..<k {
                let high = (corner >> (k - 1 - d)) & 1 == 1
                at.append(high ? low[d] + Int64(1) : low[d])
                let w = high ? frac[d] : (frac[d] * -1.0) + 1.0
                weight = weight.map { $0 * w } ?? w
            }
            let term = tap(at) * weight!.unsqueeze(2)
            out = out.map { $0 + term } ?? term
        }
        return out!
    }

    /// Nearest-neighbour at padded coordinates (ties to even, as `nearbyint`).
    func nearest(_ coords: [Tensor]) -> Tensor { tap(coords.map { x in index(x) { $0.round() } }) }

    /// Bicubic interpolation (2-D) at unpadded pixel coordinates [y, x].
    func cubic(_ coords: [Tensor]) -> Tensor {
        let low = coords.map { x in index(x) { $0.floor() } }
        let t = zip(coords, low).map { $0 - $1.to($0.dtype) }
        let wy = cubicWeights(t[0]), wx = cubicWeights(t[1])
        var out: Tensor? = nil
        for i in 0..<4 {
            let y = paddedTap(low[0], offset: i - 1, 0)
            var row: Tensor? = nil
            for j in 0..<4 {
                let term = tap([y, paddedTap(low[1], offset: j - 1, 1)]) * wx[j].unsqueeze(2)
                row = row.map { $0 + term } ?? term
            }
            let term = row! * wy[i].unsqueeze(2)
            out = out.map { $0 + term } ?? term
        }
        return out!
    }

    /// The integer coordinate `low + offset` through the padding (PyTorch's `get_value_bounded`).
    private func paddedTap(_ low: Tensor, offset: Int, _ d: Int) -> Tensor {
        let at = low + Int64(offset)
        if padding == .zeros { return at }
        return Torch.noGrad { pad(at.to(rows.dtype), d).trunc().to(.int64) }
    }

    /// The four cubic-convolution weights of taps −1, 0, 1, 2 at fraction `t` (A = −0.75).
    private func cubicWeights(_ t: Tensor) -> [Tensor] {
        let a = -0.75
        // |x| ≤ 1: ((A + 2)·x − (A + 3))·x² + 1;  1 < |x| < 2: ((A·x − 5A)·x + 8A)·x − 4A.
        func near(_ x: Tensor) -> Tensor { ((x * (a + 2)) - (a + 3)) * x * x + 1.0 }
        func far(_ x: Tensor) -> Tensor { (((x * a) - 5 * a) * x + 8 * a) * x - 4 * a }
        let oneMinus = (t * -1.0) + 1.0
        return [far(t + 1.0), near(t), near(oneMinus), far(oneMinus + 1.0)]
    }
}
