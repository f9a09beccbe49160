/// PyTorch's type promotion (`torch.promote_types`, `torch.result_type`).
///
/// ```swift
/// promoteTypes(.uint8, .int8)      // .int16
/// promoteTypes(.float16, .bfloat16) // .float32
/// ```
public func promoteTypes(_ a: DType, _ b: DType) -> DType {
    if a == b { return a }
    if a == .bool { return b }
    if b == .bool { return a }
    if a.isComplex || b.isComplex {
        // The complex dtype whose parts hold both operands' real types; integers do not raise it.
        let ra = a.isComplex || a.isFloatingPoint ? a.realPart : nil
        let rb = b.isComplex || b.isFloatingPoint ? b.realPart : nil
        let parts = ra.flatMap { x in rb.map { promoteTypes(x, $0) } ?? x } ?? rb!
        return parts.complexCounterpart
    }
    if a.isFloatingPoint || b.isFloatingPoint {
        if a.isFloatingPoint && b.isFloatingPoint {
            if (a == .float16 && b == .bfloat16) || (a == .bfloat16 && b == .float16) { return .float32 }
            return a.itemSize >= b.itemSize ? a : b
        }
        return a.isFloatingPoint ? a : b
    }
    // Both integral.
    if a == .uint8 || b == .uint8 {
        let other = a == .uint8 ? b : a
        return other == .int8 ? .int16 : other
    }
    return a.itemSize >= b.itemSize ? a : b
}

/// What an operand contributes to `resultType`: a tensor with dimensions, a 0-d tensor,
/// or a Swift number (PyTorch's "wrapped number").
public enum PromotionOperand: Sendable {
    case tensor(DType, isZeroDim: Bool)
    /// A Swift scalar: `Double`/`Float` count as the default float dtype, `Int` as int64.
    case scalar(DType)
}

/// The result dtype of an op over these operands, with PyTorch's three priority levels
/// (dimensioned tensors, then 0-d tensors, then Swift scalars; a lower level only wins by category).
public func resultType(_ operands: [PromotionOperand], defaultFloat: DType = .float32) -> DType {
    var dim: DType? = nil, zero: DType? = nil, wrapped: DType? = nil
    func merge(_ cur: DType?, _ t: DType) -> DType { cur.map { promoteTypes($0, t) } ?? t }
    for op in operands {
        switch op {
        case let .tensor(t, z): if z { zero = merge(zero, t) } else { dim = merge(dim, t) }
        case let .scalar(t):
            let kind = t.isComplex ? defaultFloat.complexCounterpart : (t.isFloatingPoint ? defaultFloat : t)
            wrapped = merge(wrapped, kind)
        }
    }
    return combineCategories(dim, combineCategories(zero, wrapped))!
}

@usableFromInline func combineCategories(_ higher: DType?, _ lower: DType?) -> DType? {
    guard let h = higher else { return lower }
    guard let l = lower else { return h }
    if h.category >= l.category { return h }
    // A lower level wins by category only: a complex scalar makes a float tensor complex of its
    // own precision (float64 tensor + 1j → complex128), anything else promotes.
    if l.isComplex && h.isFloatingPoint { return h.complexCounterpart }
    return promoteTypes(h, l)
}
