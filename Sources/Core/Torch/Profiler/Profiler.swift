#if canImport(Glibc)
    import Glibc
#endif
import TorchBase

// Note [Profiler]
// `Torch.profiler.profile { ... }` records a span for everything on the profiling thread that
// takes time: each op at the sites the tracer records (Note [Tracing]; the same one gate, so with
// neither on an op pays one relaxed atomic load), each layer call (`nn.Module: Linear`), each
// backward node (`MulBackward0`, carrying the sequence number of the forward op that made it, as
// PyTorch links them), each optimizer step, each wait for a DataLoader batch, and the user's own
// `recordFunction` spans. Spans nest by time on one stack, so an event's self time is its
// duration less its children's. Bytes allocated while a span is open are counted by the kernel
// router's allocator entry. When profiling, an op re-enters its own public entry to run (the
// tracer's `record` closure); the `reentry` flag makes that one call skip its span.

/// One recorded span.
public struct ProfileEvent: Sendable {
    /// What the span covers.
    public enum Kind: String, Sendable {
        case op, module, backward, optimizer, dataLoader, user
    }
    /// The op, layer or span name (`mul`, `nn.Module: Linear`, `MulBackward0`).
    public let name: String
    /// Its kind.
    public let kind: Kind
    /// Start, in nanoseconds from the start of the profile.
    public let start: UInt64
    /// Duration in nanoseconds.
    public internal(set) var duration: UInt64
    /// Nesting depth (0: top level).
    public let depth: Int
    /// The thread it ran on (a small integer per thread).
    public let thread: Int
    /// Input shapes and dtypes (with `recordShapes`).
    public let inputShapes: [[Int]]
    /// The inputs' dtypes (with `recordShapes`).
    public let inputDTypes: [DType]
    /// The device of the first input (`.cpu` for spans without tensors).
    public let device: Device
    /// Bytes allocated while the span was open, children included (with `profileMemory`).
    public internal(set) var bytesAllocated: Int
    /// The user's source line (with `withStack`; the call site of a layer or op).
    public let file: String
    /// The line of `file`.
    public let line: UInt
    /// The autograd sequence number: of the node a forward op recorded, or of the backward node.
    public internal(set) var sequenceNr: Int?
    /// Whether it ran in a backward pass.
    public let isBackward: Bool
}

/// The profiler's state on the thread that profiles.
final class ProfilerState {
    let recordShapes: Bool, profileMemory: Bool, withStack: Bool
    let origin: UInt64
    let thread: Int
    var events: [ProfileEvent] = []
    var open: [Int] = []
    var allocated = 0
    var reentry = false
    var backwardDepth = 0

    init(recordShapes: Bool, profileMemory: Bool, withStack: Bool) {
        (self.recordShapes, self.profileMemory, self.withStack) = (recordShapes, profileMemory, withStack)
        origin = Profiling.now()
        thread = Int(pthread_self() % 1_000_003)
    }

    /// Opens a span; returns its index.
    func begin(
        _ name: String, _ kind: ProfileEvent.Kind, inputs: [Tensor] = [], file: StaticString? = nil, line: UInt = 0
    ) -> Int {
        var site = ("", UInt(0))
        if withStack, let file {
            let s = CallSites.isLibraryFile(file) ? CallSites.innermostUserCall() ?? (file, line) : (file, line)
            site = ("\(s.0)", s.1)
        }
        let e = ProfileEvent(
            name: name, kind: kind, start: Profiling.now() - origin, duration: 0, depth: open.count, thread: thread,
            inputShapes: recordShapes ? inputs.map(\.shape) : [], inputDTypes: recordShapes ? inputs.map(\.dtype) : [],
            device: inputs.first?.device ?? .cpu, bytesAllocated: allocated, file: site.0, line: site.1,
            sequenceNr: nil, isBackward: backwardDepth > 0)
        events.append(e)
        open.append(events.count - 1)
        return events.count - 1
    }

    /// Closes span `i`.
    func end(_ i: Int, sequenceNr: Int? = nil) {
        let t = Profiling.now() - origin
        events[i].duration = t - events[i].start
        events[i].bytesAllocated = allocated - events[i].bytesAllocated
        if let sequenceNr { events[i].sequenceNr = sequenceNr }
        open.removeLast()
    }
}

/// Hooks that library code calls to open spans (Note [Profiler]).
package enum Profiling {
    /// Monotonic nanoseconds.
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// The profiler of this thread, when one is on.
    @inline(__always) static var state: ProfilerState? {
        guard Tracing.sessions.load(ordering: .relaxed) != 0 else { return nil }
        return GradMode.state.profiler
    }

    /// Runs `body` inside a span `name` when profiling (a layer call, an optimizer step, a wait).
    @inline(__always)
    package static func span<R>(
        _ name: @autoclosure () -> String, _ kind: ProfileEvent.Kind, file: StaticString? = nil, line: UInt = 0,
        _ body: () throws -> R
    ) rethrows -> R {
        guard let p = state else { return try body() }
        let i = p.begin(name(), kind, file: file, line: line)
        defer { p.end(i) }
        return try body()
    }

    /// A backward node's span, carrying its sequence number.
    static func backward<R>(_ node: Node, _ body: () throws -> R) rethrows -> R {
        guard let p = state else { return try body() }
        p.backwardDepth += 1
        let i = p.begin(node.name, .backward)
        defer {
            p.backwardDepth -= 1
            p.end(i, sequenceNr: node.sequenceNr)
        }
        return try body()
    }

    /// Counts `bytes` allocated on this thread while profiling memory.
    @inline(__always) static func allocated(_ bytes: Int) {
        guard let p = state, p.profileMemory else { return }
        p.allocated += bytes
    }
}

/// What `Torch.profiler.profile` recorded.
public final class ProfileResult {
    /// Every span, in the order they started.
    public let events: [ProfileEvent]

    init(events: [ProfileEvent]) { self.events = events }

    /// Each span's time less its direct children's (nanoseconds), by index.
    public var selfTimes: [UInt64] {
        var selfT = events.map(\.duration)
        var stack: [Int] = []
        for (i, e) in events.enumerated() {
            while let top = stack.last, events[top].depth >= e.depth { stack.removeLast() }
            if let parent = stack.last { selfT[parent] -= Swift.min(selfT[parent], e.duration) }
            stack.append(i)
        }
        return selfT
    }
}

/// The profiler (PyTorch's `torch.profiler`).
public enum ProfilerAPI {
    /// Profiles `body` on this thread (PyTorch's `with torch.profiler.profile(...)`): a span per
    /// op, layer call, backward node, optimizer step and DataLoader wait, and the user's
    /// `recordFunction` spans. `recordShapes` keeps input shapes and dtypes, `profileMemory`
    /// bytes allocated, `withStack` the user's source line of each span.
    ///
    /// ```swift
    /// let prof = try Torch.profiler.profile(recordShapes: true) { _ = model(x).sum().backward() }
    /// print(prof.keyAverages().table(sortBy: .selfCPUTime, rowLimit: 10))
    /// ```
    public static func profile(
        recordShapes: Bool = false, profileMemory: Bool = false, withStack: Bool = false, _ body: () throws -> Void
    ) rethrows -> ProfileResult {
        let s = GradMode.state
        precondition(s.profiler == nil && s.tracer == nil, "Torch.profiler.profile: already profiling or tracing")
        let p = ProfilerState(recordShapes: recordShapes, profileMemory: profileMemory, withStack: withStack)
        s.profiler = p
        Tracing.sessions.add(1, ordering: .relaxed)
        defer {
            Tracing.sessions.subtract(1, ordering: .relaxed)
            s.profiler = nil
        }
        try body()
        while let i = p.open.last { p.end(i) }
        return ProfileResult(events: p.events)
    }

    /// A span of the user's own named `name` around `body` (PyTorch's `record_function`).
    ///
    /// ```swift
    /// Torch.profiler.recordFunction("data prep") { batch = prepare(raw) }
    /// ```
    @discardableResult
    public static func recordFunction<R>(
        _ name: String, file: StaticString = #fileID, line: UInt = #line, _ body: () throws -> R
    ) rethrows -> R {
        try Profiling.span(name, .user, file: file, line: line, body)
    }
}

extension Torch {
    /// The profiler: `Torch.profiler.profile { ... }`.
    public static var profiler: ProfilerAPI.Type { ProfilerAPI.self }
}
