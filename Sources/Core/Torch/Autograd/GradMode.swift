#if canImport(Glibc)
    import Glibc
#endif
import Synchronization

/// Thread-local autograd switches: grad mode (record graphs or not), inference mode and anomaly
/// detection. Each thread starts with grad mode on; the scoped helpers restore the previous value.
final class GradModeState {
    var enabled = true
    var inference = false
    var anomaly = false
    /// Source location of the backward()/grad() call in progress, for error messages.
    var backwardSite: (file: StaticString, line: UInt)?
    /// The tracer recording on this thread (Note [Tracing]).
    var tracer: Tracer?
    /// The profiler recording on this thread (Note [Profiler]).
    var profiler: ProfilerState?
}

enum GradMode {
    nonisolated(unsafe) static var key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { ptr in if let ptr { Unmanaged<GradModeState>.fromOpaque(ptr).release() } }
        return k
    }()

    @inline(__always) static var state: GradModeState {
        if let p = pthread_getspecific(key) { return Unmanaged<GradModeState>.fromOpaque(p).takeUnretainedValue() }
        let s = GradModeState()
        pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
        return s
    }

    @inline(__always) static var isEnabled: Bool { state.enabled }

    /// Anomaly scopes open on any thread: zero lets a recorded node skip the thread-local read
    /// of its anomaly flag (node creation is on every op's path).
    static let anomalyScopes = Atomic<Int>(0)

    /// Whether this thread is inside `detectAnomaly`.
    @inline(__always) static var anomalyOnThisThread: Bool {
        anomalyScopes.load(ordering: .relaxed) != 0 && state.anomaly
    }
}

extension Torch {
    /// Whether ops record graphs on this thread (`torch.is_grad_enabled`).
    public static var isGradEnabled: Bool { GradMode.isEnabled }

    /// Runs `body` with graph recording off on this thread (`with torch.no_grad():`).
    ///
    /// ```swift
    /// Torch.noGrad { w -= 0.1 * w.grad! }
    /// ```
    @discardableResult
    public static func noGrad<R>(_ body: () throws -> R) rethrows -> R {
        let s = GradMode.state
        let old = s.enabled
        s.enabled = false
        defer { s.enabled = old }
        return try body()
    }

    /// Runs `body` with graph recording on (inside a `noGrad` block, for example).
    @discardableResult
    public static func enableGrad<R>(_ body: () throws -> R) rethrows -> R {
        let s = GradMode.state
        let old = s.enabled
        s.enabled = true
        defer { s.enabled = old }
        return try body()
    }

    /// Like `noGrad`, and tensors made inside are marked as inference tensors.
    @discardableResult
    public static func inferenceMode<R>(_ body: () throws -> R) rethrows -> R {
        let s = GradMode.state
        let (oldE, oldI) = (s.enabled, s.inference)
        s.enabled = false
        s.inference = true
        defer { s.enabled = oldE; s.inference = oldI }
        return try body()
    }

    /// Whether the current thread is in `inferenceMode` (`torch.is_inference_mode_enabled`).
    public static var isInferenceMode: Bool { GradMode.state.inference }

    /// Runs `body` with anomaly detection: a backward node that produces NaN traps with its name
    /// and the source line of the forward op that created it.
    @discardableResult
    public static func detectAnomaly<R>(_ body: () throws -> R) rethrows -> R {
        let s = GradMode.state
        let old = s.anomaly
        s.anomaly = true
        GradMode.anomalyScopes.add(1, ordering: .relaxed)
        defer {
            s.anomaly = old
            GradMode.anomalyScopes.subtract(1, ordering: .relaxed)
        }
        return try body()
    }
}
