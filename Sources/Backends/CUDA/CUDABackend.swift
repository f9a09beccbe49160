import TorchBase

/// The CUDA backend: the `Backend` contract over device memory (NVRTC-compiled element-wise and
/// row kernels, cuBLAS). Operands carry a device address in `base`. Requests it has no kernel for
/// throw `BackendError.missingKernel`; the router then runs them on the CPU (Note [Backend
/// fallback policy]).
///
/// ```swift
/// try CUDABackend.map(Pointwise.Exp.self, out, x)   // called by core's router only
/// ```
package enum CUDABackend: Backend {
    package static var name: String { "cuda" }
    package static func supports(_ family: KernelFamily, _ dtype: DType) -> Bool { family == .philox }

    static func address(_ p: UnsafeRawPointer) -> UInt64 { UInt64(UInt(bitPattern: p)) }

    package static func allocate(_ bytes: Int) throws -> UnsafeMutableRawPointer {
        let address = try CUDARuntime.get().allocator.allocate(bytes)
        return UnsafeMutableRawPointer(bitPattern: UInt(address))!
    }
    package static func deallocate(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        try? CUDARuntime.get().allocator.free(address(pointer))
    }
    package static func upload(_ dst: UnsafeMutableRawPointer, from host: UnsafeRawPointer, bytes: Int) throws {
        try CUDAKernels.copyToDevice(address(dst), host, bytes: bytes)
    }
    package static func download(_ host: UnsafeMutableRawPointer, from src: UnsafeRawPointer, bytes: Int) throws {
        try CUDAKernels.copyToHost(host, address(src), bytes: bytes)
    }

    package static func copy(_ dst: KernelOperand, _ src: KernelOperand) throws { try CUDAKernels.copy(dst, src) }
    package static func fill(_ dst: KernelOperand, _ value: Double, exactInt: Int64?) throws {
        try CUDAKernels.fill(dst, value, exactInt: exactInt)
    }
    package static func map<F: UnaryFunction>(_ f: F.Type, _ out: KernelOperand, _ a: KernelOperand) throws {
        try CUDAKernels.map(f, out, a)
    }
    package static func test<F: UnaryPredicate>(_ f: F.Type, _ out: KernelOperand, _ a: KernelOperand) throws {
        try CUDAKernels.test(f, out, a)
    }
    package static func map<F: BinaryFunction>(
        _ f: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand
    ) throws {
        try CUDAKernels.map(f, out, a, b)
    }
    package static func test<F: BinaryPredicate>(
        _ f: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand
    ) throws {
        try CUDAKernels.test(f, out, a, b)
    }
    package static func mapFlat<F: BinaryFunction>(
        _ f: F.Type, _ dtype: DType, out: UnsafeMutableRawPointer, a: UnsafeRawPointer, b: UnsafeRawPointer,
        count: Int
    ) throws {
        let l = Layout(shape: [count])
        try CUDAKernels.map(
            f, KernelOperand(base: out, layout: l, dtype: dtype),
            KernelOperand(base: UnsafeMutableRawPointer(mutating: a), layout: l, dtype: dtype),
            KernelOperand(base: UnsafeMutableRawPointer(mutating: b), layout: l, dtype: dtype))
    }
    package static func whereSelect(
        _ out: KernelOperand, _ condition: KernelOperand, _ a: KernelOperand,
        _ b: KernelOperand
    ) throws {
        try CUDAKernels.whereSelect(out, condition, a, b)
    }

    /// A contiguous device copy of `o` (itself when already contiguous) and the memory to free after.
    static func contiguous(_ o: KernelOperand) throws -> (KernelOperand, UnsafeMutableRawPointer?) {
        if o.layout.isContiguous { return (o, nil) }
        let bytes = Swift.max(o.layout.count * o.dtype.itemSize, 1)
        let p = try allocate(bytes)
        let t = KernelOperand(base: p, layout: Layout(shape: o.layout.shape), dtype: o.dtype)
        try copy(t, o)
        return (t, p)
    }

    package static func reduce(_ op: ReduceOp, _ out: KernelOperand, _ src: KernelOperand) throws {
        // Reduced dimensions (stride 0 in `out`) last, contiguous, then one result per row; the
        // kept dimensions of `out` must be row-major contiguous.
        let shape = src.layout.shape
        let kept = shape.indices.filter { out.layout.strides[$0] != 0 || shape[$0] == 1 }
        let reduced = shape.indices.filter { !kept.contains($0) }
        let keptShape = kept.map { shape[$0] }
        if Layout.contiguousStrides(keptShape) != kept.map({ out.layout.strides[$0] })
            && keptShape.contains(where: { $0 > 1 })
        {
            throw BackendError.missingKernel("reduce into a non-contiguous result")
        }
        let order = kept + reduced
        let moved = KernelOperand(
            base: src.base,
            layout: Layout(
                shape: order.map { shape[$0] },
                strides: order.map { src.layout.strides[$0] },
                offset: src.layout.offset), dtype: src.dtype)
        let (rowsOperand, temp) = try contiguous(moved)
        defer { if let temp { deallocate(temp, bytes: 0) } }
        let rows = keptShape.reduce(1, *)
        let dense = KernelOperand(
            base: out.base, layout: Layout(shape: [rows], strides: [1], offset: out.layout.offset),
            dtype: out.dtype)
        try CUDAKernels.reduceRows(
            op, src: rowsOperand, out: dense, rows: rows, n: src.layout.count / Swift.max(rows, 1))
    }
    package static func argReduceRows(
        isMax: Bool, _ src: KernelOperand, values: KernelOperand?, indices: KernelOperand,
        rows: Int, n: Int
    ) throws {
        var temp: UnsafeMutableRawPointer? = nil
        defer { if let temp { deallocate(temp, bytes: 0) } }
        var vals = values
        if vals == nil {
            temp = try allocate(Swift.max(rows * src.dtype.itemSize, 1))
            vals = KernelOperand(base: temp!, layout: Layout(shape: [rows]), dtype: src.dtype)
        }
        try CUDAKernels.argReduceRows(isMax: isMax, src: src, values: vals!, indices: indices, rows: rows, n: n)
    }
    package static func scanRows(isProduct: Bool, _ src: KernelOperand, _ out: KernelOperand, rows: Int, n: Int) throws
    {
        throw BackendError.missingKernel(isProduct ? "cumprod" : "cumsum")
    }
    package static func sortRows(
        _ src: KernelOperand, values: KernelOperand, indices: KernelOperand, rows: Int, n: Int,
        descending: Bool
    ) throws {
        throw BackendError.missingKernel("sort")
    }
    package static func selectRows(
        _ src: KernelOperand, _ out: KernelOperand, rows: Int, n: Int, positions: [Int]
    ) throws {
        throw BackendError.missingKernel("select (median, quantile)")
    }

    package static func gather(_ out: KernelOperand, _ src: KernelOperand, offsets: [Int]) throws {
        try CUDAKernels.indexed(scatterAdd: false, out: out, src: src, offsets: offsets)
    }
    package static func scatter(_ out: KernelOperand, _ src: KernelOperand, offsets: [Int], accumulate: Bool) throws {
        if !accumulate { throw BackendError.missingKernel("scatter") }
        try CUDAKernels.indexed(scatterAdd: true, out: out, src: src, offsets: offsets)
    }

    package static func gemm(_ c: KernelOperand, _ a: KernelOperand, _ b: KernelOperand, beta: Double) throws {
        if !a.dtype.isFloatingPoint { throw BackendError.missingKernel("matmul of \(a.dtype)") }
        let r = a.layout.rank
        let m = a.layout.shape[r - 2], k = a.layout.shape[r - 1], n = b.layout.shape[r - 1]
        if m == 0 || n == 0 { return }
        if k == 0 && beta == 0 { try fill(c, 0, exactInt: 0); return }
        if !c.layout.isContiguous { throw BackendError.missingKernel("matmul into a non-contiguous result") }
        let (ac, ta) = try contiguous(a), (bc, tb) = try contiguous(b)
        defer {
            if let ta { deallocate(ta, bytes: 0) }
            if let tb { deallocate(tb, bytes: 0) }
        }
        let batch = Swift.max(1, a.layout.shape.dropLast(2).reduce(1, *))
        try CUDAKernels.gemm(
            a: CUDAKernels.address(ac), b: CUDAKernels.address(bc), c: CUDAKernels.address(c),
            m: m, n: n, k: k, batch: batch, strideA: m * k, strideB: k * n, strideC: m * n,
            beta: beta, dtype: a.dtype)
    }

    /// cuBLAS multiplies float16 and bfloat16 natively (accumulating in float32).
    package static func gemmComputeType(_ dtype: DType) -> DType { dtype }

    package static func im2col(_ cols: KernelOperand, _ x: KernelOperand, _ window: Window2D) throws {
        throw BackendError.missingKernel("im2col")
    }
    package static func col2im(_ out: KernelOperand, _ cols: KernelOperand, _ window: Window2D) throws {
        throw BackendError.missingKernel("col2im")
    }
    package static func maxPool2dIndices(_ x: KernelOperand, _ window: Window2D) throws -> [Int] {
        throw BackendError.missingKernel("max_pool2d indices")
    }
    package static func softmaxRows(_ src: KernelOperand, _ out: KernelOperand, rows: Int, n: Int, log: Bool) throws {
        try CUDAKernels.softmaxRows(src: src, out: out, rows: rows, n: n, log: log)
    }

    package static func depthwiseConv2d(
        _ out: KernelOperand, _ x: KernelOperand, weight: KernelOperand, bias: KernelOperand?,
        _ geometry: DepthwiseGeometry
    ) throws {
        throw BackendError.missingKernel("depthwise conv2d")
    }

    package static func directConv2d(
        _ out: KernelOperand, _ x: KernelOperand, weight: KernelOperand, bias: KernelOperand?,
        _ geometry: DirectConvGeometry
    ) throws {
        throw BackendError.missingKernel("direct conv2d")
    }

    package static func directConv2dWeightGrad(
        _ out: KernelOperand, _ x: KernelOperand, grad: KernelOperand, _ geometry: DirectConvGeometry
    ) throws -> Bool {
        throw BackendError.missingKernel("direct conv2d weight gradient")
    }

    package static func resample2d(_ out: KernelOperand, _ x: KernelOperand, _ taps: Resample2DTaps) throws {
        throw BackendError.missingKernel("resample2d")
    }

    package static func layerNormRows(
        _ x: KernelOperand, _ out: KernelOperand, mean: KernelOperand, rstd: KernelOperand, weight: KernelOperand?,
        bias: KernelOperand?, rows: Int, n: Int, eps: Double
    ) throws {
        throw BackendError.missingKernel("layer_norm")
    }

    package static func addScaled(_ y: KernelOperand, _ x: KernelOperand, alpha: Double) throws {
        throw BackendError.missingKernel("axpy")
    }
    package static func philox(kind: Int, _ out: KernelOperand, key: UInt64, start: UInt64) throws {
        try CUDAKernels.philox(kind: kind, out: CUDAKernels.address(out), n: out.layout.count, key: key, start: start)
    }
    package static func lstmCellForward(_ o: LSTMCellOperands) throws { throw BackendError.missingKernel("LSTM cell") }
    package static func lstmCellBackward(_ o: LSTMCellOperands) throws { throw BackendError.missingKernel("LSTM cell") }
    package static func linalg(_ op: LinalgOp, _ o: LinalgOperands) throws {
        throw BackendError.missingKernel("linalg \(op.rawValue) (cuSOLVER)")
    }
    package static func fft(_ kind: FFTKind, _ out: KernelOperand, _ x: KernelOperand, rows: Int, n: Int) throws {
        throw BackendError.missingKernel("fft (cuFFT)")
    }
}
