import TorchBase
@_spi(Kernels) import TorchCPU
@_spi(Kernels) import TorchCUDA
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif

// Note [The router]: this file is the one place core turns a device into a backend. Every kernel
// call of core goes through `Kernels`, which picks the backend of the operands' device, turns a
// backend's thrown error into a trap naming the op (ops do not throw), and applies the fallback
// policy of Note [Backend fallback policy] (TorchBase/Backend.swift): a request the device's backend
// has no kernel for runs on the CPU backend over host mirrors of its operands, counted in
// `Torch.backendFallbacks` and announced once per op on standard error. No other file of core or
// of the libraries names a backend type or branches on the device.

/// Routes each op family to the backend of the operands' device (see Note [The router]).
enum Kernels {
    /// The backend that runs kernels for `device`.
    @inline(__always) static func backend(_ device: Device) -> any Backend.Type {
        device.isCUDA ? CUDABackend.self : CPUBackend.self
    }

    /// Whether `device`'s backend implements the optional `family` for operands of `dtype`.
    static func supports(_ family: KernelFamily, _ dtype: DType, on device: Device) -> Bool {
        backend(device).supports(family, dtype)
    }

    /// Runs `body` with `device`'s backend; on `missingKernel` runs it again with the CPU backend
    /// over host mirrors of the operands it names (`Operands.input`/`output`), then writes the
    /// outputs back. Other errors trap with `what` and the device.
    @inline(__always)
    static func run(
        _ device: Device, _ what: @autoclosure () -> String,
        _ body: (any Backend.Type, Operands) throws -> Void
    ) {
        if !device.isCUDA {
            do { try body(CPUBackend.self, Operands.native) } catch { fatalError("\(what()) on \(device): \(error)") }
            return
        }
        do {
            try body(CUDABackend.self, Operands.native)
        } catch BackendError.missingKernel(let missing) {
            Fallbacks.record(what(), device: device, missing: missing)
            let host = HostMirrors(CUDABackend.self)
            do {
                try body(CPUBackend.self, Operands(host: host))
                try host.writeBack()
            } catch { fatalError("\(what()) on \(device) (CPU fallback): \(error)") }
        } catch { fatalError("\(what()) on \(device): \(error)") }
    }

    /// The operands a routed call hands its backend: themselves, or host mirrors of device operands
    /// during a CPU fallback (outputs are copied back after the call).
    struct Operands {
        static var native: Operands { Operands(host: nil) }
        let host: HostMirrors?

        /// An operand the kernel reads.
        @inline(__always) func input(_ x: KernelOperand) -> KernelOperand {
            host.map { $0.mirror(x, isOutput: false) } ?? x
        }
        /// An operand the kernel writes (and may read).
        @inline(__always) func output(_ x: KernelOperand) -> KernelOperand {
            host.map { $0.mirror(x, isOutput: true) } ?? x
        }
    }

    /// Host copies of a device's operands for a CPU fallback.
    final class HostMirrors {
        let device: any Backend.Type
        private var mirrors: [(device: KernelOperand, host: UnsafeMutableRawPointer, bytes: Int, isOutput: Bool)] = []
        init(_ device: any Backend.Type) { self.device = device }
        deinit { for m in mirrors { CPUBackend.deallocate(m.host, bytes: m.bytes) } }

        func mirror(_ x: KernelOperand, isOutput: Bool) -> KernelOperand {
            let bytes = Swift.max(x.layout.extent * x.dtype.itemSize, 1)
            let host: UnsafeMutableRawPointer
            do {
                host = try CPUBackend.allocate(bytes)
                try device.download(host, from: x.base, bytes: x.layout.extent * x.dtype.itemSize)
            } catch { fatalError("copying an operand to the CPU for a fallback: \(error)") }
            mirrors.append((x, host, bytes, isOutput))
            return KernelOperand(base: host, layout: x.layout, dtype: x.dtype)
        }

        func writeBack() throws {
            for m in mirrors where m.isOutput {
                try device.upload(m.device.base, from: m.host, bytes: m.device.layout.extent * m.device.dtype.itemSize)
            }
        }
    }

    /// Counts of CPU fallbacks by op (see `Torch.backendFallbacks`).
    enum Fallbacks {
        static let counts = Mutex<[String: Int]>([:])
        static func record(_ op: String, device: Device, missing: String) {
            let first = counts.withLock { c -> Bool in
                c[op, default: 0] += 1
                return c[op] == 1
            }
            if first {
                fputs("SwiftTorch: \(op) has no kernel on \(device) (\(missing)); running it on the CPU\n", stderr)
            }
        }
    }

    // MARK: memory

    static func allocate(_ bytes: Int, _ device: Device) throws -> UnsafeMutableRawPointer {
        if case .cuda(let i) = device, i != 0 { throw CUDAError.unavailable("only device cuda:0 is supported yet") }
        Profiling.allocated(bytes)
        return try backend(device).allocate(bytes)
    }
    static func deallocate(_ p: UnsafeMutableRawPointer, bytes: Int, _ device: Device) {
        backend(device).deallocate(p, bytes: bytes)
    }

    /// Copies `bytes` contiguous bytes between devices (host ↔ one device).
    static func transfer(
        to dst: UnsafeMutableRawPointer, on target: Device, from src: UnsafeRawPointer, on source: Device,
        bytes: Int
    ) {
        do {
            if target.isCUDA && !source.isCUDA {
                try backend(target).upload(dst, from: src, bytes: bytes)
            } else if !target.isCUDA && source.isCUDA {
                try backend(source).download(dst, from: src, bytes: bytes)
            } else if !target.isCUDA && !source.isCUDA {
                try CPUBackend.upload(dst, from: src, bytes: bytes)
            } else {
                throw CUDAError.unavailable("copies between two GPUs are not supported yet")
            }
        } catch { fatalError("copy between devices (\(source) to \(target)): \(error)") }
    }

    // MARK: op families (one line each: the contract's signature plus the device)

    static func copy(_ dst: KernelOperand, _ src: KernelOperand, _ device: Device) {
        Tracing.checkKernel("copy", dst, src)
        run(device, "copy") { b, o in try b.copy(o.output(dst), o.input(src)) }
    }
    static func fill(_ dst: KernelOperand, _ v: Double, exactInt: Int64?, _ device: Device) {
        Tracing.checkKernel("fill", dst)
        run(device, "fill") { b, o in try b.fill(o.output(dst), v, exactInt: exactInt) }
    }
    /// `out = F(a)`: on the CPU the call is made on the CPU's element loops directly so that they
    /// are specialised for `F` here (Note [Specialised element loops]); other devices go through `run`.
    @inline(__always)
    static func map<F: UnaryFunction>(_ f: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ device: Device) {
        Tracing.checkKernel("\(F.name)", out, a)
        if device == .cpu {
            CPUElementwise.map(f, out, a)
            return
        }
        run(device, F.name) { b, o in try b.map(f, o.output(out), o.input(a)) }
    }
    @inline(__always)
    static func test<F: UnaryPredicate>(_ f: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ device: Device) {
        Tracing.checkKernel("\(F.name)", out, a)
        if device == .cpu {
            CPUElementwise.test(f, out, a)
            return
        }
        run(device, F.name) { b, o in try b.test(f, o.output(out), o.input(a)) }
    }
    /// `out = F(a, b)`, specialised for `F` on the CPU as `map` of a unary function is.
    @inline(__always)
    static func map<F: BinaryFunction>(
        _ f: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ x: KernelOperand, _ device: Device
    ) {
        Tracing.checkKernel("\(F.name)", out, a, x)
        if device == .cpu {
            CPUElementwise.map(f, out, a, x)
            return
        }
        run(device, F.name) { b, o in try b.map(f, o.output(out), o.input(a), o.input(x)) }
    }
    /// `out = F(a, b)` as a bool tensor.
    @inline(__always)
    static func test<F: BinaryPredicate>(
        _ f: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ x: KernelOperand, _ device: Device
    ) {
        Tracing.checkKernel("\(F.name)", out, a, x)
        if device == .cpu {
            CPUElementwise.test(f, out, a, x)
            return
        }
        run(device, F.name) { b, o in try b.test(f, o.output(out), o.input(a), o.input(x)) }
    }
    /// `out = F(a, b)` over `count` contiguous elements (the small-op fast path; every backend has
    /// it, so there is no fallback).
    @inline(__always)
    static func mapFlat<F: BinaryFunction>(
        _ f: F.Type, _ dtype: DType, out: UnsafeMutableRawPointer, a: UnsafeRawPointer,
        b: UnsafeRawPointer, count: Int, _ device: Device
    ) {
        if device == .cpu {
            CPUElementwise.mapFlat(f, dtype, out: out, a: a, b: b, count: count)
            return
        }
        run(device, F.name) { bk, _ in try bk.mapFlat(f, dtype, out: out, a: a, b: b, count: count) }
    }
    static func whereSelect(
        _ out: KernelOperand, _ c: KernelOperand, _ a: KernelOperand, _ x: KernelOperand,
        _ device: Device
    ) {
        Tracing.checkKernel("where", out, c, a, x)
        run(device, "where") { b, o in try b.whereSelect(o.output(out), o.input(c), o.input(a), o.input(x)) }
    }
    static func reduce(_ op: ReduceOp, _ out: KernelOperand, _ src: KernelOperand, _ device: Device) {
        Tracing.checkKernel("\(op.rawValue)", out, src)
        run(device, op.rawValue) { b, o in try b.reduce(op, o.output(out), o.input(src)) }
    }
    static func argReduceRows(
        isMax: Bool, _ src: KernelOperand, values: KernelOperand?, indices: KernelOperand,
        rows: Int, n: Int, _ device: Device
    ) {
        Tracing.checkKernel("argmax", src)
        run(device, isMax ? "argmax" : "argmin") { b, o in
            try b.argReduceRows(
                isMax: isMax, o.input(src), values: values.map(o.output), indices: o.output(indices),
                rows: rows, n: n)
        }
    }
    static func scanRows(
        isProduct: Bool, _ src: KernelOperand, _ out: KernelOperand, rows: Int, n: Int, _ device: Device
    ) {
        Tracing.checkKernel("cumsum", src)
        run(device, isProduct ? "cumprod" : "cumsum") { b, o in
            try b.scanRows(isProduct: isProduct, o.input(src), o.output(out), rows: rows, n: n)
        }
    }
    static func sortRows(
        _ src: KernelOperand, values: KernelOperand, indices: KernelOperand, rows: Int, n: Int,
        descending: Bool, _ device: Device
    ) {
        Tracing.checkKernel("sort", src)
        run(device, "sort") { b, o in
            try b.sortRows(
                o.input(src), values: o.output(values), indices: o.output(indices), rows: rows, n: n,
                descending: descending)
        }
    }
    static func selectRows(
        _ src: KernelOperand, _ out: KernelOperand, rows: Int, n: Int, positions: [Int], _ device: Device
    ) {
        Tracing.checkKernel("select", src)
        run(device, "select") { b, o in
            try b.selectRows(o.input(src), o.output(out), rows: rows, n: n, positions: positions)
        }
    }
    static func gather(_ out: KernelOperand, _ src: KernelOperand, offsets: [Int], _ device: Device) {
        Tracing.checkKernel("gather", src)
        run(device, "gather") { b, o in try b.gather(o.output(out), o.input(src), offsets: offsets) }
    }
    static func scatter(_ out: KernelOperand, _ src: KernelOperand, offsets: [Int], accumulate: Bool, _ device: Device)
    {
        Tracing.checkKernel("scatter", out, src)
        run(device, accumulate ? "scatter_add" : "scatter") { b, o in
            try b.scatter(o.output(out), o.input(src), offsets: offsets, accumulate: accumulate)
        }
    }
    static func gemm(_ c: KernelOperand, _ a: KernelOperand, _ x: KernelOperand, beta: Double, _ device: Device) {
        Tracing.checkKernel("matmul", c, a, x)
        run(device, "matmul") { b, o in try b.gemm(o.output(c), o.input(a), o.input(x), beta: beta) }
    }
    static func gemmComputeType(_ dtype: DType, _ device: Device) -> DType { backend(device).gemmComputeType(dtype) }
    static func im2col(_ cols: KernelOperand, _ x: KernelOperand, _ w: Window2D, _ device: Device) {
        Tracing.checkKernel("im2col", x)
        run(device, "im2col") { b, o in try b.im2col(o.output(cols), o.input(x), w) }
    }
    static func col2im(_ out: KernelOperand, _ cols: KernelOperand, _ w: Window2D, _ device: Device) {
        Tracing.checkKernel("col2im", cols)
        run(device, "col2im") { b, o in try b.col2im(o.output(out), o.input(cols), w) }
    }
    static func maxPool2dIndices(_ x: KernelOperand, _ w: Window2D, _ device: Device) -> [Int] {
        var result: [Int] = []
        run(device, "max_pool2d") { b, o in result = try b.maxPool2dIndices(o.input(x), w) }
        return result
    }
    static func softmaxRows(_ src: KernelOperand, _ out: KernelOperand, rows: Int, n: Int, log: Bool, _ device: Device)
    {
        Tracing.checkKernel("softmax", src)
        run(device, log ? "log_softmax" : "softmax") { b, o in
            try b.softmaxRows(o.input(src), o.output(out), rows: rows, n: n, log: log)
        }
    }
    /// Layer norm of contiguous rows; only where `supports(.layerNorm, …)`.
    static func layerNormRows(
        _ x: KernelOperand, _ out: KernelOperand, mean: KernelOperand, rstd: KernelOperand, weight: KernelOperand?,
        bias: KernelOperand?, rows: Int, n: Int, eps: Double, _ device: Device
    ) {
        Tracing.checkKernel("layer_norm", x)
        run(device, "layer_norm") { b, o in
            try b.layerNormRows(
                o.input(x), o.output(out), mean: o.output(mean), rstd: o.output(rstd),
                weight: weight.map { o.input($0) },
                bias: bias.map { o.input($0) }, rows: rows, n: n, eps: eps)
        }
    }
    /// Direct depthwise 2-D convolution; only where `supports(.depthwiseConv, …)`.
    static func depthwiseConv2d(
        _ out: KernelOperand, _ x: KernelOperand, weight: KernelOperand, bias: KernelOperand?,
        _ geometry: DepthwiseGeometry, _ device: Device
    ) {
        Tracing.checkKernel("conv2d", x)
        run(device, "conv2d") { b, o in
            try b.depthwiseConv2d(
                o.output(out), o.input(x), weight: o.input(weight), bias: bias.map { o.input($0) }, geometry)
        }
    }
    /// Direct stride-1 2-D convolution; only where `supports(.directConv, …)`.
    static func directConv2d(
        _ out: KernelOperand, _ x: KernelOperand, weight: KernelOperand, bias: KernelOperand?,
        _ geometry: DirectConvGeometry, _ device: Device
    ) {
        Tracing.checkKernel("conv2d", x)
        run(device, "conv2d") { b, o in
            try b.directConv2d(
                o.output(out), o.input(x), weight: o.input(weight), bias: bias.map { o.input($0) }, geometry)
        }
    }
    /// The direct convolution's weight gradient; only where `supports(.directConv, …)`. False when
    /// the kernel declined (nothing written).
    static func directConv2dWeightGrad(
        _ out: KernelOperand, _ x: KernelOperand, grad: KernelOperand, _ geometry: DirectConvGeometry,
        _ device: Device
    ) -> Bool {
        Tracing.checkKernel("convolution_backward", x)
        var taken = false
        run(device, "convolution_backward") { b, o in
            taken = try b.directConv2dWeightGrad(o.output(out), o.input(x), grad: o.input(grad), geometry)
        }
        return taken
    }
    /// Direct separable 2-D resampling; only where `supports(.resample2d, …)`.
    static func resample2d(_ out: KernelOperand, _ x: KernelOperand, _ taps: Resample2DTaps, _ device: Device) {
        Tracing.checkKernel("interpolate", x)
        run(device, "interpolate") { b, o in try b.resample2d(o.output(out), o.input(x), taps) }
    }
    /// `y += alpha · x`; only where `supports(.addScaled, …)`.
    static func addScaled(_ y: KernelOperand, _ x: KernelOperand, alpha: Double, _ device: Device) {
        Tracing.checkKernel("add_", y, x)
        run(device, "add_") { b, o in try b.addScaled(o.output(y), o.input(x), alpha: alpha) }
    }
    /// Device-generated random numbers; only where `supports(.philox, …)`.
    static func philox(kind: Int, _ out: KernelOperand, key: UInt64, start: UInt64, _ device: Device) {
        run(device, "random") { b, o in try b.philox(kind: kind, o.output(out), key: key, start: start) }
    }
    /// One fused LSTM step; only where `supports(.lstmCell, …)`.
    static func lstmCell(backward: Bool, _ x: LSTMCellOperands, _ device: Device) {
        run(device, "lstm_cell") { b, o in
            var m = x
            m.pre = o.output(x.pre); m.cPrev = o.input(x.cPrev); m.act = backward ? o.input(x.act) : o.output(x.act)
            m.c = o.output(x.c); m.tanhC = backward ? o.input(x.tanhC) : o.output(x.tanhC)
            m.h = backward ? o.input(x.h) : o.output(x.h)
            if backward { try b.lstmCellBackward(m) } else { try b.lstmCellForward(m) }
        }
    }

    /// One batched factorization or solve; only where `supports(.linalg, …)` (else the CPU's).
    static func linalg(_ op: LinalgOp, _ x: LinalgOperands, _ device: Device) {
        run(device, "linalg.\(op.rawValue)") { b, o in
            var m = x
            m.a = o.output(x.a)
            m.info = o.output(x.info)
            m.b = x.b.map { o.output($0) }
            m.pivots = x.pivots.map { op == .luSolve ? o.input($0) : o.output($0) }
            m.values = x.values.map { o.output($0) }
            m.u = x.u.map { o.output($0) }
            m.vt = x.vt.map { o.output($0) }
            try b.linalg(op, m)
        }
    }

    /// One unnormalised FFT over each row (`Backend.fft`; the CPU's where the device has none).
    static func fft(_ kind: FFTKind, _ out: KernelOperand, _ x: KernelOperand, rows: Int, n: Int, _ device: Device) {
        run(device, "fft") { b, o in try b.fft(kind, o.output(out), o.input(x), rows: rows, n: n) }
    }

    // MARK: CPU threads (core's parallel loops)

    static var threadCount: Int {
        get { CPUThreads.count }
        set { CPUThreads.count = newValue }
    }
    static var grain: Int { CPUThreads.grain }
    static func parallelFor(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        CPUThreads.forRange(count, grain: grain, body)
    }

    // MARK: CPU random numbers

    /// `n` float32 standard normals into host memory from Philox blocks `start`… (four a block).
    static func normalFloat32(_ out: UnsafeMutablePointer<Float>, _ n: Int, key: UInt64, start: UInt64) {
        CPURandom.normalFloat32(out, n, key: key, start: start)
    }
}

extension Tensor {

    /// This tensor on CUDA device `index`.
    public func cuda(_ index: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        to(device: .cuda(index), file: file, line: line)
    }

    /// This tensor in host memory.
    public func cpu(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        to(device: .cpu, file: file, line: line)
    }

    /// Device address of the first element (CUDA tensors only).
    var deviceAddress: UInt64 { UInt64(UInt(bitPattern: storage.data)) + UInt64(layout.offset * itemSize) }

    /// For ops the CUDA backend has no kernel for yet: run on the CPU and bring the result back
    /// (correct, and differentiable through the transfers, but slow).
    func viaCPU(_ f: (Tensor) -> Tensor) -> Tensor {
        device.isCUDA ? f(cpu()).to(device: device) : f(self)
    }
}

extension Torch {
    /// How many times each op ran on the CPU because its device's backend has no kernel for it
    /// (Note [Backend fallback policy]); empty when every op ran where its tensors live.
    ///
    /// ```swift
    /// _ = x.cuda().cumsum(dim: 0)
    /// print(Torch.backendFallbacks)   // ["cumsum": 1]
    /// ```
    public static var backendFallbacks: [String: Int] { Kernels.Fallbacks.counts.withLock { $0 } }

    /// The number of CPU threads kernels split large loops across (`torch.set_num_threads`).
    public static var numThreads: Int {
        get { Kernels.threadCount }
        set { Kernels.threadCount = Swift.max(1, newValue) }
    }

    /// Runs `body` over `0..<count` split into ranges of at least `grain` across the CPU threads
    /// (on the calling thread alone when `count` is below `grain`).
    ///
    /// ```swift
    /// Torch.parallelFor(n, grain: 4096) { r in for i in r { out[i] = f(i) } }
    /// ```
    public static func parallelFor(_ count: Int, grain: Int = 32_768, _ body: (Range<Int>) -> Void) {
        Kernels.parallelFor(count, grain: grain, body)
    }

    /// CUDA availability and memory statistics (`torch.cuda`).
    public enum CUDA {
        /// Whether a CUDA driver and device can be used (`torch.cuda.is_available`).
        /// `if Torch.CUDA.isAvailable { ... }`
        public static var isAvailable: Bool { CUDARuntime.isAvailable }
        /// The number of CUDA devices (`torch.cuda.device_count`).
        public static var deviceCount: Int { CUDARuntime.deviceCount }
        /// Why CUDA cannot be used, or nil when it can.
        public static var unavailableReason: String? {
            do { _ = try CUDARuntime.get(); return nil } catch { return "\(error)" }
        }
        /// Waits for every queued kernel (`torch.cuda.synchronize`).
        public static func synchronize() throws { try CUDARuntime.get().synchronize() }
        /// Bytes held by live tensors (`torch.cuda.memory_allocated`).
        public static var memoryAllocated: Int { (try? CUDARuntime.get().allocator.stats.allocated) ?? 0 }
        /// Bytes the caching allocator holds from the driver (`torch.cuda.memory_reserved`).
        public static var memoryReserved: Int { (try? CUDARuntime.get().allocator.stats.reserved) ?? 0 }
        /// The peak of `memoryAllocated` (`torch.cuda.max_memory_allocated`).
        public static var maxMemoryAllocated: Int { (try? CUDARuntime.get().allocator.stats.maxAllocated) ?? 0 }
        /// Returns the cached free blocks to the driver (`torch.cuda.empty_cache`).
        public static func emptyCache() { try? CUDARuntime.get().allocator.emptyCache() }
        /// The caching allocator's statistics, or nil without CUDA.
        public static var stats: CachingAllocator.Stats? { try? CUDARuntime.get().allocator.stats }
        /// `torch.backends.cuda.matmul.allow_tf32`.
        public static var allowTF32: Bool {
            get { CUDARuntime.allowTF32 }
            set { CUDARuntime.allowTF32 = newValue }
        }
    }
}

extension Tensor {
    /// This tensor on `device`, for internal operands (0-d scalars made on the CPU).
    func onDevice(_ d: Device) -> Tensor { device == d ? self : to(device: d) }
}
