import Runtime

// Note [Operators at the user's line]
// In anomaly mode a node remembers where its forward op was called (Note [Errors at the user's
// line]). An operator (`a * b`) cannot take `#fileID`/`#line`, so the node gets the library's
// line; inside a module call the module's call site stands in for it. At top level there is no
// such call, so the node keeps the return addresses of its stack (about 3 µs, the image map read
// once) and the report symbolicates them (about a millisecond, once): the first frame whose
// source lies outside this library's `Sources/{Base,Core,Libraries,Backends}` is the user's
// line. Only the anomaly path pays; a build without debug information has no lines to find,
// and then the library's line stays.

/// The call stack of a recorded op, kept in anomaly mode for its report.
public final class CapturedStack: @unchecked Sendable {
    let trace: Backtrace

    init(_ trace: Backtrace) { self.trace = trace }

    /// The images (executable and libraries) as loaded when first needed.
    nonisolated(unsafe) static var images: ImageMap?

    /// The caller's stack, or nil when it cannot be read.
    public static func capture() -> CapturedStack? {
        if images == nil { images = ImageMap.capture() }
        guard let t = try? Backtrace.capture(algorithm: .fast, limit: 48, top: 0, images: images) else { return nil }
        return CapturedStack(t)
    }

    /// The library's source folders: absolute (from this file's own compile-time path) and as
    /// the relative paths a release build's debug information records.
    static let libraryRoots: [String] = {
        let dirs = ["Base/", "Core/", "Libraries/", "Backends/"]
        let me = "\(#filePath)"
        guard let r = me.firstRange(of: "/Sources/Base/TorchBase/") else { return dirs.map { "Sources/" + $0 } }
        let root = String(me[..<r.lowerBound]) + "/Sources/"
        return dirs.map { root + $0 } + dirs.map { "Sources/" + $0 }
    }()

    /// Whether a frame's source `path` is one of this library's files.
    public static func isLibraryPath(_ path: String) -> Bool {
        libraryRoots.contains { path.hasPrefix($0) }
    }

    /// The first frame outside the library as `path:line`, or nil when no frame has a source line.
    public func userSite() -> String? {
        guard let s = trace.symbolicated(with: CapturedStack.images) else { return nil }
        for frame in s.frames {
            guard let loc = frame.symbol?.sourceLocation, loc.line > 0 else { continue }
            if CapturedStack.isLibraryPath(loc.path) { continue }
            return "\(loc.path):\(loc.line)"
        }
        return nil
    }
}
