import Dispatch
import _CTorch

/// Work splitting across cores. Small ranges stay on the calling thread.
@usableFromInline enum Parallel {
    /// Number of threads CPU kernels use (default: active cores). Settable like `torch.set_num_threads`.
    /// Matrix multiplies split their work across the same threads (OpenBLAS itself runs
    /// single-threaded, so its spinning worker threads never compete with these).
    @usableFromInline nonisolated(unsafe) static var threadCount: Int = activeCores()

    /// Elements below which an elementwise op runs on one thread.
    @usableFromInline static let grain = 32_768

    static func activeCores() -> Int {
        #if canImport(Glibc)
            let n = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            return Swift.max(1, n)
        #else
            return 1
        #endif
    }

    /// Calls `body` on disjoint sub-ranges covering `0..<count`, in parallel when `count >= grain`.
    @inlinable static func forRange(_ count: Int, grain: Int = Parallel.grain, _ body: (Range<Int>) -> Void) {
        let threads = threadCount
        if count < grain || threads <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let chunks = Swift.min(threads, (count + grain - 1) / grain)
        if chunks <= 1 {
            body(0..<count)
            return
        }
        runChunks(chunks, threads: threads) { c in
            let lo = count * c / chunks, hi = count * (c + 1) / chunks
            if hi > lo { body(lo..<hi) }
        }
    }

    /// Runs `body(c)` for `c` in `0..<chunks` across the worker pool (libdispatch when the pool
    /// is already running a job).
    @usableFromInline static func runChunks(_ chunks: Int, threads: Int, _ body: (Int) -> Void) {
        if WorkerPool.shared.run(chunks, threads: threads, body) { return }
        let caller = pthread_self()
        withoutActuallyEscaping(body) { b in
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                // libdispatch's threads inherit the name of the thread that made them (a data
                // loader's worker, say); give them their own so they are not taken for one.
                if pthread_equal(pthread_self(), caller) == 0 { ctorch_set_thread_name("torch-dispatch") }
                b(c)
            }
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
