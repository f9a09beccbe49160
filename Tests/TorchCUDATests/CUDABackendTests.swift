import XCTest
@testable import Torch
import TorchBase
@_spi(Kernels) @testable import TorchCUDA
import TorchTestSupport

/// A fake device: a bump address space with a capacity, counting live bytes.
final class SimulatedDevice: DeviceMemory {
    var capacity: Int
    var used = 0
    var next: UInt64 = 0x1000_0000
    var live: [UInt64: Int] = [:]
    init(capacity: Int) { self.capacity = capacity }
    func rawAllocate(_ bytes: Int) -> UInt64? {
        if used + bytes > capacity { return nil }
        let a = next
        next += UInt64(bytes) + 0x1000
        used += bytes
        live[a] = bytes
        return a
    }
    func rawFree(_ address: UInt64) { used -= live.removeValue(forKey: address)! }
    var freeBytes: Int { capacity - used }
}

final class CachingAllocatorTests: XCTestCase {
    func testSmallBlocksShareSegmentsAndCoalesce() throws {
        let dev = SimulatedDevice(capacity: 64 << 20)
        let alloc = CachingAllocator(device: dev)
        let a = try alloc.allocate(1000), b = try alloc.allocate(3000)
        XCTAssertEqual(alloc.stats.numSegments, 1, "small requests are carved out of one 2 MiB segment")
        XCTAssertEqual(b, a + 1024, "rounded to 512 bytes and split from the same segment")
        XCTAssertEqual(alloc.stats.allocated, 1024 + 3072)
        alloc.free(a)
        alloc.free(b)
        XCTAssertEqual(alloc.stats.allocated, 0)
        // The freed blocks merged back: a request for almost the whole segment fits without a new one.
        let c = try alloc.allocate(CachingAllocator.smallLimit)
        XCTAssertEqual(alloc.stats.numSegments, 1)
        XCTAssertEqual(c, a)
        alloc.free(c)
        XCTAssertEqual(alloc.stats.reserved, 2 << 20)
        alloc.emptyCache()
        XCTAssertEqual(alloc.stats.reserved, 0)
        XCTAssertEqual(dev.used, 0)
    }

    func testLargeBlocksAndReuse() throws {
        let dev = SimulatedDevice(capacity: 256 << 20)
        let alloc = CachingAllocator(device: dev)
        let a = try alloc.allocate(5 << 20)
        XCTAssertEqual(alloc.stats.reserved, 20 << 20, "requests under 10 MiB get a 20 MiB segment")
        let b = try alloc.allocate(5 << 20)
        XCTAssertEqual(alloc.stats.numSegments, 1, "the rest of the segment serves the next request")
        alloc.free(a); alloc.free(b)
        let big = try alloc.allocate(30 << 20)
        XCTAssertEqual(alloc.stats.reserved, (20 << 20) + (30 << 20))
        alloc.free(big)
        let again = try alloc.allocate(30 << 20)
        XCTAssertEqual(again, big, "a freed block is reused")
        alloc.free(again)
        XCTAssertEqual(alloc.stats.maxAllocated, 30 << 20)
    }

    func testBlocksAreTiedToStreams() throws {
        let alloc = CachingAllocator(device: SimulatedDevice(capacity: 64 << 20))
        let a = try alloc.allocate(4096, stream: 1)
        alloc.free(a)
        let b = try alloc.allocate(4096, stream: 2)
        XCTAssertNotEqual(a, b, "a block freed on stream 1 is not handed to stream 2")
        XCTAssertEqual(alloc.stats.numSegments, 2)
        let c = try alloc.allocate(4096, stream: 1)
        XCTAssertEqual(c, a)
    }

    func testOutOfMemoryFreesCacheRetriesThenThrowsAndRecovers() throws {
        let dev = SimulatedDevice(capacity: 48 << 20)
        let alloc = CachingAllocator(device: dev)
        let a = try alloc.allocate(20 << 20)  // 20 MiB segment... rounded to 20 MiB
        alloc.free(a)  // cached, not returned
        XCTAssertEqual(dev.used, 20 << 20)
        // 40 MiB does not fit next to the cached 20 MiB: the cache is released and the request retried.
        let b = try alloc.allocate(40 << 20)
        XCTAssertEqual(alloc.stats.numOOMRetries, 1)
        XCTAssertEqual(dev.used, 40 << 20)
        XCTAssertThrowsError(try alloc.allocate(30 << 20)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("CUDA out of memory. Tried to allocate 30.0 MiB"), text)
            XCTAssertTrue(text.contains("8.0 MiB free on the device"), text)
            XCTAssertTrue(text.contains("40.0 MiB reserved by SwiftTorch"), text)
        }
        alloc.free(b)
        XCTAssertNoThrow(try alloc.allocate(30 << 20), "usable after the error")
    }
}

final class KernelSourceTests: XCTestCase {
    func testGeneratedSources() {
        let add = KernelSource.map(
            name: "k_add", expr: Pointwise.Add.cuda(CUDAType(.float32)), outType: .float32,
            inTypes: [.float32, .float32], contiguous: true)
        XCTAssertTrue(
            add.contains(
                "extern \"C\" __global__ void k_add(float* __restrict__ out, const float* __restrict__ in0, const "
                    + "float* __restrict__ in1, long long n)"
            ))
        XCTAssertTrue(add.contains("out[i] = (float)(x + y);"))
        let strided = KernelSource.map(name: "k", expr: "x", outType: .float64, inTypes: [.float64], contiguous: false)
        XCTAssertTrue(strided.contains("Geo g") && strided.contains("offsets(g, i, o, 2)"))
        XCTAssertEqual(Pointwise.Exp.cuda(CUDAType(.float32)), "expf(x)")
        XCTAssertEqual(Pointwise.Exp.cuda(CUDAType(.float64)), "exp(x)")
        XCTAssertEqual(Pointwise.Sigmoid.cuda(CUDAType(.float32)), "((float)1 / ((float)1 + expf(-x)))")
        XCTAssertEqual(Pointwise.Lt.cuda(CUDAType(.int64)), "(x < y)")
        XCTAssertEqual(KernelSource.convert("x", from: .float32, to: .bfloat16), "f2b((float)(x))")
        XCTAssertEqual(KernelSource.convert("x", from: .float16, to: .float32), "(float)(h2f(x))")
        XCTAssertEqual(KernelSource.convert("x", from: .float64, to: .int32), "(int)(long long)(x)")
        for p in UnaryPrimitives.all { XCTAssertFalse(p.cuda(CUDAType(.float32)).isEmpty, p.name) }
        for p in BinaryPrimitives.all { XCTAssertFalse(p.cuda(CUDAType(.int32)).isEmpty, p.name) }
        for p in BinaryPrimitives.comparisons { XCTAssertFalse(p.cuda(CUDAType(.int32)).isEmpty, p.name) }
        let red = KernelSource.reduceRows(name: "r", op: .max, .float32)
        XCTAssertTrue(red.contains("-__int_as_float(0x7f800000)"))
        XCTAssertEqual(KernelCache.digest("abc"), KernelCache.digest("abc"))
        XCTAssertNotEqual(KernelCache.digest("abc"), KernelCache.digest("abd"))
    }

    /// On a machine without the NVIDIA driver everything CPU-side works and CUDA says why it is off.
    func testBehaviourWithoutCUDA() throws {
        if Torch.CUDA.isAvailable { throw XCTSkip("a GPU is present: torch-gpu-check covers it") }
        XCTAssertEqual(Torch.CUDA.deviceCount, 0)
        XCTAssertTrue(Torch.CUDA.unavailableReason!.contains("libcuda.so.1 not found"), Torch.CUDA.unavailableReason!)
        XCTAssertThrowsError(try Storage(throwingByteCount: 16, device: .cuda(0))) { e in
            XCTAssertTrue("\(e)".contains("CUDA is not available"))
        }
        XCTAssertEqual(Torch.CUDA.memoryAllocated, 0)
    }
}
