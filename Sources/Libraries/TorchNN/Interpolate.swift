import Torch
import TorchBase

// `torch.nn.functional.interpolate` for the separable modes: nearest and nearest-exact pick one
// source index per output index, linear/bilinear/trilinear blend two neighbours and bicubic four
// (Keys' cubic convolution, A = -0.75, borders replicated) with PyTorch's source-index rule, one
// spatial dim at a time (index_select and a weighted sum, so gradients come from those
// primitives); area is adaptive average pooling. Indices are computed as PyTorch's CPU kernels do, in float32 for
// nearest (`nearest_idx`) and in the input's opmath type for the linear modes.

/// The resampling rule of `interpolate`/`Upsample`.
public enum InterpolationMode: String, Sendable {
    case nearest
    case nearestExact = "nearest-exact"
    case linear, bilinear, trilinear, bicubic, area

    /// The input rank an interpolating mode requires (nil for the nearest modes and area, which
    /// take 3-D to 5-D).
    var linearRank: Int? {
        switch self {
        case .linear: return 3
        case .bilinear, .bicubic: return 4
        case .trilinear: return 5
        default: return nil
        }
    }
}

/// Resizes the spatial dims (all after batch and channel) of a 3-D, 4-D or 5-D input to `size`,
/// or by `scaleFactor` (output = floor(input · factor)); exactly one of the two is given.
///
/// ```swift
/// let up = interpolate(x, scaleFactor: [2, 2], mode: .bilinear, alignCorners: false)   // [N, C, 2H, 2W]
/// ```
public func interpolate(
    _ x: Tensor, size: [Int]? = nil, scaleFactor: [Double]? = nil, mode: InterpolationMode = .nearest,
    alignCorners: Bool? = nil, antialias: Bool = false, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    func fail(_ m: String) -> Never { torchFail("interpolate", m, file: file, line: line) }
    if antialias && !(x.rank == 4 && (mode == .bilinear || mode == .bicubic)) {
        fail(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D tensor as input"
        )
    }
    // PyTorch's checks in its order: align_corners, size/scale_factor, the mode's rank, sizes, dtype.
    if alignCorners != nil && mode.linearRank == nil {
        fail(
            "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"
        )
    }
    let spatial = x.rank - 2
    let inSizes = spatial > 0 ? Array(x.shape.suffix(spatial)) : []
    if size != nil && scaleFactor != nil { fail("only one of size or scale_factor should be defined") }
    var outSizes: [Int]
    var scales: [Double?] = Array(repeating: nil, count: Swift.max(spatial, 0))
    if let size {
        if size.count != spatial && !(size.count == 1 && spatial >= 1) {
            fail(
                "Input and output must have the same number of spatial dimensions, but got input with spatial "
                    + "dimensions of \(inSizes) and output size of \(size). Please provide input tensor in (N, C, d1, "
                    + "d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
        }
        outSizes = size.count == 1 ? Array(repeating: size[0], count: spatial) : size
    } else if let f = scaleFactor {
        if f.count != spatial && !(f.count == 1 && spatial >= 1) {
            fail(
                "Input and scale_factor must have the same number of spatial dimensions, but got input with "
                    + "spatial dimensions of \(inSizes) and scale_factor of shape \(f). Please provide input tensor in "
                    + "(N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
        }
        let factors = f.count == 1 ? Array(repeating: f[0], count: spatial) : f
        outSizes = zip(inSizes, factors).map { Int((Double($0) * $1).rounded(.down)) }
        scales = factors.map { Optional($0) }
    } else {
        fail("either size or scale_factor should be defined")
    }
    if mode == .bicubic && x.rank != 4 {
        // PyTorch has no bicubic rank message of its own: its generic refusal.
        fail(
            "Input Error: Only 3D, 4D and 5D input Tensors supported (got \(x.rank)D) for the modes: "
                + "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got bicubic)")
    }
    if let r = mode.linearRank, x.rank != r, (3...5).contains(x.rank) {
        fail("Got \(x.rank)D input, but \(mode.rawValue) mode needs \(r)D input")
    }
    if spatial < 1 || spatial > 3 {
        fail(
            "Input Error: Only 3D, 4D and 5D input Tensors supported (got \(x.rank)D) for the modes: "
                + "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact "
                + "(got \(mode.rawValue))"
        )
    }
    if mode == .area {
        // Adaptive average pooling, which takes empty outputs (PyTorch's size check is the
        // upsampling kernels').
        x.requireKernel("interpolate", "adaptive_avg_pool2d", .floating, file: file, line: line)
        if outSizes.contains(0) { return Tensor.zeros(Array(x.shape.prefix(2)) + outSizes, dtype: x.dtype) }
        return adaptivePool(x, outSizes, max: false, op: "interpolate")
    }
    if zip(inSizes, outSizes).contains(where: { $0 <= 0 || $1 <= 0 }) {
        let joint = spatial == 1 ? ") and output (" : ") output ("
        fail(
            "Input and output sizes should be greater than 0, but got input (\(dimsText(inSizes))" + joint
                + "\(dimsText(outSizes)))")
    }
    if mode.linearRank != nil {
        x.requireKernel(
            "interpolate", "upsample_\(mode.rawValue)\(spatial)d_out_frame", .floating, file: file, line: line)
    } else if !x.dtype.isFloatingPoint && x.dtype != .uint8 {
        x.requireKernel("interpolate", "compute_indices_weights_nearest", .floating, file: file, line: line)
    }
    // Half types blend in float32 and round once at the end, as PyTorch's opmath.
    let half = x.dtype == .float16 || x.dtype == .bfloat16
    var y = half && mode.linearRank != nil ? x.to(.float32) : x
    if spatial == 2 && !antialias {
        // Both dims in one pass where the direct kernel applies (Note [Direct 2-D resampling]); the
        // nearest modes are one tap of weight 1 (1 · v is v, NaN and -0 included).
        func taps(_ d: Int) -> (index: [Int], weight: [Float]) {
            let align = alignCorners ?? false
            if mode.linearRank == nil {
                let idx = nearestIndices(inSizes[d], outSizes[d], scales[d], exact: mode == .nearestExact)
                return (idx, [Float](repeating: 1, count: idx.count))
            }
            let t =
                mode == .bicubic
                ? cubicTaps(inSizes[d], outSizes[d], scales[d], alignCorners: align, indexType: y.dtype)
                : linearTaps(
                    inSizes[d], outSizes[d], scales[d], alignCorners: align, indexType: y.dtype, weightType: x.dtype)
            var index: [Int] = [], weight: [Float] = []
            for o in 0..<outSizes[d] {
                for k in t.taps.indices {
                    index.append(Int(t.taps[k][o]))
                    weight.append(Float(t.weights[k][o]))
                }
            }
            return (index, weight)
        }
        if let out = y.directResample2d(outH: outSizes[0], outW: outSizes[1], taps: taps) {
            return out.dtype == x.dtype ? out : out.to(x.dtype)
        }
    }
    if mode == .nearest, let y = nearestByRepeating(x, inSizes, outSizes, scales) { return y }
    // The last dim first: PyTorch's kernels blend along W innermost, then H, then D.
    for d in (0..<spatial).reversed() {
        let dim = 2 + d
        if mode.linearRank == nil {
            let idx = nearestIndices(inSizes[d], outSizes[d], scales[d], exact: mode == .nearestExact)
            let taps = idx.map { Int64($0) }
            y =
                resampleByMatmul(
                    y, dim, inSize: inSizes[d], taps: [taps], weights: [Array(repeating: 1, count: taps.count)])
                ?? y.indexSelect(dim, Tensor(shape: [idx.count], scalars: taps).to(device: x.device))
        } else if antialias {
            // PyTorch's separable antialiased path leaves a dim of unchanged size alone.
            if inSizes[d] == outSizes[d] { continue }
            y = antialiasAlong(
                y, dim, inSizes[d], outSizes[d], scales[d], alignCorners: alignCorners ?? false, cubic: mode == .bicubic
            )
        } else if mode == .bicubic {
            y = cubicAlong(y, dim, inSizes[d], outSizes[d], scales[d], alignCorners: alignCorners ?? false)
        } else {
            y = linearAlong(
                y, dim, inSizes[d], outSizes[d], scales[d], alignCorners: alignCorners ?? false, weightType: x.dtype)
        }
    }
    return y.dtype == x.dtype ? y : y.to(x.dtype)
}

private func dimsText(_ s: [Int]) -> String {
    ["D", "H", "W"].suffix(s.count).enumerated().map { "\($0.element): \(s[$0.offset])" }.joined(separator: ", ")
}

/// Nearest upsampling by whole factors whose source indices are o / k in every dim (2x, 3x, ...,
/// as PyTorch computes them): each element repeated k times per dim, one expanded view copied
/// once (8.4M outputs in 4 ms here, against 28 ms for an index selection per dim). Its gradient
/// is expand's, the sum over each element's copies, which is nearest upsampling's. nil otherwise.
private func nearestByRepeating(_ x: Tensor, _ inSizes: [Int], _ outSizes: [Int], _ scales: [Double?]) -> Tensor? {
    var factors: [Int] = []
    for d in inSizes.indices {
        let (i, o) = (inSizes[d], outSizes[d])
        guard o % i == 0 else { return nil }
        let k = o / i
        let idx = nearestIndices(i, o, scales[d], exact: false)
        guard idx.indices.allSatisfy({ idx[$0] == $0 / k }) else { return nil }
        factors.append(k)
    }
    let lead = Array(x.shape.prefix(2))
    var viewShape = lead, expanded = lead
    for d in inSizes.indices {
        viewShape += [inSizes[d], 1]
        expanded += [inSizes[d], factors[d]]
    }
    return x.reshape(viewShape).expand(expanded).reshape(lead + outSizes)
}

/// `nearest_idx` / `nearest_neighbor_exact_compute_source_index` of PyTorch's CPU kernels.
func nearestIndices(_ inSize: Int, _ outSize: Int, _ scale: Double?, exact: Bool) -> [Int] {
    if !exact && outSize == inSize { return Array(0..<outSize) }
    if !exact && outSize == 2 * inSize { return (0..<outSize).map { $0 >> 1 } }
    let s: Float =
        scale.map { $0 > 0 ? Float(1 / $0) : Float(inSize) / Float(outSize) }
        ?? Float(inSize) / Float(outSize)
    return (0..<outSize).map { o in
        let src = exact ? ((Float(o) + 0.5) * s).rounded(.down) : (Float(o) * s).rounded(.down)
        return Swift.min(Int(src), inSize - 1)
    }
}

/// PyTorch's `area_pixel_compute_scale` in the input's opmath type `R`: the source step per
/// output index ((in − 1)/(out − 1) with `alignCorners`, else 1/scale when a scale was given, else
/// in/out).
func sourceScale<R: BinaryFloatingPoint>(_ inSize: Int, _ outSize: Int, _ scale: Double?, alignCorners: Bool) -> R {
    if alignCorners { return outSize > 1 ? R(inSize - 1) / R(outSize - 1) : 0 }
    if let scale, scale > 0 { return R(1 / scale) }
    return R(inSize) / R(outSize)
}

/// Linear resampling of one dim: indices i0, i1 and weights λ0, λ1 as PyTorch's
/// `compute_indices_weights_linear`, then x[i0]·λ0 + x[i1]·λ1.
func linearAlong(
    _ x: Tensor, _ dim: Int, _ inSize: Int, _ outSize: Int, _ scale: Double?, alignCorners: Bool, weightType: DType
) -> Tensor {
    let t = linearTaps(
        inSize, outSize, scale, alignCorners: alignCorners, indexType: x.dtype, weightType: weightType)
    return resampleByMatmul(x, dim, inSize: inSize, taps: t.taps, weights: t.weights)
        ?? gatherBlend(x, dim, taps: t.taps, weights: t.weights)
}

/// The two taps and weights of each output position of a linear resampling of one dim: source
/// positions computed in `indexType`'s opmath (float64, or float32 for the other types) as
/// PyTorch's `compute_source_index_and_lambda`; an unchanged size copies (i1 = i0, λ = (1, 0));
/// the weights rounded to `weightType` (the input's dtype), λ0 = 1 - λ1 there too.
func linearTaps(
    _ inSize: Int, _ outSize: Int, _ scale: Double?, alignCorners: Bool, indexType: DType, weightType: DType
) -> (taps: [[Int64]], weights: [[Double]]) {
    if indexType == .float64 {
        let ratio: Double = sourceScale(inSize, outSize, scale, alignCorners: alignCorners)
        return linearPositions(inSize, outSize, weightType) { o in
            alignCorners ? ratio * Double(o) : Swift.max(ratio * (Double(o) + 0.5) - 0.5, 0)
        }
    }
    // float32 (and half types, computed in float32): the index arithmetic in float, as PyTorch's opmath,
    // with one fused multiply-add for ratio · (o + 0.5) - 0.5 as its compiled float kernel has (so
    // that 1.5 · fl(1/3) - 0.5 is 1.5e-8, not 0; its double kernel rounds twice, as above).
    let ratio: Float = sourceScale(inSize, outSize, scale, alignCorners: alignCorners)
    return linearPositions(inSize, outSize, weightType) { o in
        alignCorners ? ratio * Float(o) : Swift.max((-0.5 as Float).addingProduct(ratio, Float(o) + 0.5), 0)
    }
}

private func linearPositions<R: BinaryFloatingPoint>(
    _ inSize: Int, _ outSize: Int, _ weightType: DType, _ source: (Int) -> R
) -> (taps: [[Int64]], weights: [[Double]]) {
    var i0 = [Int64](), i1 = [Int64](), l1 = [Double]()
    for o in 0..<outSize {
        if inSize == outSize {
            (i0, i1, l1) = (i0 + [Int64(o)], i1 + [Int64(o)], l1 + [0])
            continue
        }
        let real = source(o)
        let a = Swift.min(Int(real), inSize - 1)
        i0.append(Int64(a))
        i1.append(Int64(a + (a < inSize - 1 ? 1 : 0)))
        l1.append(Double(Swift.min(Swift.max(real - R(a), 0), 1)))
    }
    // λ1 in the weight type, then λ0 = 1 - λ1 there too.
    let w1 = Tensor(shape: [outSize], scalars: l1, dtype: weightType)
    let w0 = (1.0 - w1.to(.float64)).to(weightType)
    return ([i0, i1], [w0.to(.float64).scalars, w1.to(.float64).scalars])
}

// Note [Resampling as a matrix product]
// Resampling one dim is a linear map: output o is Σₖ w[k][o]·x[tap[k][o]], i.e. x multiplied by
// a sparse [out, in] matrix. Gathering the taps (index_select) and summing their weighted copies
// makes 2·taps passes over the data through the general indexing path; multiplying by the matrix
// stored dense is one GEMM (and one GEMM backward), far faster while `in` is small (the wasted
// multiplies by zero cost less than the passes). Two things differ from the gathers, so the GEMM
// is used only where they cannot show: a zero weight times an infinity or NaN is NaN, and the
// sum is fused and ordered by the BLAS (within an ulp or two of the products summed one by one,
// but not near overflow). Inputs with a non-finite value or one beyond 1e15 in magnitude take the
// gather path, which touches only the taps.

/// `x` resampled along `dim` by one GEMM with the dense matrix of the taps' weights, or nil where
/// that does not apply (see Note [Resampling as a matrix product]).
func resampleByMatmul(_ x: Tensor, _ dim: Int, inSize: Int, taps: [[Int64]], weights: [[Double]]) -> Tensor? {
    guard x.dtype == .float32 || x.dtype == .float64, x.device == .cpu, let outSize = taps.first?.count else {
        return nil
    }
    guard inSize <= 1024, outSize * inSize <= 1 << 20, x.count > 0 else { return nil }
    // Finite and far from overflow (a NaN maximum fails the test too).
    guard Torch.noGrad({ x.abs().amax().item() < 1e15 }) else { return nil }
    var m = [Double](repeating: 0, count: outSize * inSize)
    for k in taps.indices {
        for o in 0..<outSize { m[o * inSize + Int(taps[k][o])] += weights[k][o] }
    }
    let matrix = Tensor(shape: [outSize, inSize], scalars: m, dtype: x.dtype)
    let before = x.shape[..<dim].reduce(1, *), after = x.shape[(dim + 1)...].reduce(1, *)
    var shape = x.shape
    shape[dim] = outSize
    if after == 1 { return x.reshape([before, inSize]).matmul(matrix.t()).reshape(shape) }
    return matrix.matmul(x.reshape([before, inSize, after])).reshape(shape)
}

/// Cubic resampling of one dim as PyTorch's `upsample_bicubic2d`: source position `r` (not
/// clamped at 0, unlike the linear modes), taps ⌊r⌋-1…⌊r⌋+2 clamped to the input, and Keys'
/// cubic-convolution weights with A = -0.75 computed in the input's opmath type.
func cubicAlong(_ x: Tensor, _ dim: Int, _ inSize: Int, _ outSize: Int, _ scale: Double?, alignCorners: Bool) -> Tensor
{
    let t = cubicTaps(inSize, outSize, scale, alignCorners: alignCorners, indexType: x.dtype)
    return resampleByMatmul(x, dim, inSize: inSize, taps: t.taps, weights: t.weights)
        ?? gatherBlend(x, dim, taps: t.taps, weights: t.weights)
}

/// The four taps and Keys' weights of each output position of a cubic resampling of one dim, in
/// `indexType`'s opmath (float64, or float32 for the other types).
func cubicTaps(_ inSize: Int, _ outSize: Int, _ scale: Double?, alignCorners: Bool, indexType: DType) -> (
    taps: [[Int64]], weights: [[Double]]
) {
    if indexType == .float64 {
        let ratio: Double = sourceScale(inSize, outSize, scale, alignCorners: alignCorners)
        return cubicPositions(inSize, outSize) { o in
            alignCorners ? ratio * Double(o) : ratio * (Double(o) + 0.5) - 0.5
        }
    }
    let ratio: Float = sourceScale(inSize, outSize, scale, alignCorners: alignCorners)
    return cubicPositions(inSize, outSize) { o in
        alignCorners ? ratio * Float(o) : (-0.5 as Float).addingProduct(ratio, Float(o) + 0.5)
    }
}

/// Σₖ x[iₖ]·wₖ's taps and weights over the four taps of each output position `source(o)`.
private func cubicPositions<R: BinaryFloatingPoint>(_ inSize: Int, _ outSize: Int, _ source: (Int) -> R) -> (
    taps: [[Int64]], weights: [[Double]]
) {
    let a: R = -0.75
    func near(_ t: R) -> R { ((a + 2) * t - (a + 3)) * t * t + 1 }  // |t| ≤ 1
    func far(_ t: R) -> R { ((a * t - 5 * a) * t + 8 * a) * t - 4 * a }  // 1 < |t| < 2
    var taps = [[Int64]](repeating: [], count: 4)
    var weights = [[Double]](repeating: [], count: 4)
    for o in 0..<outSize {
        let real = source(o)
        let base = real.rounded(.down)
        let t = real - base
        // PyTorch's get_cubic_upsample_coefficients: the last weight at (1 - t) + 1, not 2 - t.
        let u = 1 - t
        let w: [R] = [far(t + 1), near(t), near(u), far(u + 1)]
        for k in 0..<4 {
            taps[k].append(Int64(Swift.min(Swift.max(Int(base) - 1 + k, 0), inSize - 1)))
            weights[k].append(Double(w[k]))
        }
    }
    return (taps, weights)
}

/// Σₖ x[taps[k][o]]·weights[k][o] along `dim` by index_select and weighted sums, tap after tap;
/// `used[k][o]` false marks a padding tap (windows of different lengths), left out entirely so
/// that its zero weight never meets an infinity.
func gatherBlend(_ x: Tensor, _ dim: Int, taps: [[Int64]], weights: [[Double]], used: [[Bool]]? = nil) -> Tensor {
    let outSize = taps[0].count
    var wshape = Array(repeating: 1, count: x.rank)
    wshape[dim] = outSize
    var y: Tensor?
    for k in taps.indices {
        let v = x.indexSelect(dim, Tensor(shape: [outSize], scalars: taps[k]).to(device: x.device))
        let w = Tensor(shape: wshape, scalars: weights[k], dtype: x.dtype).to(device: x.device)
        var term = v * w
        if let used, used[k].contains(false) {
            let mask = Tensor(shape: wshape, scalars: used[k].map { $0 ? Int64(1) : 0 }).to(.bool).to(device: x.device)
            term = Tensor.where(mask, term, Tensor.zeros([], dtype: term.dtype, device: term.device))
        }
        y = y.map { $0 + term } ?? term
    }
    return y!
}

/// Antialiased resampling of one dim (PyTorch's `_upsample_bilinear2d_aa`/`_bicubic2d_aa`, after
/// PIL): output i averages the inputs within `support` of its centre `scale·(i + 0.5)` with the
/// mode's filter (triangle, or cubic with a = −0.5) stretched by the scale when downsampling,
/// weights normalised to sum 1 and computed in the input's type.
func antialiasAlong(
    _ x: Tensor, _ dim: Int, _ inSize: Int, _ outSize: Int, _ scale: Double?, alignCorners: Bool, cubic: Bool
) -> Tensor {
    func weights<R: BinaryFloatingPoint>(_: R.Type) -> (taps: [[Int64]], weights: [[Double]], used: [[Bool]]) {
        let s: R = sourceScale(inSize, outSize, scale, alignCorners: alignCorners)
        let interp: R = cubic ? 4 : 2
        let support = s >= 1 ? interp * 0.5 * s : interp * 0.5
        let invscale: R = s >= 1 ? 1 / s : 1
        func filter(_ v: R) -> R {
            let t = abs(v)
            if cubic {
                let a: R = -0.5
                if t < 1 { return ((a + 2) * t - (a + 3)) * t * t + 1 }
                if t < 2 { return (((t - 5) * t + 8) * t - 4) * a }
                return 0
            }
            return t < 1 ? 1 - t : 0
        }
        var rows: [(start: Int, w: [R])] = []
        for i in 0..<outSize {
            let center = s * (R(i) + 0.5)
            let xmin = Swift.max(Int(center - support + 0.5), 0)
            let xsize = Swift.min(Int(center + support + 0.5), inSize) - xmin
            var w = (0..<Swift.max(xsize, 0)).map { j in filter((R(j + xmin) - center + 0.5) * invscale) }
            let total = w.reduce(0, +)
            if total != 0 { w = w.map { $0 / total } }
            rows.append((xmin, w))
        }
        let k = Swift.max(rows.map(\.w.count).max() ?? 1, 1)
        var taps = [[Int64]](repeating: [], count: k), ws = [[Double]](repeating: [], count: k)
        var used = [[Bool]](repeating: [], count: k)
        for r in rows {
            for j in 0..<k {
                let inside = j < r.w.count
                taps[j].append(Int64(Swift.min(r.start + (inside ? j : 0), inSize - 1)))
                ws[j].append(inside ? Double(r.w[j]) : 0)
                used[j].append(inside)
            }
        }
        return (taps, ws, used)
    }
    let (taps, ws, used) = x.dtype == .float64 ? weights(Double.self) : weights(Float.self)
    return resampleByMatmul(x, dim, inSize: inSize, taps: taps, weights: ws)
        ?? gatherBlend(x, dim, taps: taps, weights: ws, used: used)
}

/// `interpolate` as a module (`torch.nn.Upsample`).
///
/// ```swift
/// let up = Upsample(scaleFactor: [2], mode: .nearest)
/// ```
public final class Upsample: Module {
    public let size: [Int]?, scaleFactor: [Double]?, mode: InterpolationMode, alignCorners: Bool?
    public init(
        size: [Int]? = nil, scaleFactor: [Double]? = nil, mode: InterpolationMode = .nearest, alignCorners: Bool? = nil
    ) {
        (self.size, self.scaleFactor, self.mode, self.alignCorners) = (size, scaleFactor, mode, alignCorners)
        super.init()
    }
    public override func forward(_ x: Tensor) -> Tensor {
        interpolate(x, size: size, scaleFactor: scaleFactor, mode: mode, alignCorners: alignCorners)
    }

    /// One factor for every spatial dim, as PyTorch's `Upsample(scale_factor=2, mode="bicubic")`.
    public convenience init(scaleFactor: Double, mode: InterpolationMode = .nearest, alignCorners: Bool? = nil) {
        self.init(scaleFactor: [scaleFactor], mode: mode, alignCorners: alignCorners)
    }

    /// One size for every spatial dim, as PyTorch's `Upsample(size=32)`.
    public convenience init(size: Int, mode: InterpolationMode = .nearest, alignCorners: Bool? = nil) {
        self.init(size: [size], mode: mode, alignCorners: alignCorners)
    }

    public override var extraRepr: String {
        let what =
            size.map { "size=\($0.count == 1 ? "\($0[0])" : reprTuple($0))" }
            ?? "scale_factor=\(scaleFactor.map { $0.count == 1 ? "\($0[0])" : "\($0)" } ?? "None")"
        return what + ", mode='\(mode.rawValue)'"
    }
}
