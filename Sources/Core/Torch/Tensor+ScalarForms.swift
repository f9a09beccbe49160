import TorchBase

// The Python-scalar forms PyTorch accepts beside the tensor ones: a scalar divisor with a
// rounding mode, a scalar first operand of remainder, bitwise ops with a scalar, `where` between
// two scalars, and add/sub of a scalar scaled by `alpha`. Each promotes as PyTorch does with a
// wrapped number (the scalar never raises the tensor's dtype within its category).

extension Tensor {
    /// Floor division by a scalar (`torch.floor_divide(x, 2)`).
    ///
    /// ```swift
    /// Tensor([7, -7]).floorDivide(2)   // [3, -4]
    /// ```
    public func floorDivide<S: ScalarLike>(_ other: S, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.FloorDivide.self, self, scalar: other, file: file, line: line)
    }

    /// Division by a scalar, rounded by `roundingMode` (`torch.div(x, 2, rounding_mode=...)`).
    ///
    /// ```swift
    /// Tensor([7, -7]).div(2, roundingMode: .trunc)   // [3, -3]
    /// ```
    public func div<S: ScalarLike>(
        _ other: S, roundingMode: RoundingMode?, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        switch roundingMode {
        case nil: return Tensor.binary(Pointwise.Div.self, self, scalar: other, file: file, line: line)
        case .floor?: return floorDivide(other, file: file, line: line)
        case .trunc?:
            let s = Tensor.scalar(other, dtype: resultDType(withScalar: S.self))
            return div(s, roundingMode: .trunc, file: file, line: line)
        }
    }

    /// Python's remainder of a scalar by a tensor (`torch.remainder(5, x)`).
    ///
    /// ```swift
    /// Tensor.remainder(5, Tensor([3, -3]))   // [2, -1]
    /// ```
    public static func remainder<S: ScalarLike>(
        _ a: S, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        Tensor.binary(Pointwise.Remainder.self, b, scalar: a, reversed: true, file: file, line: line)
    }

    /// `a & s` with a scalar (`torch.bitwise_and(x, 3)`).
    ///
    /// ```swift
    /// Tensor([6, 5]) & 3   // [2, 1]
    /// ```
    public static func & <S: ScalarLike>(a: Tensor, s: S) -> Tensor {
        Tensor.binary(Pointwise.BitwiseAnd.self, a, scalar: s)
    }
    /// `a | s` with a scalar (`torch.bitwise_or(x, 3)`).
    ///
    /// ```swift
    /// Tensor([4]) | 1   // [5]
    /// ```
    public static func | <S: ScalarLike>(a: Tensor, s: S) -> Tensor {
        Tensor.binary(Pointwise.BitwiseOr.self, a, scalar: s)
    }
    /// `a ^ s` with a scalar (`torch.bitwise_xor(x, 3)`).
    ///
    /// ```swift
    /// Tensor([6]) ^ 3   // [5]
    /// ```
    public static func ^ <S: ScalarLike>(a: Tensor, s: S) -> Tensor {
        Tensor.binary(Pointwise.BitwiseXor.self, a, scalar: s)
    }

    /// `a` where `condition`, else `b`, both scalars (`torch.where(c, 1.0, 0.0)`): int64 for two
    /// integers, bool for two bools, the default float dtype otherwise.
    ///
    /// ```swift
    /// Tensor.where(mask, 1.0, 0.0)
    /// ```
    public static func `where`<A: ScalarLike, B: ScalarLike>(
        _ condition: Tensor, _ a: A, _ b: B, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let kinds = [A.scalarKind, B.scalarKind]
        let dtype: DType =
            kinds.contains(.float64) ? Torch.defaultDType : (kinds.contains(.int64) ? .int64 : .bool)
        return Tensor.where(
            condition, Tensor.scalar(a, dtype: dtype).to(device: condition.device),
            Tensor.scalar(b, dtype: dtype).to(device: condition.device))
    }

    /// `self + alpha · other` for a scalar `other` (`torch.add(x, 2, alpha=3)`).
    ///
    /// ```swift
    /// Tensor([1, 2]).add(2, alpha: 3)   // [7, 8]
    /// ```
    public func add<S: ScalarLike, A: ScalarLike>(
        _ other: S, alpha: A, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        scaledScalar(other, alpha, "add", negate: false, file: file, line: line)
    }
    /// `self - alpha · other` for a scalar `other` (`torch.sub(x, 2, alpha=3)`).
    ///
    /// ```swift
    /// Tensor([10]).sub(2, alpha: 3)   // [4]
    /// ```
    public func sub<S: ScalarLike, A: ScalarLike>(
        _ other: S, alpha: A, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        scaledScalar(other, alpha, "sub", negate: true, file: file, line: line)
    }

    private func scaledScalar<S: ScalarLike, A: ScalarLike>(
        _ other: S, _ alpha: A, _ op: String, negate: Bool, file: StaticString, line: UInt
    ) -> Tensor {
        let common = resultDType(withScalar: S.self)
        if !common.isFloatingPoint && A.scalarKind == .float64 {
            torchFail(
                op, "For integral input tensors, argument alpha must not be a floating point number.", file: file,
                line: line)
        }
        if common == .bool && A.scalarKind != .bool {
            torchFail(
                op, "Boolean alpha only supported for Boolean results.", file: file, line: line)
        }
        // The tensor-scalar product in the result's dtype, as PyTorch's a + alpha·b kernel.
        let s = Tensor.scalar(other, dtype: common == .bool ? .bool : common.computeType)
        let scaled = s.mul(Tensor.scalar(alpha, dtype: s.dtype))
        // The result's dtype is the tensor-scalar one even when this tensor is 0-d.
        return negate
            ? Tensor.binary(Pointwise.Sub.self, self, scaled, common: common, file: file, line: line)
            : Tensor.binary(Pointwise.Add.self, self, scaled, common: common, file: file, line: line)
    }
}
