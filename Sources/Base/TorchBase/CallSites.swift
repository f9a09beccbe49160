#if canImport(Glibc)
    import Glibc
#endif

// Note [Errors at the user's line]
// An op's refusal traps at the `#fileID`/`#line` its caller passed. When the caller is a layer of
// this library (`Linear.forward` calling `addmm`), that is the library's line, which tells the user
// nothing. So every module call (`model(x)`, which takes the caller's `#fileID`/`#line`) pushes
// the module and its call site on a per-thread stack, and `torchFail` consults it: a refusal whose
// location is inside the library is reported at the innermost module call made from outside the
// library (the user's `fc1(x)`, or `model(x)` for a Sequential), and the message names that
// layer with its configuration (`Linear(in_features=784, out_features=10, bias=True)`). A refusal
// already located outside the library (an op the user called directly) keeps its own line and
// gains the layer it happened in. Pushing costs one thread-local read and an array append.

/// A caller that can describe itself in an error message (a module, with its configuration).
public protocol CallSiteDescribable: AnyObject {
    /// The caller as an error message names it: `Linear(in_features=784, out_features=10, bias=True)`.
    var callSiteDescription: String { get }
}

/// The module calls in progress on this thread (Note [Errors at the user's line]).
public enum CallSites {
    final class Stack {
        var entries: [(caller: CallSiteDescribable, file: StaticString, line: UInt)] = []
    }

    nonisolated(unsafe) static var key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { ptr in if let ptr { Unmanaged<Stack>.fromOpaque(ptr).release() } }
        return k
    }()

    @inline(__always) static var stack: Stack {
        if let p = pthread_getspecific(key) { return Unmanaged<Stack>.fromOpaque(p).takeUnretainedValue() }
        let s = Stack()
        pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
        return s
    }

    /// Runs `body` as a call of `caller` made at `file`:`line`.
    @inline(__always)
    public static func within<R>(
        _ caller: CallSiteDescribable, file: StaticString, line: UInt, _ body: () throws -> R
    ) rethrows -> R {
        let s = stack
        s.entries.append((caller, file, line))
        defer { s.entries.removeLast() }
        return try body()
    }

    /// The modules of this library (their lines are not the user's).
    static let libraryModules: Set<Substring> = [
        "Torch", "TorchBase", "TorchNN", "TorchOptim", "TorchData", "TorchIO", "TorchDistributions", "SwiftTorch",
    ]

    /// Whether `file` (a `#fileID`, `Module/File.swift`) is one of this library's files.
    public static func isLibraryFile(_ file: StaticString) -> Bool { isLibraryFile("\(file)") }

    /// Whether `s` (a `#fileID` as a string) is one of this library's files.
    public static func isLibraryFile(_ s: String) -> Bool {
        guard let slash = s.firstIndex(of: "/") else { return false }
        return libraryModules.contains(s[..<slash])
    }

    /// The innermost module call on this thread made from outside the library, if any.
    public static func innermostUserCall() -> (file: StaticString, line: UInt)? {
        guard let p = pthread_getspecific(key) else { return nil }
        let entries = Unmanaged<Stack>.fromOpaque(p).takeUnretainedValue().entries
        return entries.last(where: { !isLibraryFile($0.file) }).map { ($0.file, $0.line) }
    }

    /// Where a refusal at `file`:`line` should be reported, and the layer it happened in.
    static func userSite(file: StaticString, line: UInt) -> (
        file: StaticString, line: UInt, context: String?
    ) {
        guard let p = pthread_getspecific(key) else { return (file, line, nil) }
        let entries = Unmanaged<Stack>.fromOpaque(p).takeUnretainedValue().entries
        guard let innermost = entries.last else { return (file, line, nil) }
        let layer = innermost.caller.callSiteDescription
        if !isLibraryFile(file) { return (file, line, "in \(layer)") }
        guard let user = entries.last(where: { !isLibraryFile($0.file) }) else { return (file, line, "in \(layer)") }
        let outerName = user.caller.callSiteDescription.prefix { $0 != "(" }
        let outer = user.caller === innermost.caller ? "" : " (inside \(outerName))"
        return (user.file, user.line, "in \(layer)\(outer), called at \(user.file):\(user.line)")
    }
}
