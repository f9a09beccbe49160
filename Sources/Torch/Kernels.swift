import TorchBase
import TorchCPU
import TorchCUDA

/// Routes each op family to the backend of the tensors' device. Backend failures on the GPU
/// (driver errors, out of memory inside an op) trap with the backend's message, since ops do not
/// throw; allocation can be attempted with `Tensor.empty(_:dtype:device:)`'s throwing form first.
enum Kernels {
    @inline(__always) static func onDevice(_ device: Device, _ what: String, _ body: () throws -> Void) {
        do { try body() } catch { fatalError("\(what) on \(device): \(error)") }
    }

    static func copy(_ dst: KernelOperand, _ src: KernelOperand, _ device: Device) {
        if device.isCUDA { onDevice(device, "copy") { try CUDAKernels.copy(dst, src) } } else { CPUKernels.copy(dst, src) }
    }

    static func fill(_ dst: KernelOperand, _ v: Double, exactInt: Int64?, _ device: Device) {
        if device.isCUDA { onDevice(device, "fill") { try CUDAKernels.fill(dst, v, exactInt: exactInt) } }
        else { CPUKernels.fill(dst, v, exactInt: exactInt) }
    }

    static func unary(_ op: UnaryOp, _ out: KernelOperand, _ a: KernelOperand, _ device: Device) {
        if device.isCUDA { onDevice(device, op.rawValue) { try CUDAKernels.unary(op, out, a) } } else { CPUKernels.unary(op, out, a) }
    }

    static func binary(_ op: BinaryOp, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand, _ device: Device) {
        if device.isCUDA { onDevice(device, op.rawValue) { try CUDAKernels.binary(op, out, a, b) } }
        else { CPUKernels.binary(op, out, a, b) }
    }

    static func whereSelect(_ out: KernelOperand, _ c: KernelOperand, _ a: KernelOperand, _ b: KernelOperand, _ device: Device) {
        if device.isCUDA { onDevice(device, "where") { try CUDAKernels.whereSelect(out, c, a, b) } }
        else { CPUKernels.whereSelect(out, c, a, b) }
    }

    static func classify(_ kind: Int, _ out: KernelOperand, _ a: KernelOperand, _ device: Device) {
        if device.isCUDA { onDevice(device, "isnan/isinf/isfinite") { try CUDAKernels.classify(kind, out, a) } }
        else { CPUKernels.classify(kind, out, a) }
    }
}

extension Tensor {
    /// This tensor on `device` (itself when already there). Differentiable.
    ///
    /// ```swift
    /// let g = x.to(device: .cuda(0))
    /// ```
    public func to(device target: Device, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if target == device { return self }
        if Tensor.shouldRecord(self) {
            let from = device
            return Tensor.recorded(.toDevice, [self], file: file, line: line, forward: { to(device: target) },
                                   backward: { _, g in [g.to(device: from)] })
        }
        let src = contiguous()
        let out = Tensor(uninitialized: shape, dtype: dtype, device: target)
        let bytes = count * itemSize
        Kernels.onDevice(target.isCUDA ? target : device, "copy between devices") {
            if target.isCUDA && !src.device.isCUDA {
                try CUDAKernels.copyToDevice(out.deviceAddress, src.storage.data + src.layout.offset * itemSize, bytes: bytes)
            } else if !target.isCUDA && src.device.isCUDA {
                try CUDAKernels.copyToHost(out.storage.data, src.deviceAddress, bytes: bytes)
            } else {
                throw CUDAError.unavailable("copies between two GPUs are not supported yet")
            }
        }
        return out
    }

    /// This tensor on CUDA device `index`.
    public func cuda(_ index: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        to(device: .cuda(index), file: file, line: line)
    }

    /// This tensor in host memory.
    public func cpu(file: StaticString = #fileID, line: UInt = #line) -> Tensor { to(device: .cpu, file: file, line: line) }

    /// Device address of the first element (CUDA tensors only).
    var deviceAddress: UInt64 { UInt64(UInt(bitPattern: storage.data)) + UInt64(layout.offset * itemSize) }

    /// For ops the CUDA backend has no kernel for yet: run on the CPU and bring the result back
    /// (correct, and differentiable through the transfers, but slow).
    func viaCPU(_ f: (Tensor) -> Tensor) -> Tensor {
        device.isCUDA ? f(cpu()).to(device: device) : f(self)
    }
}

extension Torch {
    /// CUDA availability and memory statistics (`torch.cuda`).
    public enum CUDA {
        public static var isAvailable: Bool { CUDARuntime.isAvailable }
        public static var deviceCount: Int { CUDARuntime.deviceCount }
        /// Why CUDA cannot be used, or nil when it can.
        public static var unavailableReason: String? {
            do { _ = try CUDARuntime.get(); return nil } catch { return "\(error)" }
        }
        public static func synchronize() throws { try CUDARuntime.get().synchronize() }
        public static var memoryAllocated: Int { (try? CUDARuntime.get().allocator.stats.allocated) ?? 0 }
        public static var memoryReserved: Int { (try? CUDARuntime.get().allocator.stats.reserved) ?? 0 }
        public static var maxMemoryAllocated: Int { (try? CUDARuntime.get().allocator.stats.maxAllocated) ?? 0 }
        public static func emptyCache() { try? CUDARuntime.get().allocator.emptyCache() }
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
