/// The contract every device backend implements (DESIGN convention 3): a small, closed set of op
/// families over `KernelOperand`s, with the same signatures on every device. Backends know nothing
/// of tensors or autograd; core picks one from a tensor's device in exactly one place (the router,
/// `Sources/Core/Torch/Kernels.swift`) and nothing else names a backend.
///
/// Note [Backend fallback policy]: a backend that has no kernel for a request throws
/// `BackendError.missingKernel`. The router then runs the same family on the CPU backend over host
/// copies of the operands and copies the outputs back, counting each such fallback
/// (`Torch.backendFallbacks`), so a missing GPU kernel is slow and visible, never wrong or fatal.
/// A family may also be optional by design (the fused LSTM cell, the dedicated 2-D window loops):
/// callers ask the router `Kernels.supports(_:_:on:)` first and compose the op from other families
/// when it answers no.
///
/// ```swift
/// try CPUBackend.copy(dst, src)   // only the router makes calls like this
/// ```
package protocol Backend {
    /// The backend's name in messages ("cpu", "cuda").
    static var name: String { get }
    /// Whether this backend implements the optional `family` for operands of `dtype` (every
    /// required family is always there).
    static func supports(_ family: KernelFamily, _ dtype: DType) -> Bool

    // MARK: memory
    /// Uninitialised device memory of `bytes` bytes, from the backend's caching allocator.
    static func allocate(_ bytes: Int) throws -> UnsafeMutableRawPointer
    /// Gives memory from `allocate` back to the cache.
    static func deallocate(_ pointer: UnsafeMutableRawPointer, bytes: Int)
    /// Copies `bytes` bytes of host memory to device memory.
    static func upload(_ dst: UnsafeMutableRawPointer, from host: UnsafeRawPointer, bytes: Int) throws
    /// Copies `bytes` bytes of device memory to host memory (waiting for the device).
    static func download(_ host: UnsafeMutableRawPointer, from src: UnsafeRawPointer, bytes: Int) throws

    // MARK: copy, fill, element-wise
    /// `dst = src` with conversion between their dtypes; layouts of one shape.
    static func copy(_ dst: KernelOperand, _ src: KernelOperand) throws
    /// Every element of `dst` set to `value` (`exactInt` when the value is an exact integer).
    static func fill(_ dst: KernelOperand, _ value: Double, exactInt: Int64?) throws
    /// `out = f(a)` element-wise (Note [Element functions]); `a` is float32/float64, or of any
    /// native dtype when `F.keepsIntegers`; `out` has `a`'s dtype.
    static func map<F: UnaryFunction>(_ f: F.Type, _ out: KernelOperand, _ a: KernelOperand) throws
    /// `out` (bool) = `f(a)` element-wise for `a` of any native dtype.
    static func test<F: UnaryPredicate>(_ f: F.Type, _ out: KernelOperand, _ a: KernelOperand) throws
    /// `out = f(a, b)` over operands already broadcast to `out`'s shape and converted to one dtype.
    static func map<F: BinaryFunction>(_ f: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand)
        throws
    /// `out` (bool) = `f(a, b)` over operands already broadcast to `out`'s shape, of one dtype.
    static func test<F: BinaryPredicate>(_ f: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand)
        throws
    /// `out = f(a, b)` over `count` contiguous elements of one computable `dtype` given by their
    /// first elements: the per-op fast path of small same-shape operands (no layouts built).
    static func mapFlat<F: BinaryFunction>(
        _ f: F.Type, _ dtype: DType, out: UnsafeMutableRawPointer, a: UnsafeRawPointer, b: UnsafeRawPointer,
        count: Int) throws
    /// `out = condition ? a : b`.
    static func whereSelect(_ out: KernelOperand, _ condition: KernelOperand, _ a: KernelOperand, _ b: KernelOperand)
        throws

    // MARK: reductions, scans, sorting
    /// Reduces `src` into `out`, whose layout has `src`'s shape with stride 0 along the reduced
    /// dimensions (so every source element names its destination).
    static func reduce(_ op: ReduceOp, _ out: KernelOperand, _ src: KernelOperand) throws
    /// First maximum (or minimum; NaN wins) of each row of a contiguous [rows, n] `src`: int64
    /// `indices` [rows] and, when given, `values` [rows].
    static func argReduceRows(
        isMax: Bool, _ src: KernelOperand, values: KernelOperand?, indices: KernelOperand,
        rows: Int, n: Int) throws
    /// Inclusive running sum or product of each row of a contiguous [rows, n] `src` into `out`.
    static func scanRows(isProduct: Bool, _ src: KernelOperand, _ out: KernelOperand, rows: Int, n: Int) throws
    /// Stable sort of each row of a contiguous [rows, n] `src` (NaN last ascending): values and
    /// int64 indices.
    static func sortRows(
        _ src: KernelOperand, values: KernelOperand, indices: KernelOperand, rows: Int, n: Int,
        descending: Bool) throws
    /// The values at the sorted positions `positions` (NaN last) of each row of a contiguous
    /// [rows, n] `src`, into a contiguous [rows, positions.count] `out` (median, quantile).
    static func selectRows(_ src: KernelOperand, _ out: KernelOperand, rows: Int, n: Int, positions: [Int]) throws

    // MARK: indexing
    /// `out[i] = src[offsets[i]]` for a contiguous `out`; offsets count elements from `src`'s first.
    static func gather(_ out: KernelOperand, _ src: KernelOperand, offsets: [Int]) throws
    /// `out[offsets[i]] = src[i]` (last write wins), or `+=` in order when `accumulate`, for a
    /// contiguous `src`; offsets count elements from `out`'s first.
    static func scatter(_ out: KernelOperand, _ src: KernelOperand, offsets: [Int], accumulate: Bool) throws

    // MARK: products, rows
    /// `c[b] = a[b] · bMatrix[b] + beta · c[b]` for operands of layout [batch, m, k], [batch, k, n],
    /// [batch, m, n] (any strides; one dtype).
    static func gemm(_ c: KernelOperand, _ a: KernelOperand, _ b: KernelOperand, beta: Double) throws
    /// The dtype `gemm` computes products of `dtype` in (operands are converted to it first).
    static func gemmComputeType(_ dtype: DType) -> DType
    /// Softmax (or log-softmax) of each row of a contiguous [rows, n] `src`.
    static func softmaxRows(_ src: KernelOperand, _ out: KernelOperand, rows: Int, n: Int, log: Bool) throws

    // MARK: optional families
    /// Column buffer [C·kh·kw, N, oh, ow] of a contiguous [N, C, H, W] float `x` (im2col).
    static func im2col(_ cols: KernelOperand, _ x: KernelOperand, _ window: Window2D) throws
    /// The inverse scatter-add of `im2col` into a contiguous [N, C, H, W] `out` (zeroed first).
    static func col2im(_ out: KernelOperand, _ cols: KernelOperand, _ window: Window2D) throws
    /// For each output of a 2-D max pooling of a contiguous [N, C, H, W] float `x`, the linear
    /// index of the first maximum of its window (NaN counts as the maximum).
    static func maxPool2dIndices(_ x: KernelOperand, _ window: Window2D) throws -> [Int]
    /// `y += alpha · x` over contiguous operands of one shape and dtype (`KernelFamily.addScaled`).
    static func addScaled(_ y: KernelOperand, _ x: KernelOperand, alpha: Double) throws
    /// Philox numbers into a contiguous float `out` (`kind` 0: uniform float32, 1: uniform float64,
    /// 2: normal) from counter-based `key`/`start` (`KernelFamily.philox`).
    static func philox(kind: Int, _ out: KernelOperand, key: UInt64, start: UInt64) throws
    /// Layer norm of each row of a contiguous [rows, n] `x` into `out`, with optional contiguous [n]
    /// `weight` and `bias`, writing each row's mean and 1/sqrt(var + eps) into [rows] `mean` and
    /// `rstd` (`KernelFamily.layerNorm`).
    static func layerNormRows(
        _ x: KernelOperand, _ out: KernelOperand, mean: KernelOperand, rstd: KernelOperand, weight: KernelOperand?,
        bias: KernelOperand?, rows: Int, n: Int, eps: Double) throws
    /// Depthwise 2-D convolution of a contiguous [N, C, H, W] `x` with contiguous weights
    /// [C·multiplier, 1, kh, kw] and an optional [C·multiplier] bias into a contiguous `out`
    /// [N, C·multiplier, oh, ow], zero padding included (`KernelFamily.depthwiseConv`).
    static func depthwiseConv2d(
        _ out: KernelOperand, _ x: KernelOperand, weight: KernelOperand, bias: KernelOperand?,
        _ geometry: DepthwiseGeometry) throws
    /// Stride-1 2-D convolution of a contiguous [N, C, H, W] `x` with contiguous weights
    /// [O, C, kh, kw] and an optional [O] bias into a contiguous `out` [N, O, oh, ow], zero padding
    /// and dilation included (`KernelFamily.directConv`).
    static func directConv2d(
        _ out: KernelOperand, _ x: KernelOperand, weight: KernelOperand, bias: KernelOperand?,
        _ geometry: DirectConvGeometry) throws
    /// The weight gradient [O, C, kh, kw] of that convolution into a contiguous `out`, from the
    /// contiguous input and output gradient (`KernelFamily.directConv`); false, with nothing
    /// written, where the kernel declines (a non-finite input: Note [Direct convolution's weight
    /// gradient]).
    static func directConv2dWeightGrad(
        _ out: KernelOperand, _ x: KernelOperand, grad: KernelOperand, _ geometry: DirectConvGeometry
    ) throws -> Bool
    /// A separable 2-D resampling of a contiguous [planes, ih, iw] `x` into a contiguous
    /// [planes, oh, ow] `out` by the taps and weights of `taps` (`KernelFamily.resample2d`).
    static func resample2d(_ out: KernelOperand, _ x: KernelOperand, _ taps: Resample2DTaps) throws
    /// One LSTM step from the gate pre-activations (`KernelFamily.lstmCell`), see `LSTMCellOperands`.
    static func lstmCellForward(_ o: LSTMCellOperands) throws
    /// The gates' gradients of one LSTM step (`KernelFamily.lstmCell`), see `LSTMCellOperands`.
    static func lstmCellBackward(_ o: LSTMCellOperands) throws
    /// One LAPACK-style factorization or solve over a batch of matrices (`KernelFamily.linalg`),
    /// see `LinalgOperands`.
    static func linalg(_ op: LinalgOp, _ o: LinalgOperands) throws
    /// One unnormalised FFT of length `n` over each row of contiguous operands with offset 0:
    /// complex [rows, n] for `.forward`/`.inverse`, real [rows, n] ↔ complex [rows, n/2 + 1] for
    /// the real kinds (`FFTKind`).
    static func fft(_ kind: FFTKind, _ out: KernelOperand, _ x: KernelOperand, rows: Int, n: Int) throws
}

/// The kind of one FFT kernel call (`Backend.fft`).
package enum FFTKind: Sendable {
    /// Complex to complex, `exp(-2πi jk/n)` (unnormalised).
    case forward
    /// Complex to complex, `exp(+2πi jk/n)` (unnormalised).
    case inverse
    /// Real [rows, n] to the complex half spectrum [rows, n/2 + 1].
    case realForward
    /// The complex half spectrum [rows, n/2 + 1] to real [rows, n] (Hermitian, unnormalised; the
    /// imaginary parts of bins 0 and n/2 are ignored).
    case realInverse
}

/// Families a backend may lack by design; the caller composes the op from other families then.
package enum KernelFamily: Hashable, Sendable {
    /// Counter-based random numbers generated on the device (the CPU draws from its own generator).
    case philox
    /// The fused LSTM cell (forward and backward in one pass per step).
    case lstmCell
    /// `y += alpha · x` in one pass (BLAS axpy on the CPU).
    case addScaled
    /// Dedicated 2-D im2col, col2im and max-pooling index loops over contiguous [N, C, H, W] tensors.
    case window2D
    /// Dense factorizations and solves (`Backend.linalg`: LAPACK on the CPU).
    case linalg
    /// Layer norm of contiguous rows in one pass per row (`Backend.layerNormRows`).
    case layerNorm
    /// Direct depthwise 2-D convolution (`Backend.depthwiseConv2d`).
    case depthwiseConv
    /// Direct stride-1 2-D convolution (`Backend.directConv2d`).
    case directConv
    /// Direct separable 2-D resampling (`Backend.resample2d`: bilinear and bicubic interpolation).
    case resample2d
}

/// The factorizations and solves of `Backend.linalg`, LAPACK's routines by another name.
package enum LinalgOp: String, Sendable {
    /// LU with partial pivoting of each [n, n] `a` in place; 1-based int32 `pivots` [batch, n] (getrf).
    case luFactor
    /// Solves `a x = b` from `luFactor`'s `a` and `pivots`; `b` [batch, n, nrhs] is overwritten by x (getrs).
    case luSolve
    /// The lower Cholesky factor of each symmetric positive-definite `a`, in place (potrf).
    case cholesky
    /// Eigenvalues (ascending, into `values` [batch, n]) and eigenvectors (columns of `a`, in place)
    /// of each symmetric `a` (syevd, lower triangle read).
    case eigh
    /// Eigenvalues of each general `a` (real parts into `values` [batch, 0..<n], imaginary parts
    /// into [batch, n..<2n]) and, when `u` is given, its right eigenvectors in LAPACK's real
    /// packing (a complex pair's real and imaginary parts in consecutive columns), column-major
    /// [batch, n, n], each of unit norm with its largest component real (geev; `a` is destroyed).
    /// A complex `a` gives complex eigenvalues [batch, n] and eigenvectors directly.
    case eig
    /// Singular values (descending, into `values` [batch, min(m, n)]) and, when `u`/`vt` are given,
    /// the singular vectors of each [m, n] `a` (gesdd; `a` is destroyed).
    case svd
    /// Householder QR of each [m, n] `a` in place (R in the upper triangle, the reflectors below it,
    /// their scales into `values` [batch, k]); when `u` is given, Q's first `fullMatrices ? m : k`
    /// columns into it, column-major [batch, qcols, m] (geqrf, then orgqr).
    case qr
    /// The Bunch-Kaufman factorization `A = L D Lᵀ` of each symmetric `a` in place (lower triangle
    /// read and written), LAPACK's int32 `pivots` [batch, n] (sytrf; `A = L D Lᴴ`, hetrf, for a
    /// complex `a` when `hermitian`).
    case ldlFactor
    /// Least squares `min ‖a x − b‖` of each [m, n] `a` for the columns of `b` [batch, nrhs, max(m, n)]
    /// (overwritten, x in the first n rows): QR without pivoting, full rank assumed (gels).
    case lstsqGels
    /// As `lstsqGels` through a complete orthogonal factorization with column pivoting; the
    /// effective rank (singular values over `rcond` times the largest) into `rank` (gelsy).
    case lstsqGelsy
    /// As `lstsqGelsy` through the SVD (divide and conquer); the singular values into `values` (gelsd).
    case lstsqGelsd
    /// As `lstsqGelsd` through the plain SVD (gelss).
    case lstsqGelss
}

/// The buffers of one batched `Backend.linalg` call. Matrices are column-major and contiguous,
/// one after another (`a` [batch, cols, rows] in row-major terms); `info` receives LAPACK's status
/// per matrix (0: success; > 0: singular, not positive-definite, or not converged at that index).
package struct LinalgOperands {
    /// The matrices, factored or overwritten in place.
    package var a: KernelOperand
    /// Right-hand sides, column-major: [batch, nrhs, n] (`luSolve`), [batch, nrhs, max(m, n)] (least squares).
    package var b: KernelOperand?
    /// Int32 pivots [batch, n] (`luFactor` writes, `luSolve` reads).
    package var pivots: KernelOperand?
    /// Eigenvalues, singular values or Householder scales (`qr`) [batch, k].
    package var values: KernelOperand?
    /// Left singular vectors (`svd`) or Q (`qr`), column-major [batch, ucols, m].
    package var u: KernelOperand?
    /// Right singular vectors transposed, column-major [batch, n, vtrows] (`svd`).
    package var vt: KernelOperand?
    /// Int32 status per matrix [batch].
    package var info: KernelOperand
    /// Int32 effective rank per matrix [batch] (`lstsqGelsy`/`Gelsd`/`Gelss`).
    package var rank: KernelOperand?
    /// Singular values below `rcond` times the largest count as zero (least squares).
    package var rcond: Double
    /// The number of matrices, their rows and columns, the right-hand sides' count.
    package var batch: Int, rows: Int, cols: Int, nrhs: Int
    /// `svd`: full (m×m, n×n) rather than reduced singular vectors.
    package var fullMatrices: Bool
    /// `ldlFactor` of a complex `a`: Hermitian (`A = L D Lᴴ`) rather than symmetric.
    package var hermitian: Bool

    /// Operands over `a` and `info`; the others are set by the caller as the op needs.
    package init(a: KernelOperand, info: KernelOperand, batch: Int, rows: Int, cols: Int) {
        self.a = a
        self.info = info
        self.batch = batch
        self.rows = rows
        self.cols = cols
        self.nrhs = 0
        self.fullMatrices = false
        self.hermitian = false
        self.rcond = 0
    }
}

/// Why a backend did not run a request.
public enum BackendError: Error, CustomStringConvertible {
    /// The backend has no kernel for this request (the router falls back, see Note [Backend fallback policy]).
    case missingKernel(String)

    /// The error in words.
    public var description: String {
        switch self {
        case .missingKernel(let what): return "no kernel for \(what)"
        }
    }
}

/// Buffers of one LSTM step over contiguous float [batch, ·] operands, gate order i, f, g, o.
/// Forward reads `pre` [B, 4H] and `cPrev` [B, H] and writes the activated gates `act` [B, 4H],
/// the new cell `c`, `tanhC` and `h` [B, H]. Backward reads `act`, `tanhC`, `cPrev`, `dh` and
/// `dc` (updated in place to the previous cell's gradient) and writes `dGates` [B, 4H] into `pre`.
package struct LSTMCellOperands {
    package var batch: Int, hidden: Int
    package var pre: KernelOperand, cPrev: KernelOperand, act: KernelOperand
    package var c: KernelOperand, tanhC: KernelOperand, h: KernelOperand
    package init(
        batch: Int, hidden: Int, pre: KernelOperand, cPrev: KernelOperand, act: KernelOperand,
        c: KernelOperand, tanhC: KernelOperand, h: KernelOperand
    ) {
        self.batch = batch; self.hidden = hidden
        self.pre = pre; self.cPrev = cPrev; self.act = act
        self.c = c; self.tanhC = tanhC; self.h = h
    }
}

/// Geometry of a 2-D sliding window over a contiguous [N, C, H, W] tensor: kernel (kh, kw),
/// stride (sh, sw), dilation (dh, dw) and output size (oh, ow); padding is applied by the caller.
public struct Window2D: Sendable {
    /// Batch, channels, height and width of the input.
    public let n: Int, c: Int, h: Int, w: Int
    /// Kernel size, stride and dilation per spatial dimension.
    public let kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int
    /// The output's height and width.
    public let oh: Int, ow: Int
    /// A window geometry (padding applied by the caller).
    public init(n: Int, c: Int, h: Int, w: Int, kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, oh: Int, ow: Int)
    {
        self.n = n; self.c = c; self.h = h; self.w = w
        self.kh = kh; self.kw = kw; self.sh = sh; self.sw = sw; self.dh = dh; self.dw = dw
        self.oh = oh; self.ow = ow
    }
}

/// A depthwise 2-D convolution: `window` over the unpadded input (its `oh`/`ow` counting the
/// padding), zero padding per side, and the output channels per input channel.
/// The taps of a separable 2-D resampling (`Backend.resample2d`): output (oy, ox) of each plane is
/// Σₖ rowWeights[oy·rowTaps + k] · (Σⱼ colWeights[ox·colTaps + j] · x[rowIndex[oy·rowTaps + k],
/// colIndex[ox·colTaps + j]]), the width blended first, in tap order.
public struct Resample2DTaps: Sendable {
    /// Planes (N·C), and the input and output heights and widths.
    public let planes: Int, inH: Int, inW: Int, outH: Int, outW: Int
    /// Taps per output row and per output column.
    public let rowTaps: Int, colTaps: Int
    /// Source rows [outH · rowTaps] and columns [outW · colTaps].
    public let rowIndex: [Int], colIndex: [Int]
    /// Their weights, float32.
    public let rowWeights: [Float], colWeights: [Float]
    /// The taps of a resampling.
    public init(
        planes: Int, inH: Int, inW: Int, outH: Int, outW: Int, rowIndex: [Int], rowWeights: [Float],
        colIndex: [Int], colWeights: [Float]
    ) {
        (self.planes, self.inH, self.inW, self.outH, self.outW) = (planes, inH, inW, outH, outW)
        rowTaps = outH > 0 ? rowIndex.count / outH : 1
        colTaps = outW > 0 ? colIndex.count / outW : 1
        (self.rowIndex, self.rowWeights, self.colIndex, self.colWeights) = (rowIndex, rowWeights, colIndex, colWeights)
    }
}

/// A stride-1 2-D convolution (`Backend.directConv2d`): input [n, c, h, w], weights [o, c, kh, kw],
/// dilation, zero padding on each side, output [n, o, oh, ow].
public struct DirectConvGeometry: Sendable {
    /// Input sizes, output channels and filter size.
    public let n: Int, c: Int, h: Int, w: Int, o: Int, kh: Int, kw: Int
    /// Dilation of the height and the width.
    public let dh: Int, dw: Int
    /// Zero padding above, below, left and right.
    public let top: Int, bottom: Int, left: Int, right: Int
    /// The output height and width.
    public var oh: Int { h + top + bottom - dh * (kh - 1) }
    public var ow: Int { w + left + right - dw * (kw - 1) }
    /// A convolution's geometry.
    public init(
        n: Int, c: Int, h: Int, w: Int, o: Int, kh: Int, kw: Int, dh: Int, dw: Int, top: Int, bottom: Int, left: Int,
        right: Int
    ) {
        (self.n, self.c, self.h, self.w, self.o, self.kh, self.kw) = (n, c, h, w, o, kh, kw)
        (self.dh, self.dw, self.top, self.bottom, self.left, self.right) = (dh, dw, top, bottom, left, right)
    }
}

public struct DepthwiseGeometry: Sendable {
    /// Sizes, kernel, stride, dilation and output size (input sizes without the padding).
    public let window: Window2D
    /// Zero padding on each side of the height and the width.
    public let padH: Int, padW: Int
    /// Output channels per input channel (`out_channels / in_channels`).
    public let multiplier: Int
    /// A depthwise geometry.
    public init(window: Window2D, padH: Int, padW: Int, multiplier: Int) {
        self.window = window
        self.padH = padH
        self.padW = padW
        self.multiplier = multiplier
    }
}

extension Layout {
    /// Element offsets (from the storage base, `offset` included) of every element, row-major.
    ///
    /// ```swift
    /// Layout(shape: [2, 2], strides: [1, 2]).elementOffsets()   // [0, 2, 1, 3]
    /// ```
    package func elementOffsets() -> [Int] {
        var out = [Int](repeating: 0, count: count)
        if count == 0 { return out }
        let r = rank
        if r == 0 { out[0] = offset; return out }
        var index = [Int](repeating: 0, count: r)
        var pos = offset
        let inner = shape[r - 1], innerStride = strides[r - 1]
        var i = 0
        while i < count {
            for j in 0..<inner { out[i + j] = pos + j * innerStride }
            i += inner
            // Advance the odometer over the outer dimensions.
            var d = r - 2
            while d >= 0 {
                index[d] += 1
                pos += strides[d]
                if index[d] < shape[d] { break }
                pos -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
        return out
    }

    /// Elements from the storage base up to one past the last element this layout reaches
    /// (non-negative strides): how much of a storage a kernel over this layout may touch.
    package var extent: Int {
        if count == 0 { return offset }
        var last = offset
        for (s, st) in zip(shape, strides) { last += (s - 1) * Swift.max(st, 0) }
        return last + 1
    }
}
