/// Failures of the CUDA environment: thrown, so callers can catch and recover (DESIGN convention 6).
public enum CUDAError: Error, CustomStringConvertible, Equatable {
    case unavailable(String)
    case driver(call: String, code: Int32, message: String)
    case compile(kernel: String, log: String)
    case outOfMemory(requested: Int, free: Int, reserved: Int, allocated: Int)

    public var description: String {
        switch self {
        case .unavailable(let why): return "CUDA is not available: \(why)"
        case let .driver(call, code, message): return "CUDA error in \(call): \(message) (\(code))"
        case let .compile(kernel, log): return "NVRTC failed to compile \(kernel):\n\(log)"
        case let .outOfMemory(req, free, reserved, allocated):
            return
                "CUDA out of memory. Tried to allocate \(CUDAError.mib(req)). \(CUDAError.mib(free)) free on the "
                + "device; \(CUDAError.mib(reserved)) reserved by SwiftTorch, of which \(CUDAError.mib(allocated)) "
                + "allocated and \(CUDAError.mib(reserved - allocated)) cached. Call emptyCache() or use "
                + "smaller tensors."
        }
    }

    static func mib(_ b: Int) -> String {
        let m = Double(b) / 1048576
        return String((m * 100).rounded() / 100) + " MiB"
    }
}
