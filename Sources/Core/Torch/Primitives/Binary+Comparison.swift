import TorchBase

// Comparisons and logical ops of two tensors (Note [Binary primitives]): bool results, computed in
// the operands' promoted dtype, not differentiable.

extension BinaryPrimitives {
    static let comparison: [any ComparisonPrimitive.Type] = [
        Pointwise.Eq.self, Pointwise.Ne.self, Pointwise.Lt.self, Pointwise.Le.self, Pointwise.Gt.self,
        Pointwise.Ge.self, Pointwise.LogicalAnd.self, Pointwise.LogicalOr.self, Pointwise.LogicalXor.self,
    ]
}

extension Pointwise {
    /// `a == b`.
    enum Eq: ComparisonPrimitive {
        static let name = "eq"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> Bool { a == b }
        static func cuda(_ t: CUDAType) -> String { "(x == y)" }
    }
    /// `a != b`.
    enum Ne: ComparisonPrimitive {
        static let name = "ne"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> Bool { a != b }
        static func cuda(_ t: CUDAType) -> String { "(x != y)" }
    }
    /// `a < b`.
    enum Lt: ComparisonPrimitive {
        static let name = "lt"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> Bool { a < b }
        static func cuda(_ t: CUDAType) -> String { "(x < y)" }
    }
    /// `a <= b`.
    enum Le: ComparisonPrimitive {
        static let name = "le"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> Bool { a <= b }
        static func cuda(_ t: CUDAType) -> String { "(x <= y)" }
    }
    /// `a > b`.
    enum Gt: ComparisonPrimitive {
        static let name = "gt"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> Bool { a > b }
        static func cuda(_ t: CUDAType) -> String { "(x > y)" }
    }
    /// `a >= b`.
    enum Ge: ComparisonPrimitive {
        static let name = "ge"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> Bool { a >= b }
        static func cuda(_ t: CUDAType) -> String { "(x >= y)" }
    }
    /// Both non-zero.
    enum LogicalAnd: ComparisonPrimitive {
        static let name = "logicalAnd"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> Bool { a.isNonZero && b.isNonZero }
        static func cuda(_ t: CUDAType) -> String { "(x != 0 && y != 0)" }
    }
    /// Either non-zero.
    enum LogicalOr: ComparisonPrimitive {
        static let name = "logicalOr"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> Bool { a.isNonZero || b.isNonZero }
        static func cuda(_ t: CUDAType) -> String { "(x != 0 || y != 0)" }
    }
    /// Exactly one non-zero.
    enum LogicalXor: ComparisonPrimitive {
        static let name = "logicalXor"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> Bool { a.isNonZero != b.isNonZero }
        static func cuda(_ t: CUDAType) -> String { "((x != 0) != (y != 0))" }
    }
}
