import TorchBase
#if canImport(Glibc)
    import Glibc
#endif

/// The CPU backend: the `Backend` contract over host memory (SIMD loops, the worker pool, OpenBLAS).
/// Fast paths (small contiguous float32, vectorised transcendental kernels) are chosen inside the
/// kernels this forwards to, never by core.
///
/// ```swift
/// try CPUBackend.binary(.add, out, a, b)   // called by core's router only
/// ```
package enum CPUBackend: Backend {
    package static var name: String { "cpu" }
    package static func supports(_ family: KernelFamily, _ dtype: DType) -> Bool {
        switch family {
        case .lstmCell, .window2D, .addScaled: return dtype.isFloatingPoint && dtype.computeType == dtype
        case .linalg: return (dtype.isFloatingPoint && dtype.computeType == dtype) || dtype.isComplex
        case .philox: return false
        case .layerNorm, .depthwiseConv, .directConv, .resample2d: return dtype == .float32
        }
    }

    package static func allocate(_ bytes: Int) throws -> UnsafeMutableRawPointer { CPUAllocator.shared.allocate(bytes) }
    package static func deallocate(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        CPUAllocator.shared.deallocate(pointer, bytes: bytes)
    }
    package static func upload(_ dst: UnsafeMutableRawPointer, from host: UnsafeRawPointer, bytes: Int) throws {
        if bytes > 0 { dst.copyMemory(from: host, byteCount: bytes) }
    }
    package static func download(_ host: UnsafeMutableRawPointer, from src: UnsafeRawPointer, bytes: Int) throws {
        if bytes > 0 { host.copyMemory(from: src, byteCount: bytes) }
    }

    package static func copy(_ dst: KernelOperand, _ src: KernelOperand) throws { CPUKernels.copy(dst, src) }
    package static func fill(_ dst: KernelOperand, _ value: Double, exactInt: Int64?) throws {
        CPUKernels.fill(dst, value, exactInt: exactInt)
    }
    package static func map<F: BinaryFunction>(
        _ f: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand
    ) throws {
        CPUElementwise.map(f, out, a, b)
    }
    package static func test<F: BinaryPredicate>(
        _ f: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand
    ) throws {
        CPUElementwise.test(f, out, a, b)
    }
    package static func mapFlat<F: BinaryFunction>(
        _ f: F.Type, _ dtype: DType, out: UnsafeMutableRawPointer, a: UnsafeRawPointer, b: UnsafeRawPointer,
        count: Int
    ) throws {
        CPUElementwise.mapFlat(f, dtype, out: out, a: a, b: b, count: count)
    }
    package static func whereSelect(
        _ out: KernelOperand, _ condition: KernelOperand, _ a: KernelOperand,
        _ b: KernelOperand
    ) throws {
        CPUKernels.whereSelect(out, condition, a, b)
    }

    package static func reduce(_ op: ReduceOp, _ out: KernelOperand, _ src: KernelOperand) throws {
        CPUKernels.reduce(op, out, src)
    }
    package static func argReduceRows(
        isMax: Bool, _ src: KernelOperand, values: KernelOperand?, indices: KernelOperand,
        rows: Int, n: Int
    ) throws {
        CPUKernels.argReduce(
            isMax: isMax, src: src, rows: rows, n: n, values: values, indices: indices.pointer(Int64.self))
    }
    package static func scanRows(isProduct: Bool, _ src: KernelOperand, _ out: KernelOperand, rows: Int, n: Int) throws
    {
        CPUKernels.scan(isProduct: isProduct, src: src, out: out, rows: rows, n: n)
    }
    package static func sortRows(
        _ src: KernelOperand, values: KernelOperand, indices: KernelOperand, rows: Int, n: Int,
        descending: Bool
    ) throws {
        CPUKernels.sortRows(
            src: src, values: values, indices: indices.pointer(Int64.self), rows: rows, n: n,
            descending: descending)
    }

    package static func selectRows(
        _ src: KernelOperand, _ out: KernelOperand, rows: Int, n: Int, positions: [Int]
    ) throws {
        CPUKernels.selectRows(src: src, out: out, rows: rows, n: n, positions: positions)
    }

    package static func gather(_ out: KernelOperand, _ src: KernelOperand, offsets: [Int]) throws {
        let size = src.dtype.itemSize
        CPUKernels.gatherElements(
            dst: out.base + out.layout.offset * size, src: src.base + src.layout.offset * size,
            offsets: offsets, itemSize: size)
    }
    package static func scatter(_ out: KernelOperand, _ src: KernelOperand, offsets: [Int], accumulate: Bool) throws {
        let size = src.dtype.itemSize
        let dst = out.base + out.layout.offset * size, from = src.base + src.layout.offset * size
        if accumulate {
            CPUKernels.scatterAdd(dst: dst, src: from, offsets: offsets, dtype: out.dtype)
        } else {
            CPUKernels.scatterElements(dst: dst, src: from, offsets: offsets, itemSize: size)
        }
    }

    package static func gemm(_ c: KernelOperand, _ a: KernelOperand, _ b: KernelOperand, beta: Double) throws {
        let r = a.layout.rank
        let m = a.layout.shape[r - 2], k = a.layout.shape[r - 1], n = b.layout.shape[r - 1]
        if m == 0 || n == 0 { return }
        if k == 0 && beta == 0 { CPUKernels.fill(c, 0, exactInt: 0); return }
        // Element offsets of each matrix of the batch (the layouts without their last two dims).
        func batchOffsets(_ o: KernelOperand) -> [Int] {
            Layout(
                shape: Array(o.layout.shape.dropLast(2)), strides: Array(o.layout.strides.dropLast(2)),
                offset: o.layout.offset
            ).elementOffsets()
        }
        let ao = batchOffsets(a), bo = batchOffsets(b), co = batchOffsets(c)
        if a.dtype.isComplex {
            let (sa, sb, sc) = (a.layout.strides, b.layout.strides, c.layout.strides)
            func run<T: FloatScalar>(_: T.Type) {
                let ap = a.base.assumingMemoryBound(to: Complex<T>.self)
                let bp = b.base.assumingMemoryBound(to: Complex<T>.self)
                let cp = c.base.assumingMemoryBound(to: Complex<T>.self)
                Parallel.forRange(ao.count, grain: 1) { range in
                    for i in range {
                        CPUKernels.complexGemm(
                            T.self, m: m, n: n, k: k, a: ap + ao[i], aRow: sa[r - 2], aCol: sa[r - 1], b: bp + bo[i],
                            bRow: sb[r - 2], bCol: sb[r - 1], c: cp + co[i], cRow: sc[r - 2], beta: beta)
                    }
                }
            }
            if a.dtype == .complex64 { run(Float.self) } else { run(Double.self) }
            return
        }
        if a.dtype == .bfloat16 {
            // Note [bfloat16 GEMM]: float32 sums rounded once (only when gemmComputeType chose it).
            let (sa, sb, sc) = (a.layout.strides, b.layout.strides, c.layout.strides)
            let ap = a.base.assumingMemoryBound(to: BFloat16.self), bp = b.base.assumingMemoryBound(to: BFloat16.self)
            let cp = c.base.assumingMemoryBound(to: BFloat16.self)
            for i in 0..<ao.count {
                CPUKernels.bf16Gemm(
                    m: m, n: n, k: k, a: ap + ao[i], aRow: sa[r - 2], aCol: sa[r - 1], b: bp + bo[i], bRow: sb[r - 2],
                    bCol: sb[r - 1], c: cp + co[i], cRow: sc[r - 2], beta: beta)
            }
            return
        }
        a.dtype.dispatchNative(GemmVisitor(a: a, b: b, c: c, ao: ao, bo: bo, co: co, m: m, n: n, k: k, beta: beta))
    }

    struct GemmVisitor: KernelVisitor {
        let a: KernelOperand, b: KernelOperand, c: KernelOperand, ao: [Int], bo: [Int], co: [Int]
        let m: Int, n: Int, k: Int, beta: Double
        func visitNative<T: NativeScalar>(_: T.Type) {
            let r = a.layout.rank
            let ap = a.base.assumingMemoryBound(to: T.self), bp = b.base.assumingMemoryBound(to: T.self)
            let cp = c.base.assumingMemoryBound(to: T.self)
            let (sa, sb, sc) = (a.layout.strides, b.layout.strides, c.layout.strides)
            func product(_ i: Int) {
                CPUKernels.gemm(
                    T.self, m: m, n: n, k: k,
                    a: ap + ao[i], aRow: sa[r - 2], aCol: sa[r - 1],
                    b: bp + bo[i], bRow: sb[r - 2], bCol: sb[r - 1],
                    c: cp + co[i], cRow: sc[r - 2], beta: T(fromDouble: beta))
            }
            // A batch of products too small for `gemm` to split (attention's [128, 64] · [64, 128]
            // per head) runs its products on different threads instead, one after another each.
            let work = m * n * Swift.max(k, 1)
            if ao.count > 1 && work < CPUKernels.gemmSplitWork {
                Parallel.forRange(ao.count, grain: Swift.max(1, CPUKernels.gemmSplitWork / work)) { range in
                    for i in range { product(i) }
                }
                return
            }
            for i in 0..<ao.count { product(i) }
        }
    }

    package static func gemmComputeType(_ dtype: DType) -> DType {
        // bfloat16 operands go to the AMX kernel as they are (Note [bfloat16 GEMM]).
        dtype == .bfloat16 && CPUKernels.bf16GemmAvailable ? .bfloat16 : dtype.computeType
    }

    package static func im2col(_ cols: KernelOperand, _ x: KernelOperand, _ window: Window2D) throws {
        CPUKernels.im2col2d(
            x.dtype, x: x.base + x.layout.offset * x.dtype.itemSize,
            cols: cols.base + cols.layout.offset * cols.dtype.itemSize, window)
    }
    package static func col2im(_ out: KernelOperand, _ cols: KernelOperand, _ window: Window2D) throws {
        CPUKernels.col2im2d(
            cols.dtype, cols: cols.base + cols.layout.offset * cols.dtype.itemSize,
            out: out.base + out.layout.offset * out.dtype.itemSize, window)
    }
    package static func maxPool2dIndices(_ x: KernelOperand, _ window: Window2D) throws -> [Int] {
        CPUKernels.maxPool2dIndices(x.dtype, x: x.base + x.layout.offset * x.dtype.itemSize, window)
    }
    package static func softmaxRows(_ src: KernelOperand, _ out: KernelOperand, rows: Int, n: Int, log: Bool) throws {
        CPUKernels.softmaxRows(src: src, out: out, rows: rows, n: n, log: log)
    }

    package static func depthwiseConv2d(
        _ out: KernelOperand, _ x: KernelOperand, weight: KernelOperand, bias: KernelOperand?,
        _ geometry: DepthwiseGeometry
    ) throws {
        CPUKernels.depthwiseConv2d(out, x, weight: weight, bias: bias, geometry)
    }
    package static func directConv2d(
        _ out: KernelOperand, _ x: KernelOperand, weight: KernelOperand, bias: KernelOperand?,
        _ geometry: DirectConvGeometry
    ) throws {
        CPUKernels.directConv2d(out, x, weight: weight, bias: bias, geometry)
    }
    package static func directConv2dWeightGrad(
        _ out: KernelOperand, _ x: KernelOperand, grad: KernelOperand, _ geometry: DirectConvGeometry
    ) throws -> Bool {
        CPUKernels.directConv2dWeightGrad(out, x, grad: grad, geometry)
    }
    package static func resample2d(_ out: KernelOperand, _ x: KernelOperand, _ taps: Resample2DTaps) throws {
        CPUKernels.resample2d(out, x, taps)
    }
    package static func layerNormRows(
        _ x: KernelOperand, _ out: KernelOperand, mean: KernelOperand, rstd: KernelOperand, weight: KernelOperand?,
        bias: KernelOperand?, rows: Int, n: Int, eps: Double
    ) throws {
        guard x.dtype == .float32 else { throw BackendError.missingKernel("layer_norm (\(x.dtype))") }
        CPUKernels.layerNormRows(x, out, mean: mean, rstd: rstd, weight: weight, bias: bias, rows: rows, n: n, eps: eps)
    }

    package static func addScaled(_ y: KernelOperand, _ x: KernelOperand, alpha: Double) throws {
        let size = y.dtype.itemSize
        CPUKernels.axpy(
            y.dtype, y.layout.count, alpha: alpha, x: x.base + x.layout.offset * size,
            y: y.base + y.layout.offset * size)
    }
    package static func philox(kind: Int, _ out: KernelOperand, key: UInt64, start: UInt64) throws {
        // The CPU draws from core's own generator (as PyTorch's CPU generator differs from CUDA's).
        throw BackendError.missingKernel("philox on the CPU")
    }
    package static func lstmCellForward(_ o: LSTMCellOperands) throws {
        func p(_ x: KernelOperand) -> UnsafeMutableRawPointer { x.base + x.layout.offset * x.dtype.itemSize }
        CPUKernels.lstmCellForward(
            o.pre.dtype, batch: o.batch, hidden: o.hidden, pre: p(o.pre), cPrev: p(o.cPrev),
            act: p(o.act), c: p(o.c), tc: p(o.tanhC), h: p(o.h))
    }
    package static func linalg(_ op: LinalgOp, _ o: LinalgOperands) throws {
        if o.a.dtype.isComplex {
            ComplexLAPACKKernel(op: op, o: o).run()
        } else {
            o.a.dtype.dispatchFloat(LAPACKKernel(op: op, o: o))
        }
    }
    package static func fft(_ kind: FFTKind, _ out: KernelOperand, _ x: KernelOperand, rows: Int, n: Int) throws {
        CPUKernels.fft(kind, out, x, rows: rows, n: n)
    }
    package static func lstmCellBackward(_ o: LSTMCellOperands) throws {
        // Backward reuses the operand slots: `h` holds dh, `c` holds dc, `pre` receives dGates.
        func p(_ x: KernelOperand) -> UnsafeMutableRawPointer { x.base + x.layout.offset * x.dtype.itemSize }
        CPUKernels.lstmCellBackward(
            o.act.dtype, batch: o.batch, hidden: o.hidden, act: p(o.act), tc: p(o.tanhC),
            cPrev: p(o.cPrev), dh: p(o.h), dc: p(o.c), dGates: p(o.pre))
    }
}

/// The CPU worker pool, for core's parallel loops (`Torch.parallelFor`).
package enum CPUThreads {
    package static var count: Int {
        get { Parallel.threadCount }
        set { Parallel.threadCount = newValue }
    }
    package static var grain: Int { Parallel.grain }
    package static func forRange(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        Parallel.forRange(count, grain: grain, body)
    }
}
