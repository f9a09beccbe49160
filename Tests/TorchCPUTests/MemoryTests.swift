import XCTest
@testable import Torch
@_spi(Kernels) @testable import TorchCPU

/// The bounded CPU cache (Note [CPU memory]): what it keeps, what it gives back, what it reports.
final class CPUMemoryTests: XCTestCase {
    override func tearDown() { Torch.cpu.cacheLimit = CPUAllocator.defaultLimit() }

    func testTheCacheStaysWithinItsLimit() {
        Torch.cpu.emptyCache()
        Torch.cpu.cacheLimit = 1 << 20
        // 40 blocks of 64 KiB alive at once, then freed: only 1 MiB of them may stay cached.
        var live: [Tensor] = (0..<40).map { _ in Tensor.empty([16_384]) }
        XCTAssertGreaterThanOrEqual(Torch.cpu.memoryStats().allocated, 40 * 65_536)
        live = []
        XCTAssertTrue(live.isEmpty)
        let s = Torch.cpu.memoryStats()
        XCTAssertLessThanOrEqual(s.cached, 1 << 20)
        XCTAssertGreaterThan(s.cached, 0)
        // A block above a quarter of the limit is never cached.
        let before = Torch.cpu.memoryStats().cached
        _ = Tensor.empty([100_000])  // 400 KB > 256 KiB
        XCTAssertEqual(Torch.cpu.memoryStats().cached, before)
        // Lowering the limit trims at once; emptyCache empties.
        Torch.cpu.cacheLimit = 128 << 10
        XCTAssertLessThanOrEqual(Torch.cpu.memoryStats().cached, 128 << 10)
        Torch.cpu.emptyCache()
        XCTAssertEqual(Torch.cpu.memoryStats().cached, 0)
    }

    /// A freed block that would pass the limit makes room by returning older blocks of other
    /// sizes: a loop's next iteration then finds the block it frees.
    func testTheNewestBlockIsKeptOverOlderOnes() {
        Torch.cpu.emptyCache()
        Torch.cpu.cacheLimit = 1 << 20
        var old: [Tensor] = (0..<4).map { _ in Tensor.empty([65_536]) }  // 4 x 256 KiB: the cache's whole limit
        old = []
        XCTAssertTrue(old.isEmpty)
        XCTAssertEqual(Torch.cpu.memoryStats().cached, 1 << 20)
        do { _ = Tensor.empty([50_000]) }  // 200 000 bytes, another size class
        let s = Torch.cpu.memoryStats()
        XCTAssertLessThanOrEqual(s.cached, 1 << 20)
        let hits = CPUAllocator.shared.stats.hits
        do { _ = Tensor.empty([50_000]) }  // found in the cache
        XCTAssertEqual(CPUAllocator.shared.stats.hits, hits + 1)
        Torch.cpu.emptyCache()
    }

    func testPeaksAndResidentMemory() {
        Torch.cpu.resetPeakMemoryStats()
        let base = Torch.cpu.memoryStats()
        XCTAssertEqual(base.peakAllocated, base.allocated)
        do {
            let t = Tensor.zeros([1 << 20])  // 4 MiB, written so its pages are resident
            XCTAssertEqual(t.sum().item(), 0)
        }
        let s = Torch.cpu.memoryStats()
        XCTAssertGreaterThanOrEqual(s.peakAllocated - base.allocated, 4 << 20)
        XCTAssertGreaterThan(s.resident, 0)
        XCTAssertGreaterThanOrEqual(s.peakResident, s.resident)
        XCTAssertTrue(s.description.contains("resident"), s.description)
    }

    func testByteCountsParse() {
        XCTAssertEqual(CPUAllocator.parseByteCount("64M"), 64 << 20)
        XCTAssertEqual(CPUAllocator.parseByteCount("1g"), 1 << 30)
        XCTAssertEqual(CPUAllocator.parseByteCount("512K"), 512 << 10)
        XCTAssertEqual(CPUAllocator.parseByteCount("4096"), 4096)
        XCTAssertEqual(CPUAllocator.parseByteCount("0"), 0)
        XCTAssertNil(CPUAllocator.parseByteCount("lots"))
        XCTAssertNil(CPUAllocator.parseByteCount("-1M"))
        XCTAssertNil(CPUAllocator.parseByteCount("99999999999999999G"))
    }

    /// With nothing cached, a freed block goes straight back to malloc, which writes its free-list
    /// links into it: reading a result through the pointer of a tensor that is already gone reads
    /// those links. `item()` and `toArray()` of converted temporaries did (the main job then failed
    /// with "Target 0 is out of bounds").
    func testReadsOfTemporariesSurviveAnEmptyCache() {
        Torch.cpu.cacheLimit = 0
        for trial in 0..<50 {
            let t = Tensor.randint(0, 10, [64], generator: Generator(seed: UInt64(trial)))
            XCTAssertEqual(((t .< 0) | (t .>= 10)).any().item(), 0)
            XCTAssertEqual((t .>= 0).all().item(), 1)
            XCTAssertEqual((t .>= 0).toArray(Int.self), [Int](repeating: 1, count: 64))
            XCTAssertEqual(t.to(.float64).sum().item(), Double(t.toArray(Int.self).reduce(0, +)))
        }
    }
}
