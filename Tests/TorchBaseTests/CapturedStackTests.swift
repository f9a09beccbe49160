import XCTest
import TorchBase

/// The frame classifier behind anomaly mode's user lines (Note [Operators at the user's line]).
final class CapturedStackTests: XCTestCase {
    func testLibraryPathsAbsoluteAndRelative() {
        let here = "\(#filePath)"  // …/Tests/TorchBaseTests/CapturedStackTests.swift
        let root = String(here[..<here.firstRange(of: "/Tests/TorchBaseTests/")!.lowerBound])
        XCTAssertTrue(CapturedStack.isLibraryPath(root + "/Sources/Core/Torch/Autograd/Node.swift"))
        XCTAssertTrue(CapturedStack.isLibraryPath(root + "/Sources/Libraries/TorchNN/Layers.swift"))
        XCTAssertTrue(CapturedStack.isLibraryPath("Sources/Core/Torch/Tensor+Operators.swift"))  // release builds
        XCTAssertFalse(CapturedStack.isLibraryPath(root + "/Sources/Programs/TorchMisuse/main.swift"))
        XCTAssertFalse(CapturedStack.isLibraryPath("Sources/Programs/TorchMisuse/main.swift"))
        XCTAssertFalse(CapturedStack.isLibraryPath("/home/user/App/Sources/App/main.swift"))
        XCTAssertFalse(CapturedStack.isLibraryPath(here))
    }

    /// A stack captured here names this file, not the library's.
    @inline(never) func testCaptureFindsTheCaller() throws {
        let stack = try XCTUnwrap(CapturedStack.capture())
        let line = #line - 1
        let site = try XCTUnwrap(stack.userSite(), "no frame with a source line (built without debug information?)")
        XCTAssertTrue(site.hasSuffix("CapturedStackTests.swift:\(line)"), site)
    }
}
