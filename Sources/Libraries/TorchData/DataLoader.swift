import Torch
import TorchBase
import _CZlib
#if canImport(Glibc)
    import Glibc
#endif

/// The random generator type (inside `DataLoader`, `Generator` names Sequence's iterator).
public typealias RandomGenerator = Generator

/// Values a loader can batch by default (PyTorch's `default_collate`).
public protocol Collatable {
    static func collate(_ items: [Self]) throws -> Self
}

extension Tensor: Collatable {
    /// Stacks equally shaped samples along a new first dimension.
    public static func collate(_ items: [Tensor]) throws -> Tensor { Tensor.stack(items) }
}

extension Array: Collatable where Element == Tensor {
    /// Stacks field by field (the samples of a `TensorDataset`).
    public static func collate(_ items: [[Tensor]]) throws -> [Tensor] {
        guard let first = items.first else { return [] }
        return (0..<first.count).map { f in Tensor.stack(items.map { $0[f] }) }
    }
}

extension Dictionary: Collatable where Key == String, Value == Tensor {
    /// Stacks each key's tensors along a new first dimension (the keys must agree).
    public static func collate(_ items: [[String: Tensor]]) throws -> [String: Tensor] {
        guard let first = items.first else { return [:] }
        var out: [String: Tensor] = [:]
        for k in first.keys { out[k] = Tensor.stack(items.map { $0[k]! }) }
        return out
    }
}

/// Why a loader could not deliver a batch.
public enum LoaderError: Error, CustomStringConvertible {
    case sample(worker: Int, index: Int, error: Error)
    case timeout(seconds: Double, batch: Int)
    /// The error in words.
    public var description: String {
        switch self {
        case let .sample(w, i, e): return "DataLoader worker \(w) failed on sample \(i): \(e)"
        case let .timeout(s, b): return "DataLoader timed out after \(s) s waiting for batch \(b)"
        }
    }
}

/// The generator random transforms should draw from: seeded per sample by the loader (from its
/// seed, the epoch and the sample index), so results do not depend on the number of workers.
public enum SampleRandom {
    nonisolated(unsafe) static var key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { p in if let p { Unmanaged<Generator>.fromOpaque(p).release() } }
        return k
    }()

    /// This thread's per-sample generator, or the default generator outside a loader.
    public static var current: Generator {
        if let p = pthread_getspecific(key) { return Unmanaged<Generator>.fromOpaque(p).takeUnretainedValue() }
        return .default
    }

    static func set(_ g: Generator?) {
        if let old = pthread_getspecific(key) { Unmanaged<Generator>.fromOpaque(old).release() }
        pthread_setspecific(key, g.map { Unmanaged.passRetained($0).toOpaque() })
    }

    static func seed(_ base: UInt64, epoch: Int, index: Int) -> UInt64 {
        var h = base ^ 0x9E37_79B9_7F4A_7C15
        for v in [UInt64(bitPattern: Int64(epoch)), UInt64(bitPattern: Int64(index))] {
            h = (h ^ v) &* 0xBF58_476D_1CE4_E5B9; h ^= h >> 31
        }
        return h
    }
}

/// Batches of a dataset (PyTorch's `DataLoader`): sampling, batching, collation, and worker
/// threads that load batches ahead of the consumer and deliver them in order.
///
/// ```swift
/// let loader = DataLoader(TensorDataset(x, y), batchSize: 64, shuffle: true, numWorkers: 2, seed: 0)
/// for batch in loader { let (xb, yb) = (batch[0], batch[1]) }
/// ```
public final class DataLoader<D: Dataset, Batch>: Sequence {
    /// The dataset loaded from.
    public let dataset: D
    /// Which indices make each batch.
    public let batchSampler: BatchSampler
    /// Worker threads loading batches ahead (0: on the calling thread).
    public let numWorkers: Int
    /// Batches each worker keeps ready.
    public let prefetchFactor: Int
    /// Seconds to wait for a batch before throwing (nil: forever).
    public let timeout: Double?
    /// The seed of the shuffling and of each worker's generator, so epochs are reproducible.
    public let seed: UInt64
    let collate: ([D.Element]) throws -> Batch
    /// Epochs started so far; set it when resuming so that shuffling continues where it left off.
    public var epoch = 0

    /// Batches of `batchSize` samples of `dataset` (reshuffled every epoch with `shuffle`, or drawn by
    /// `sampler`), combined by `collate` and loaded ahead by `numWorkers` threads.
    ///
    /// ```swift
    /// let loader = DataLoader(TensorDataset(x, y), batchSize: 64, shuffle: true, numWorkers: 2)
    /// ```
    public init(
        _ dataset: D, batchSize: Int = 1, shuffle: Bool = false, sampler: Sampler? = nil, dropLast: Bool = false,
        numWorkers: Int = 0, prefetchFactor: Int = 2, timeout: Double? = nil, seed: UInt64 = 0,
        collate: @escaping ([D.Element]) throws -> Batch
    ) {
        self.dataset = dataset
        let s =
            sampler
            ?? (shuffle ? RandomSampler(count: dataset.count) : SequentialSampler(count: dataset.count) as Sampler)
        batchSampler = BatchSampler(s, batchSize: batchSize, dropLast: dropLast)
        self.numWorkers = numWorkers
        self.prefetchFactor = Swift.max(1, prefetchFactor)
        self.timeout = timeout
        self.seed = seed
        self.collate = collate
    }

    /// The number of batches per epoch.
    public var count: Int { batchSampler.count(generator: RandomGenerator(seed: seed)) }

    /// The batches of the next epoch; `next()` throws the first failure.
    public func epochIterator() -> EpochIterator {
        defer { epoch += 1 }
        let batches = batchSampler.batches(
            generator: RandomGenerator(seed: SampleRandom.seed(seed, epoch: epoch, index: -1)))
        return EpochIterator(loader: self, batches: batches, epoch: epoch)
    }

    /// Iterating with `for ... in` traps on a failed sample with the worker and sample index;
    /// use `epochIterator()` to catch it instead.
    public func makeIterator() -> AnyIterator<Batch> {
        let it = epochIterator()
        return AnyIterator {
            do { return try it.next() } catch { fatalError("\(error)") }
        }
    }

    func load(_ indices: [Int], worker: Int, epoch: Int) -> Result<Batch, Error> {
        do {
            var items: [D.Element] = []
            items.reserveCapacity(indices.count)
            for i in indices {
                SampleRandom.set(RandomGenerator(seed: SampleRandom.seed(seed, epoch: epoch, index: i)))
                do { items.append(try dataset.get(i)) } catch {
                    SampleRandom.set(nil); throw LoaderError.sample(worker: worker, index: i, error: error)
                }
            }
            SampleRandom.set(nil)
            return .success(try collate(items))
        } catch { return .failure(error) }
    }

    /// What the workers share with the consumer. Workers hold this, never the iterator, so that
    /// dropping the iterator mid-epoch stops and joins them.
    final class WorkState {
        let loader: DataLoader
        let batches: [[Int]]
        let epoch: Int
        var consumed = 0
        var results: [Int: Result<Batch, Error>] = [:]
        var stopped = false
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

        init(loader: DataLoader, batches: [[Int]], epoch: Int) {
            self.loader = loader
            self.batches = batches
            self.epoch = epoch
            pthread_mutex_init(mutex, nil)
            var attr = pthread_condattr_t()
            pthread_condattr_init(&attr)
            pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
            pthread_cond_init(cond, &attr)
        }

        deinit {
            pthread_mutex_destroy(mutex)
            pthread_cond_destroy(cond)
            mutex.deallocate()
            cond.deallocate()
        }

        func work(_ w: Int) {
            let window = loader.prefetchFactor * loader.numWorkers
            var k = w
            while k < batches.count {
                pthread_mutex_lock(mutex)
                while !stopped && k >= consumed + window { pthread_cond_wait(cond, mutex) }
                let stop = stopped
                pthread_mutex_unlock(mutex)
                if stop { return }
                let r = loader.load(batches[k], worker: w, epoch: epoch)
                pthread_mutex_lock(mutex)
                results[k] = r
                pthread_cond_broadcast(cond)
                pthread_mutex_unlock(mutex)
                k += loader.numWorkers
            }
        }
    }

    final class WorkerBox: WorkerRunnable {
        let state: WorkState
        let w: Int
        init(_ state: WorkState, _ w: Int) { self.state = state; self.w = w }
        func run() { state.work(w) }
    }

    /// One epoch's batches, loaded inline (no workers) or by worker threads.
    public final class EpochIterator {
        let state: WorkState
        var threads: [pthread_t] = []

        init(loader: DataLoader, batches: [[Int]], epoch: Int) {
            state = WorkState(loader: loader, batches: batches, epoch: epoch)
            for w in 0..<loader.numWorkers where w < batches.count {
                let box = Unmanaged.passRetained(WorkerBox(state, w) as AnyObject).toOpaque()
                var t = pthread_t()
                pthread_create(
                    &t, nil,
                    { arg in
                        ctd_set_thread_name("torch-loader")
                        let b = Unmanaged<AnyObject>.fromOpaque(arg!).takeRetainedValue() as! WorkerRunnable
                        b.run()
                        return nil
                    }, box)
                threads.append(t)
            }
        }

        /// The next batch in order, nil at the end of the epoch.
        public func next() throws -> Batch? {
            try Profiling.span("enumerate(DataLoader)#next", .dataLoader) { try nextBatch() }
        }

        private func nextBatch() throws -> Batch? {
            let s = state
            if s.consumed >= s.batches.count { finish(); return nil }
            if threads.isEmpty {
                let r = s.loader.load(s.batches[s.consumed], worker: 0, epoch: s.epoch)
                s.consumed += 1
                return try r.get()
            }
            pthread_mutex_lock(s.mutex)
            var deadline = timespec()
            if let t = s.loader.timeout {
                clock_gettime(CLOCK_MONOTONIC, &deadline)
                let ns = Int(t * 1e9) + deadline.tv_nsec
                deadline.tv_sec += ns / 1_000_000_000
                deadline.tv_nsec = ns % 1_000_000_000
            }
            while s.results[s.consumed] == nil {
                if let t = s.loader.timeout {
                    if pthread_cond_timedwait(s.cond, s.mutex, &deadline) == ETIMEDOUT && s.results[s.consumed] == nil {
                        let batch = s.consumed
                        pthread_mutex_unlock(s.mutex)
                        finish()
                        throw LoaderError.timeout(seconds: t, batch: batch)
                    }
                } else {
                    pthread_cond_wait(s.cond, s.mutex)
                }
            }
            let r = s.results.removeValue(forKey: s.consumed)!
            s.consumed += 1
            pthread_cond_broadcast(s.cond)
            pthread_mutex_unlock(s.mutex)
            if case .failure = r { finish() }
            return try r.get()
        }

        /// Stops the workers and waits for them (also done at the end and on deinit).
        public func finish() {
            pthread_mutex_lock(state.mutex)
            state.stopped = true
            pthread_cond_broadcast(state.cond)
            pthread_mutex_unlock(state.mutex)
            for t in threads { pthread_join(t, nil) }
            threads = []
        }

        deinit { finish() }
    }
}

protocol WorkerRunnable: AnyObject { func run() }

extension DataLoader where Batch == D.Element, D.Element: Collatable {
    /// A loader that collates with the element type's default collation.
    public convenience init(
        _ dataset: D, batchSize: Int = 1, shuffle: Bool = false, sampler: Sampler? = nil, dropLast: Bool = false,
        numWorkers: Int = 0, prefetchFactor: Int = 2, timeout: Double? = nil, seed: UInt64 = 0
    ) {
        self.init(
            dataset, batchSize: batchSize, shuffle: shuffle, sampler: sampler, dropLast: dropLast,
            numWorkers: numWorkers,
            prefetchFactor: prefetchFactor, timeout: timeout, seed: seed, collate: { try D.Element.collate($0) })
    }
}
