import TorchBase
import _CCuda

/// The CUDA backend's kernels, with the same op families as the CPU backend. Operands carry a
/// device address in `base` (a pointer value never dereferenced on the host).
@_spi(Kernels) public enum CUDAKernels {
    @inline(__always) static func address(_ o: KernelOperand) -> UInt64 {
        UInt64(UInt(bitPattern: o.base)) + UInt64(o.layout.offset * o.dtype.itemSize)
    }

    /// Merges dimensions that are contiguous for every operand and drops size-1 ones (≤ 8 remain
    /// for any layout that came from views of ≤ 8-d tensors; more traps).
    static func geometry(_ shape: [Int], _ ops: [Layout]) -> [Int64] {
        var sh: [Int] = [], st: [[Int]] = ops.map { _ in [] }
        for d in 0..<shape.count where shape[d] != 1 {
            if let last = sh.indices.last, ops.indices.allSatisfy({ st[$0][last] == ops[$0].strides[d] * shape[d] }) {
                sh[last] *= shape[d]
                for j in ops.indices { st[j][last] = ops[j].strides[d] }
            } else {
                sh.append(shape[d])
                for j in ops.indices { st[j].append(ops[j].strides[d]) }
            }
        }
        precondition(sh.count <= 8, "CUDA kernels support at most 8 non-mergeable dimensions, got \(sh.count)")
        var g = [Int64](repeating: 0, count: 1 + 8 + 32 + 4)
        g[0] = Int64(sh.count)
        for (i, s) in sh.enumerated() { g[1 + i] = Int64(s) }
        for j in ops.indices { for (i, s) in st[j].enumerated() { g[9 + j * 8 + i] = Int64(s) } }
        for j in ops.indices { g[41 + j] = Int64(ops[j].offset) }
        return g
    }

    /// Runs `out = expr(ins...)` element-wise.
    static func map(_ tag: String, _ expr: @autoclosure () -> String, out: KernelOperand, ins: [KernelOperand]) throws {
        let rt = try CUDARuntime.get()
        rt.bind()
        let n = out.layout.count
        if n == 0 { return }
        let contiguous =
            out.layout.isContiguous && ins.allSatisfy { $0.layout.isContiguous && $0.layout.shape == out.layout.shape }
        let name = "k_\(tag)_\(contiguous ? "c" : "s")"
        let fn = try rt.function(name) {
            KernelSource.map(
                name: name, expr: expr(), outType: out.dtype, inTypes: ins.map { $0.dtype }, contiguous: contiguous)
        }
        var ptrs: [UInt64] =
            contiguous
            ? [address(out)] + ins.map(address)
            : [UInt64(UInt(bitPattern: out.base))] + ins.map { UInt64(UInt(bitPattern: $0.base)) }
        var count = Int64(n)
        var geo = contiguous ? [] : geometry(out.layout.shape, [out.layout] + ins.map { $0.layout })
        try ptrs.withUnsafeMutableBufferPointer { pp in
            try withUnsafeMutablePointer(to: &count) { cp in
                try geo.withUnsafeMutableBufferPointer { gp in
                    var args: [UnsafeMutableRawPointer?] = (0..<pp.count).map {
                        UnsafeMutableRawPointer(pp.baseAddress! + $0)
                    }
                    args.append(UnsafeMutableRawPointer(cp))
                    if !contiguous { args.append(UnsafeMutableRawPointer(gp.baseAddress!)) }
                    try rt.launch(fn, n: n, &args)
                }
            }
        }
    }

    public static func copy(_ dst: KernelOperand, _ src: KernelOperand) throws {
        if dst.dtype == src.dtype && dst.layout.isContiguous && src.layout.isContiguous {
            let bytes = dst.layout.count * dst.dtype.itemSize
            if bytes > 0 {
                try CUDARuntime.check(ccu_memcpy_dtod(address(dst), address(src), bytes, nil), "cuMemcpyDtoD")
            }
            return
        }
        try map(
            "cast_\(src.dtype)_\(dst.dtype)", KernelSource.convert("x", from: src.dtype, to: dst.dtype), out: dst,
            ins: [src])
    }

    public static func fill(_ dst: KernelOperand, _ value: Double, exactInt: Int64?) throws {
        if value == 0 && dst.layout.isContiguous {
            let bytes = dst.layout.count * dst.dtype.itemSize
            if bytes > 0 { try CUDARuntime.check(ccu_memset_d8(address(dst), 0, bytes, nil), "cuMemsetD8") }
            return
        }
        let literal: String
        if let i = exactInt, !dst.dtype.isFloatingPoint {
            literal = "\(i)LL"
        } else if value.isNaN {
            literal = "__longlong_as_double(0x7ff8000000000000LL)"
        } else if value.isInfinite {
            literal =
                value > 0 ? "__longlong_as_double(0x7ff0000000000000LL)" : "-__longlong_as_double(0x7ff0000000000000LL)"
        } else {
            literal = "(double)\(value)"
        }
        let expr = KernelSource.convert(
            "(\(literal))", from: exactInt != nil && !dst.dtype.isFloatingPoint ? .int64 : .float64, to: dst.dtype)
        try map("fill_\(dst.dtype)_\(KernelCache.digest(literal))", expr, out: dst, ins: [])
    }

    /// `out = F(a)` with `F`'s CUDA expression (Note [Element functions]).
    public static func map<F: UnaryFunction>(_: F.Type, _ out: KernelOperand, _ a: KernelOperand) throws {
        try map("u_\(F.name)_\(a.dtype)", F.cuda(CUDAType(a.dtype)), out: out, ins: [a])
    }

    /// `out = F(a, b)` with `F`'s CUDA expression (Note [Element functions]).
    public static func map<F: BinaryFunction>(
        _: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand
    ) throws {
        try map("b_\(F.name)_\(a.dtype)", F.cuda(CUDAType(a.dtype)), out: out, ins: [a, b])
    }

    /// `out = F(a, b)` (bool) with `F`'s CUDA expression.
    public static func test<F: BinaryPredicate>(
        _: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand
    ) throws {
        try map("p_\(F.name)_\(a.dtype)", F.cuda(CUDAType(a.dtype)), out: out, ins: [a, b])
    }

    public static func whereSelect(_ out: KernelOperand, _ cond: KernelOperand, _ a: KernelOperand, _ b: KernelOperand)
        throws
    {
        try map("where_\(a.dtype)", "(x ? y : z)", out: out, ins: [cond, a, b])
    }

    /// `out = F(a)` (bool) with `F`'s CUDA expression.
    public static func test<F: UnaryPredicate>(_: F.Type, _ out: KernelOperand, _ a: KernelOperand) throws {
        try map("t_\(F.name)_\(a.dtype)", F.cuda(CUDAType(a.dtype)), out: out, ins: [a])
    }

    /// Reduces each row of a contiguous [rows, n] input into `out` (contiguous, rows elements);
    /// long rows are reduced in two passes so that every SM takes part.
    public static func reduceRows(_ op: ReduceOp, src: KernelOperand, out: KernelOperand, rows: Int, n: Int) throws {
        let rt = try CUDARuntime.get()
        rt.bind()
        let name = "r_\(op.rawValue)_\(src.dtype)"
        let fn = try rt.function(name) { KernelSource.reduceRows(name: name, op: op, src.dtype) }
        func run(_ input: UInt64, _ output: UInt64, _ rows: Int, _ n: Int, _ chunks: Int) throws {
            var a = input, o = output, r = Int64(rows), nn = Int64(n), c = Int64(chunks)
            try withUnsafeMutablePointer(to: &a) { ap in
                try withUnsafeMutablePointer(to: &o) { op in
                    try withUnsafeMutablePointer(to: &r) { rp in
                        try withUnsafeMutablePointer(to: &nn) { np in
                            try withUnsafeMutablePointer(to: &c) { cp in
                                var args: [UnsafeMutableRawPointer?] = [
                                    UnsafeMutableRawPointer(ap), UnsafeMutableRawPointer(op),
                                    UnsafeMutableRawPointer(rp), UnsafeMutableRawPointer(np),
                                    UnsafeMutableRawPointer(cp),
                                ]
                                try rt.launch(fn, n: rows * chunks * 256, block: 256, maxBlocks: 65536, &args)
                            }
                        }
                    }
                }
            }
        }
        let chunks = rows >= 1024 || n < 65536 ? 1 : Swift.min(1024, (n + 65535) / 65536 * 4)
        if chunks == 1 {
            try run(address(src), address(out), rows, n, 1)
            return
        }
        let partial = try rt.allocator.allocate(rows * chunks * src.dtype.itemSize)
        defer { rt.allocator.free(partial) }
        try run(address(src), partial, rows, n, chunks)
        try run(partial, address(out), rows, chunks, 1)
    }

    /// Softmax (or log-softmax) of each row of a contiguous [rows, n] input.
    public static func softmaxRows(src: KernelOperand, out: KernelOperand, rows: Int, n: Int, log: Bool) throws {
        let rt = try CUDARuntime.get()
        rt.bind()
        let cached = n * src.dtype.itemSize <= 40 * 1024
        let name = "softmax_\(log ? "log" : "exp")_\(cached ? "c" : "g")_\(src.dtype)"
        let fn = try rt.function(name) { KernelSource.softmaxRows(name: name, log: log, cached: cached, src.dtype) }
        var ptrs = [address(src), address(out)]
        var dims = [Int64(rows), Int64(n)]
        try ptrs.withUnsafeMutableBufferPointer { p in
            try dims.withUnsafeMutableBufferPointer { d in
                let pb: UnsafeMutablePointer<UInt64> = p.baseAddress!
                let db: UnsafeMutablePointer<Int64> = d.baseAddress!
                var args: [UnsafeMutableRawPointer?] = [
                    UnsafeMutableRawPointer(pb), UnsafeMutableRawPointer(pb + 1),
                    UnsafeMutableRawPointer(db), UnsafeMutableRawPointer(db + 1),
                ]
                let block = n >= 16384 ? 1024 : (n >= 2048 ? 512 : 128)
                try rt.launch(
                    fn, n: rows * block, block: block, maxBlocks: 65536, shared: cached ? n * src.dtype.itemSize : 0,
                    &args)
            }
        }
    }

    /// Fills a contiguous float32 (kind 0) or float64 (kinds 1, 2) buffer with Philox numbers.
    public static func philox(kind: Int, out: UInt64, n: Int, key: UInt64, start: UInt64) throws {
        let rt = try CUDARuntime.get()
        rt.bind()
        if n == 0 { return }
        let name = "philox\(kind)"
        let fn = try rt.function(name) { KernelSource.philox(name: name, kind: kind) }
        var o = out, nn = Int64(n), k = key, st = start
        try withUnsafeMutablePointer(to: &o) { op in
            try withUnsafeMutablePointer(to: &nn) { np in
                try withUnsafeMutablePointer(to: &k) { kp in
                    try withUnsafeMutablePointer(to: &st) { sp in
                        var args: [UnsafeMutableRawPointer?] = [
                            UnsafeMutableRawPointer(op), UnsafeMutableRawPointer(np),
                            UnsafeMutableRawPointer(kp), UnsafeMutableRawPointer(sp),
                        ]
                        try rt.launch(fn, n: n, &args)
                    }
                }
            }
        }
    }

    /// First max/min of each row of a contiguous [rows, n] input: values and int64 indices.
    public static func argReduceRows(
        isMax: Bool, src: KernelOperand, values: KernelOperand, indices: KernelOperand,
        rows: Int, n: Int
    ) throws {
        let rt = try CUDARuntime.get()
        rt.bind()
        let name = "arg\(isMax ? "max" : "min")_\(src.dtype)"
        let fn = try rt.function(name) { KernelSource.argReduceRows(name: name, isMax: isMax, src.dtype) }
        var ptrs = [address(src), address(values), address(indices)]
        var dims = [Int64(rows), Int64(n)]
        try ptrs.withUnsafeMutableBufferPointer { p in
            try dims.withUnsafeMutableBufferPointer { d in
                let pb: UnsafeMutablePointer<UInt64> = p.baseAddress!
                let db: UnsafeMutablePointer<Int64> = d.baseAddress!
                var args: [UnsafeMutableRawPointer?] = []
                for i in 0..<3 { args.append(UnsafeMutableRawPointer(pb + i)) }
                for i in 0..<2 { args.append(UnsafeMutableRawPointer(db + i)) }
                try rt.launch(fn, n: rows, &args)
            }
        }
    }

    /// `out[i] = src[offsets[i]]` (gather) or `out[offsets[i]] += src[i]` (scatter-add) with the
    /// offsets (element indices) uploaded to the device.
    public static func indexed(scatterAdd: Bool, out: KernelOperand, src: KernelOperand, offsets: [Int]) throws {
        let rt = try CUDARuntime.get()
        rt.bind()
        if offsets.isEmpty { return }
        let name = "\(scatterAdd ? "scatteradd" : "gather")_\(src.dtype)"
        let fn = try rt.function(name) { KernelSource.indexKernel(name: name, scatterAdd: scatterAdd, src.dtype) }
        let bytes = offsets.count * 8
        let dev = try rt.allocator.allocate(bytes)
        defer { rt.allocator.free(dev) }
        try offsets.withUnsafeBytes {
            try CUDARuntime.check(ccu_memcpy_htod(dev, $0.baseAddress, bytes, nil), "cuMemcpyHtoD")
        }
        var ptrs = [address(out), address(src), dev]
        var n = Int64(offsets.count)
        try ptrs.withUnsafeMutableBufferPointer { p in
            try withUnsafeMutablePointer(to: &n) { np in
                let pb: UnsafeMutablePointer<UInt64> = p.baseAddress!
                var args: [UnsafeMutableRawPointer?] = []
                for i in 0..<3 { args.append(UnsafeMutableRawPointer(pb + i)) }
                args.append(UnsafeMutableRawPointer(np))
                try rt.launch(fn, n: offsets.count, &args)
            }
        }
        // The offsets buffer is freed on return: wait for the kernel that reads it.
        try rt.synchronize()
    }

    /// Row-major batched GEMM through cuBLAS: C[b] = A[b] (m×k) · B[b] (k×n), each batch
    /// contiguous, strides in elements (`beta`·C added when non-zero). float32 (TF32 when allowed),
    /// float64, float16, bfloat16.
    public static func gemm(
        a: UInt64, b: UInt64, c: UInt64, m: Int, n: Int, k: Int, batch: Int,
        strideA: Int, strideB: Int, strideC: Int, beta: Double = 0, dtype: DType
    ) throws {
        let rt = try CUDARuntime.get()
        rt.bind()
        let h = try rt.cublasHandle()
        let (dt, compute): (Int32, Int32)
        switch dtype {
        case .float32: dt = 0; compute = CUDARuntime.allowTF32 ? 77 : 68
        case .float64: dt = 1; compute = 70
        case .float16: dt = 2; compute = 68
        case .bfloat16: dt = 14; compute = 68
        case .complex64, .complex128: throw BackendError.missingKernel("cuBLAS complex matmul (cublasCgemm)")
        default: throw CUDAError.unavailable("cuBLAS matmul does not support \(dtype)")
        }
        // Row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ.
        if dtype == .float64 {
            var one = 1.0, zero = beta
            try CUDARuntime.check(
                ccu_cublas_gemm_strided_batched(
                    h, 0, 0, Int32(n), Int32(m), Int32(k), &one, b, dt, Int32(n), Int64(strideB),
                    a, dt, Int32(k), Int64(strideA), &zero, c, dt, Int32(n), Int64(strideC),
                    Int32(batch), compute, -1), "cublasGemmStridedBatchedEx")
        } else {
            var one: Float = 1, zero = Float(beta)
            try CUDARuntime.check(
                ccu_cublas_gemm_strided_batched(
                    h, 0, 0, Int32(n), Int32(m), Int32(k), &one, b, dt, Int32(n), Int64(strideB),
                    a, dt, Int32(k), Int64(strideA), &zero, c, dt, Int32(n), Int64(strideC),
                    Int32(batch), compute, -1), "cublasGemmStridedBatchedEx")
        }
    }

    public static func copyToDevice(_ dst: UInt64, _ src: UnsafeRawPointer, bytes: Int) throws {
        if bytes == 0 { return }
        let rt = try CUDARuntime.get()
        rt.bind()
        try CUDARuntime.check(ccu_memcpy_htod(dst, src, bytes, nil), "cuMemcpyHtoD")
    }

    public static func copyToHost(_ dst: UnsafeMutableRawPointer, _ src: UInt64, bytes: Int) throws {
        if bytes == 0 { return }
        let rt = try CUDARuntime.get()
        rt.bind()
        try CUDARuntime.check(ccu_memcpy_dtoh(dst, src, bytes, nil), "cuMemcpyDtoH")
        try rt.synchronize()
    }
}
