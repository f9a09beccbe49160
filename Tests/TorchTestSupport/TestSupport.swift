// Helpers every test target shares: the repository root, temporary directories, child processes.
import XCTest
import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// The repository root (for scripts the tests run).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A test case with a fresh temporary directory `dir` per test.
open class TemporaryDirectoryTestCase: XCTestCase {
    public var dir = ""
    override open func setUp() {
        dir =
            FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-\(type(of: self))-\(getpid())")
            .path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override open func tearDown() { try? FileManager.default.removeItem(atPath: dir) }
}

/// One of the package's programs (`torch-misuse`, `torch-diff`) built beside the tests, if present.
public func programBinary(_ name: String) -> URL? {
    let dir = Bundle.main.bundleURL.deletingLastPathComponent()
    let candidates = [
        Bundle.main.bundleURL.appendingPathComponent(name), dir.appendingPathComponent(name),
        repositoryRoot.appendingPathComponent(".build/debug/\(name)"),
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}

/// Runs a program and returns its exit status and standard output (standard error is discarded).
public func runProgram(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let out = Pipe()
    p.standardOutput = out
    p.standardError = Pipe()
    try p.run()
    let s = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (p.terminationStatus, s)
}

/// Output of `python3 -c code` (the system Python, which has NumPy).
public func python(_ code: String) throws -> String { try runProgram("/usr/bin/env", ["python3", "-c", code]).output }

/// Whether `python` can import `module` (the interop tests skip when it cannot).
public func pythonCanImport(_ python: String, _ module: String) -> Bool {
    (try? runProgram(python, ["-c", "import \(module)"]).status) == 0
}

/// Runs one of our programs with Swift's backtracer off (a trap then prints only its message);
/// returns its standard output, standard error and exit status. The two pipes are read
/// concurrently, so neither can fill up and stall the child. `environment` adds variables.
public func runCapturing(_ exe: URL, _ arguments: [String], environment: [String: String] = [:]) -> (
    stdout: String, stderr: String, status: Int32
) {
    let p = Process()
    p.executableURL = exe
    p.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["SWIFT_BACKTRACE"] = "enable=no"
    env.merge(environment) { $1 }
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try! p.run()
    final class Box: @unchecked Sendable { var data = Data() }
    let errBox = Box()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    return (String(decoding: outData, as: UTF8.self), String(decoding: errBox.data, as: UTF8.self), p.terminationStatus)
}
