import Torch
import XCTest

/// Kernel operands keep their memory alive: an operand taken from a temporary tensor (a dtype
/// conversion inside an argument list) must not see its memory freed and reused by the next
/// temporary before the kernel runs.
final class OperandLifetimeTests: XCTestCase {
    /// `where` over two 0-d operands of different half types converts both to float32 as
    /// temporaries; with the first freed early, its memory held the second's value.
    func testWhereOfConvertedTemporaries() {
        let c = Tensor.scalar(true, dtype: .bool)
        let a = Tensor.scalar(-0.0828857421875, dtype: .float16)
        let b = Tensor.scalar(0.03125, dtype: .bfloat16)
        for _ in 0..<20 {
            XCTAssertEqual(Tensor.where(c, a, b).item(), -0.0828857421875)
            XCTAssertEqual(Tensor.where(c.logicalNot(), a, b).item(), 0.03125)
        }
    }
}
