import Synchronization
import _CTorch
#if canImport(Glibc)
    import Glibc
#endif

/// The threads behind `Parallel.forRange`: `threadCount - 1` workers that, after finishing a job,
/// poll briefly for the next one before they sleep (as OpenMP's threads do), so that the many
/// medium-sized parallel calls of a training step do not each pay a thread wake-up. One job runs
/// at a time; a call made while the pool is busy (a nested call, another thread's kernel) goes
/// through libdispatch instead.
///
/// A job's chunks are claimed by compare-and-swap on one word holding the job's generation, its
/// chunk count and the next chunk, so a worker still looking for work from a finished job can
/// never take a chunk of the next one.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    private static let chunkBits = 20
    private static let chunkMask = (1 << chunkBits) - 1

    private let busy = Atomic<Bool>(false)
    /// generation << 40 | chunks << 20 | next chunk.
    private let state = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    /// The running job: written before `state` announces it, read after a claim (release/acquire),
    /// and not replaced while a claimed chunk is pending.
    nonisolated(unsafe) private var job: ((Int) -> Void)?
    nonisolated(unsafe) private var lastGeneration = 0
    nonisolated(unsafe) private var workers = 0
    private let sync = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Polls a worker makes for the next job before it sleeps (tens of microseconds).
    private let spinLimit = 20_000

    private init() {
        pthread_mutex_init(sync, nil)
        pthread_cond_init(wake, nil)
    }

    private static func generation(_ s: Int) -> Int { s >> (2 * chunkBits) }

    /// Runs `body(c)` for every `c` in `0..<count` on the calling thread and the workers;
    /// false (nothing run) when the pool is busy or `count` is too large for it.
    func run(_ count: Int, threads: Int, _ body: (Int) -> Void) -> Bool {
        if count > WorkerPool.chunkMask { return false }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        startWorkers(threads - 1)
        withoutActuallyEscaping(body) { b in
            job = b
            pending.store(count, ordering: .relaxed)
            lastGeneration = (lastGeneration + 1) & ((1 << 23) - 1)
            let gen = lastGeneration
            state.store(
                gen << (2 * WorkerPool.chunkBits) | count << WorkerPool.chunkBits, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(sync)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(sync)
            }
            runChunks(gen)
            while pending.load(ordering: .acquiring) > 0 {}
            job = nil
        }
        return true
    }

    /// Claims and runs chunks of job `gen` until none is left.
    private func runChunks(_ gen: Int) {
        var cur = state.load(ordering: .acquiring)
        while true {
            let next = cur & WorkerPool.chunkMask, total = (cur >> WorkerPool.chunkBits) & WorkerPool.chunkMask
            if WorkerPool.generation(cur) != gen || next >= total { return }
            let (done, seen) = state.compareExchange(expected: cur, desired: cur + 1, ordering: .acquiringAndReleasing)
            if !done { cur = seen; continue }
            job!(next)
            pending.wrappingSubtract(1, ordering: .releasing)
            cur = state.load(ordering: .acquiring)
        }
    }

    private func startWorkers(_ n: Int) {
        while workers < n {
            workers += 1
            var tid = pthread_t()
            let ctx = Unmanaged.passUnretained(self).toOpaque()
            pthread_create(
                &tid, nil,
                { arg in
                    // Named on start: a thread inherits its creator's name (a loader worker's, say).
                    ctorch_set_thread_name("torch-pool")
                    Unmanaged<WorkerPool>.fromOpaque(arg!).takeUnretainedValue().workerLoop()
                    return nil
                }, ctx)
            pthread_detach(tid)
        }
    }

    private func workerLoop() {
        var seen = WorkerPool.generation(state.load(ordering: .acquiring))
        while true {
            var spins = 0
            while WorkerPool.generation(state.load(ordering: .acquiring)) == seen {
                spins += 1
                if spins < spinLimit { continue }
                pthread_mutex_lock(sync)
                sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                while WorkerPool.generation(state.load(ordering: .sequentiallyConsistent)) == seen {
                    pthread_cond_wait(wake, sync)
                }
                sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                pthread_mutex_unlock(sync)
            }
            seen = WorkerPool.generation(state.load(ordering: .acquiring))
            runChunks(seen)
        }
    }
}
