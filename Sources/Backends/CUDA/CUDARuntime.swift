import TorchBase
import _CCuda
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif

/// The CUDA driver seen through `_CCuda`: loaded on first use, one primary context per device,
/// the default stream, a caching allocator, a cuBLAS handle and the compiled-kernel cache.
@_spi(Kernels) public final class CUDARuntime: @unchecked Sendable {
    nonisolated(unsafe) static var shared: CUDARuntime?
    nonisolated(unsafe) static var loadError: CUDAError?
    static let lock = Mutex(())

    public let device: Int
    public let arch: Int
    public let name: String
    let context: ccu_handle
    public let allocator: CachingAllocator
    var cublas: ccu_handle?
    var functions: [String: ccu_handle] = [:]
    let kernelLock = Mutex(())
    /// `torch.backends.cuda.matmul.allow_tf32`.
    nonisolated(unsafe) public static var allowTF32 = false

    /// The runtime for device 0, loading CUDA on first call. Throws when CUDA cannot be used.
    public static func get() throws -> CUDARuntime {
        if let s = shared { return s }  // set once, never cleared: no lock on the hot path
        return try lock.withLock { _ in
            if let s = shared { return s }
            if let e = loadError { throw e }
            do {
                let r = try CUDARuntime(device: 0)
                shared = r
                return r
            } catch let e as CUDAError {
                loadError = e
                throw e
            }
        }
    }

    /// True when a CUDA device can be used.
    public static var isAvailable: Bool { (try? get()) != nil }

    public static var deviceCount: Int {
        guard (try? get()) != nil else { return 0 }
        var n: Int32 = 0
        return ccu_device_count(&n) == 0 ? Int(n) : 0
    }

    static func check(_ code: Int32, _ call: String) throws {
        if code != 0 {
            throw CUDAError.driver(call: call, code: code, message: String(cString: ccu_error_string(code)))
        }
    }

    init(device: Int) throws {
        var why = [CChar](repeating: 0, count: 512)
        if ccu_load(&why, 512) != 0 { throw CUDAError.unavailable(String(cString: why)) }
        try CUDARuntime.check(ccu_init(), "cuInit")
        var n: Int32 = 0
        try CUDARuntime.check(ccu_device_count(&n), "cuDeviceGetCount")
        if n == 0 { throw CUDAError.unavailable("no CUDA device found") }
        var ctx: ccu_handle? = nil
        try CUDARuntime.check(ccu_primary_ctx(Int32(device), &ctx), "cuDevicePrimaryCtxRetain")
        try CUDARuntime.check(ccu_ctx_set_current(ctx), "cuCtxSetCurrent")
        var major: Int32 = 0, minor: Int32 = 0
        try CUDARuntime.check(ccu_device_cc(Int32(device), &major, &minor), "cuDeviceGetAttribute")
        var nameBuf = [CChar](repeating: 0, count: 256)
        _ = ccu_device_name(Int32(device), &nameBuf, 256)
        self.device = device
        self.context = ctx!
        self.arch = Int(major) * 10 + Int(minor)
        self.name = String(cString: nameBuf)
        self.allocator = CachingAllocator(device: DriverMemory())
    }

    /// Makes this runtime's context current on the calling thread.
    func bind() { _ = ccu_ctx_ensure(context) }

    public func synchronize() throws { try CUDARuntime.check(ccu_ctx_sync(), "cuCtxSynchronize") }

    func cublasHandle() throws -> ccu_handle {
        if let h = cublas { return h }
        if ccu_cublas_loaded() == 0 { throw CUDAError.unavailable("libcublas.so not found") }
        var h: ccu_handle? = nil
        try CUDARuntime.check(ccu_cublas_create(&h), "cublasCreate")
        cublas = h
        return h!
    }

    /// The compiled function `name` from `source`, compiled once per process (memory cache) and
    /// once per machine (cubins under `$SWIFTTORCH_KERNEL_CACHE` or `~/.cache/swifttorch`).
    /// `name` must identify the source (kernel names encode op, dtypes and variant), so the
    /// source is only generated on the first call.
    public func function(_ name: String, source: () -> String) throws -> ccu_handle {
        try kernelLock.withLock { _ in
            let key = name
            if let f = functions[key] { return f }
            let image = try cubin(name: name, source: source())
            var module: ccu_handle? = nil
            try image.withUnsafeBytes {
                try CUDARuntime.check(ccu_module_load_data(&module, $0.baseAddress), "cuModuleLoadData(\(name))")
            }
            var fn: ccu_handle? = nil
            try CUDARuntime.check(ccu_module_get_function(&fn, module, name), "cuModuleGetFunction(\(name))")
            functions[key] = fn!
            return fn!
        }
    }

    func cubin(name: String, source: String) throws -> [UInt8] {
        let dir = KernelCache.directory()
        let file = dir.map { "\($0)/\(KernelCache.digest(source + "|sm_\(arch)")).cubin" }
        if let file, let bytes = KernelCache.read(file) { return bytes }
        var image: UnsafeMutableRawPointer? = nil
        var size = 0
        var log = [CChar](repeating: 0, count: 16384)
        let r = ccu_nvrtc_compile(source, name, Int32(arch), &image, &size, &log, 16384)
        if r != 0 { throw CUDAError.compile(kernel: name, log: String(cString: log)) }
        defer { free(image) }
        let bytes = Array(UnsafeRawBufferPointer(start: image, count: size))
        if let file { KernelCache.write(file, bytes) }
        return bytes
    }

    /// Launches `fn` over `n` elements (grid-stride loops inside the kernels).
    func launch(
        _ fn: ccu_handle, n: Int, block: Int = 256, maxBlocks: Int = 65536, shared: Int = 0,
        _ args: inout [UnsafeMutableRawPointer?]
    ) throws {
        let blocks = Swift.max(1, Swift.min((n + block - 1) / block, maxBlocks))
        let r = args.withUnsafeMutableBufferPointer { p in
            ccu_launch(fn, UInt32(blocks), 1, 1, UInt32(block), 1, 1, UInt32(shared), nil, p.baseAddress)
        }
        try CUDARuntime.check(r, "cuLaunchKernel")
    }
}

/// Device memory straight from the driver.
final class DriverMemory: DeviceMemory {
    func rawAllocate(_ bytes: Int) -> UInt64? {
        var p: ccu_deviceptr = 0
        return ccu_mem_alloc(&p, bytes) == 0 ? p : nil
    }
    func rawFree(_ address: UInt64) { _ = ccu_mem_free(address) }
    var freeBytes: Int {
        var f = 0, t = 0
        return ccu_mem_get_info(&f, &t) == 0 ? f : 0
    }
}

/// The on-disk cache of compiled kernels.
enum KernelCache {
    static func directory() -> String? {
        let base: String
        if let e = getenv("SWIFTTORCH_KERNEL_CACHE") {
            base = String(cString: e)
        } else if let h = getenv("HOME") {
            base = String(cString: h) + "/.cache/swifttorch/kernels"
        } else {
            return nil
        }
        var path = ""
        for part in base.split(separator: "/") {
            path += "/" + part
            mkdir(path, 0o755)
        }
        return path
    }

    /// FNV-1a 64-bit of the text, in hex: stable across runs (unlike `hashValue`).
    static func digest(_ s: String) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return String(h, radix: 16)
    }

    static func read(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out.isEmpty ? nil : out
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        let tmp = path + ".tmp\(getpid())"
        guard let f = fopen(tmp, "wb") else { return }
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, bytes.count, f) }
        fclose(f)
        rename(tmp, path)
    }
}
