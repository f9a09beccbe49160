import Foundation
import XCTest
import TorchBase
import TorchTestSupport

/// Misuse traps with PyTorch's wording, the op's name and the caller's file and line. Each case
/// runs in a child process (`torch-misuse CASE`) because a trap ends the process.
final class MisuseTests: XCTestCase {
    func misuseBinary() -> URL? { MisuseTests.binary() }

    static func binary() -> URL? { programBinary("torch-misuse") }

    func trap(_ name: String) -> (line: String, stderr: String) {
        guard let exe = misuseBinary() else { XCTFail("torch-misuse not built"); return ("", "") }
        let r = runCapturing(exe, [name])
        XCTAssertNotEqual(r.status, 0, "\(name) should trap")
        let line = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return (line.replacingOccurrences(of: "line ", with: ""), r.stderr)
    }

    func check(_ name: String, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        let r = trap(name)
        XCTAssertTrue(
            r.stderr.contains("TorchMisuse/main.swift:\(r.line):"), "\(name): no caller location in \(r.stderr)",
            file: file, line: line)
        for f in fragments {
            XCTAssertTrue(r.stderr.contains(f), "\(name): expected '\(f)' in: \(r.stderr)", file: file, line: line)
        }
    }

    func testBroadcastMismatch() {
        check(
            "broadcast",
            ["add:", "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"])
    }
    func testComplexAndFFTRefusals() {
        check("rfft-complex", ["fft_rfft:", "rfft expects a real input tensor, but got ComplexDouble"])
        check("fft-points", ["fft_irfft:", "Invalid number of data points (0) specified"])
        check("view-as-complex", ["view_as_complex:", "Tensor must have a last dimension of size 2"])
        check("complex-backward", ["backward:", "grad can be implicitly created only for real scalar outputs"])
        check("complex-sign", ["sign:", "Unlike NumPy, torch.sign is not intended to support complex numbers"])
        check("batchnorm2d-rank", ["BatchNorm2d", "expected 4D input (got 3D input)"])
        let phase = "in the complex case are specified up to multiplication by e^{i phi}"
        check("cx-eigh-phase", ["linalg.eigh:", "linalg_eigh_backward: The eigenvectors " + phase])
        check("cx-eig-phase", ["linalg.eig:", "linalg_eig_backward: The eigenvectors " + phase])
        check("cx-svd-phase", ["linalg.svd:", "svd_backward: The singular vectors " + phase])
    }
    func testDistributionRefusals() {
        check(
            "dist-param",
            [
                "Normal: Expected parameter scale (Tensor of shape (3,)) of distribution Normal(loc: torch.Size([3]), "
                    + "scale: torch.Size([3])) to satisfy the constraint GreaterThan(lower_bound=0.0)"
            ])
        check(
            "dist-support",
            [
                "Exponential: Expected value argument (Tensor of shape (2,)) to be within the support "
                    + "(GreaterThanEq(lower_bound=0.0))"
            ])
        check(
            "dist-mvn",
            [
                "MultivariateNormal: Expected parameter covariance_matrix (Tensor of shape (2, 2)) of distribution "
                    + "MultivariateNormal(loc: torch.Size([2]), covariance_matrix: torch.Size([2, 2])) to satisfy the "
                    + "constraint PositiveDefinite()"
            ])
        check("kl-missing", ["kl_divergence: No KL(p || q) is implemented for p type Normal and q type Poisson"])
    }
    func testLayerErrorsNameTheLayerAndTheUsersLine() {
        check(
            "linear-width",
            ["Linear(in_features=784, out_features=10, bias=True): expected input [*, 784], got [64, 28]"])
        // Inside a Sequential: reported at the Sequential's call, naming the convolution.
        check(
            "conv-in-sequential",
            [
                "expected input[1, 3, 8, 8] to have 1 channels",
                "in Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1)) (inside Sequential), called at "
                    + "TorchMisuse/main.swift:",
            ])
    }

    func testOpInsideAUserForwardKeepsItsLineAndNamesTheModule() {
        let r = trap("op-in-forward")
        // The op's own line is the user's (inside their forward), and the module is named.
        XCTAssertTrue(r.stderr.contains("TorchMisuse/main.swift:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("in Net()"), r.stderr)
        XCTAssertTrue(r.stderr.contains("view:"), r.stderr)
    }

    func testRecurrentStateShapeAndPacking() {
        check("lstm-hidden", ["LSTM: Expected hidden[0] size (2, 3, 20), got [3, 20]"])
        check("pack-unsorted", ["`lengths` array must be sorted in decreasing order when `enforce_sorted` is True"])
    }

    func testMatmulShapes() { check("matmul", ["matmul:", "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x4)"]) }
    func testViewNeedsReshape() { check("view", ["view:", "Use .reshape(...) instead"]) }
    func testReshapeCount() { check("reshape", ["reshape:", "shape '[4, 2]' is invalid for input of size 6"]) }
    func testIndexOutOfRange() { check("index", ["index:", "index 5 is out of bounds for dimension 0 with size 2"]) }
    func testSelectOutOfRange() {
        check("select", ["select:", "index -4 is out of bounds for dimension 1 with size 3"])
    }
    func testDimOutOfRange() {
        check("dim", ["sum:", "Dimension out of range (expected to be in range of [-2, 1], but got 2)"])
    }
    func testCatSizes() {
        check(
            "cat",
            [
                "cat:",
                "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1",
            ])
    }
    func testItem() { check("item", ["item:", "a Tensor with 6 elements cannot be converted to Scalar"]) }
    func testMeanOfInts() {
        check("mean-int", ["mean:", "Input dtype must be either a floating point or complex dtype. Got: int64"])
    }
    func testBoolNegation() {
        check("bool-neg", ["neg:", "Negation, the `-` operator, on a bool tensor is not supported"])
    }
    func testInPlaceCast() {
        check("inplace-cast", ["add_:", "result type float32 can't be cast to the desired output type int64"])
    }
    func testExpand() {
        check(
            "expand",
            [
                "expand:",
                "The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0",
            ])
    }
    func testPermute() { check("permute", ["permute:", "repeated dim in permute"]) }
    func testMaskShape() {
        check(
            "mask-shape",
            ["index:", "The shape of the mask [3] at index 0 does not match the shape of the indexed tensor [2]"])
    }
    func testFloatIndex() {
        check("float-index", ["index:", "tensors used as indices must be long, int, byte or bool tensors"])
    }

    func testModifiedSavedTensor() {
        // Programs PyTorch 2.15 refuses (checked there: their backward reads the changed tensor);
        // the programs it accepts are in AutogradTests.testInPlaceAfterUseWherePyTorchAllowsIt.
        check(
            "ag-version",
            [
                "backward:",
                "one of the variables needed for gradient computation has been modified by an inplace operation",
                "SinBackward0", "is at version 1; expected version 0 instead",
            ])
        check("ag-version-mul", ["backward:", "modified by an inplace operation", "MulBackward0"])
        check("ag-version-pow", ["backward:", "modified by an inplace operation", "PowBackward0"])
    }
    func testSecondBackwardThroughFreedGraph() {
        check("ag-second-backward", ["Trying to backward through the graph a second time"])
    }
    func testInPlaceOnLeaf() {
        check(
            "ag-leaf-inplace", ["add_:", "a leaf Variable that requires grad is being used in an in-place operation."])
    }
    func testInPlaceOnViewOfLeaf() {
        check(
            "ag-leaf-view-inplace",
            ["mul_:", "a view of a leaf Variable that requires grad is being used in an in-place operation."])
    }
    func testBackwardWithoutGraph() {
        check("ag-no-grad-backward", ["element 0 of tensors does not require grad and does not have a grad_fn"])
    }
    func testNonScalarBackward() { check("ag-non-scalar", ["grad can be implicitly created only for scalar outputs"]) }
    /// Anomaly mode names the node and the forward line that created it.
    func testAnomalyNamesTheForwardLine() {
        let r = trap("ag-anomaly")
        XCTAssertTrue(r.stderr.contains("Function 'SqrtBackward0' returned nan values"), r.stderr)
        XCTAssertTrue(r.stderr.contains("TorchMisuse/main.swift:\(r.line)"), r.stderr)
    }

    /// A node made by an operator inside a layer points at the user's call of the layer.
    func testAnomalyNamesTheUsersLineForOperatorsInsideLayers() {
        let r = trap("ag-anomaly-operator-in-module")
        XCTAssertTrue(r.stderr.contains("Function 'MulBackward0' returned nan values"), r.stderr)
        XCTAssertTrue(r.stderr.contains("is at TorchMisuse/main.swift:\(r.line)"), r.stderr)
    }

    /// An operator written at top level (no layer call around it) is found on the stack.
    func testAnomalyNamesTheUsersLineForTopLevelOperators() {
        let r = trap("ag-anomaly-operator-top-level")
        XCTAssertTrue(r.stderr.contains("Function 'MulBackward0' returned nan values"), r.stderr)
        XCTAssertTrue(r.stderr.contains("TorchMisuse/main.swift:\(r.line)."), r.stderr)
    }

    /// The pure checks behind the traps.
    func testCheckFunctions() {
        XCTAssertEqual(try? Checks.broadcastShapes([3, 1], [1, 4]).get(), [3, 4])
        XCTAssertEqual(try? Checks.broadcastShapes([], [2, 3]).get(), [2, 3])
        if case .failure(let e) = Checks.broadcastShapes([2, 3], [3, 2]) {
            // PyTorch's infer_size walks from the last dimension: its message names dimension 1.
            XCTAssertEqual(
                e.message, "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1")
        } else {
            XCTFail("expected a broadcast failure")
        }
        XCTAssertEqual(try? Checks.dim(-1, rank: 3).get(), 2)
        XCTAssertNil(try? Checks.dim(3, rank: 3).get())
        XCTAssertEqual(try? Checks.inferShape([-1, 4], count: 12).get(), [3, 4])
        XCTAssertNil(try? Checks.inferShape([-1, -1], count: 12).get())
        XCTAssertNil(try? Checks.inferShape([5], count: 12).get())
    }
}
