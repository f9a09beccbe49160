import TorchBase
import TorchCPU

// Arithmetic, comparison and logical operators with broadcasting. Comparisons use the pointwise
// operators `.==`, `.<`, ... so that `==` keeps Swift's meaning; `&`, `|`, `^`, `~` are bitwise
// (logical for bool tensors), as in PyTorch.
extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, a, b) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.sub, a, b) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.mul, a, b) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.div, a, b) }
    public static func % (a: Tensor, b: Tensor) -> Tensor { binary(.remainder, a, b) }
    public static prefix func - (a: Tensor) -> Tensor { a.unary(.neg) }

    public static func + <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(.add, a, scalar: b) }
    public static func - <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(.sub, a, scalar: b) }
    public static func * <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(.mul, a, scalar: b) }
    public static func / <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(.div, a, scalar: b) }
    public static func % <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(.remainder, a, scalar: b) }
    public static func + <S: ScalarLike>(a: S, b: Tensor) -> Tensor { binary(.add, b, scalar: a, reversed: true) }
    public static func - <S: ScalarLike>(a: S, b: Tensor) -> Tensor { binary(.sub, b, scalar: a, reversed: true) }
    public static func * <S: ScalarLike>(a: S, b: Tensor) -> Tensor { binary(.mul, b, scalar: a, reversed: true) }
    public static func / <S: ScalarLike>(a: S, b: Tensor) -> Tensor { binary(.div, b, scalar: a, reversed: true) }

    public static func += (a: Tensor, b: Tensor) { a.binaryInPlace(.add, b) }
    public static func -= (a: Tensor, b: Tensor) { a.binaryInPlace(.sub, b) }
    public static func *= (a: Tensor, b: Tensor) { a.binaryInPlace(.mul, b) }
    public static func /= (a: Tensor, b: Tensor) { a.binaryInPlace(.div, b) }
    public static func += <S: ScalarLike>(a: Tensor, b: S) { a.binaryInPlace(.add, scalar: b) }
    public static func -= <S: ScalarLike>(a: Tensor, b: S) { a.binaryInPlace(.sub, scalar: b) }
    public static func *= <S: ScalarLike>(a: Tensor, b: S) { a.binaryInPlace(.mul, scalar: b) }
    public static func /= <S: ScalarLike>(a: Tensor, b: S) { a.binaryInPlace(.div, scalar: b) }

    public static func .== (a: Tensor, b: Tensor) -> Tensor { binary(.eq, a, b) }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { binary(.ne, a, b) }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { binary(.lt, a, b) }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { binary(.le, a, b) }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { binary(.gt, a, b) }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { binary(.ge, a, b) }
    public static func .== <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(.eq, a, scalar: b) }
    public static func .!= <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(.ne, a, scalar: b) }
    public static func .< <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(.lt, a, scalar: b) }
    public static func .<= <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(.le, a, scalar: b) }
    public static func .> <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(.gt, a, scalar: b) }
    public static func .>= <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(.ge, a, scalar: b) }

    public static func & (a: Tensor, b: Tensor) -> Tensor { binary(.bitwiseAnd, a, b) }
    public static func | (a: Tensor, b: Tensor) -> Tensor { binary(.bitwiseOr, a, b) }
    public static func ^ (a: Tensor, b: Tensor) -> Tensor { binary(.bitwiseXor, a, b) }
    public static prefix func ~ (a: Tensor) -> Tensor { a.unary(.bitwiseNot) }
}

// Named forms, with the caller's line for error messages.
extension Tensor {
    /// `self + alpha * other`.
    public func add(_ other: Tensor, alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(.add, self, alpha == 1 ? other : Tensor.binary(.mul, other, scalar: alpha, file: file, line: line), file: file, line: line)
    }
    public func sub(_ other: Tensor, alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(.sub, self, alpha == 1 ? other : Tensor.binary(.mul, other, scalar: alpha, file: file, line: line), file: file, line: line)
    }
    public func mul(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { Tensor.binary(.mul, self, other, file: file, line: line) }

    /// True division; `roundingMode` "trunc" or "floor" rounds the quotient (and keeps integer dtypes).
    public func div(_ other: Tensor, roundingMode: String? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        switch roundingMode {
        case nil: return Tensor.binary(.div, self, other, file: file, line: line)
        case "floor": return Tensor.binary(.floorDivide, self, other, file: file, line: line)
        case "trunc":
            let common = resultType([.tensor(dtype, isZeroDim: rank == 0), .tensor(other.dtype, isZeroDim: other.rank == 0)])
            if common.isFloatingPoint { return Tensor.binary(.div, self, other, file: file, line: line).trunc() }
            let q = Tensor.binary(.floorDivide, self, other, file: file, line: line)
            let r = Tensor.binary(.fmod, self, other, file: file, line: line)
            // floor and trunc differ by one where the remainder is nonzero and the signs differ.
            let fix = (r .!= 0) & ((self .< 0) ^ (other .< 0))
            return Tensor.binary(.add, q, fix.to(q.dtype), file: file, line: line)
        default: torchFail("div", "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '\(roundingMode!)'", file: file, line: line)
        }
    }

    public func floorDivide(_ other: Tensor) -> Tensor { Tensor.binary(.floorDivide, self, other) }
    public func remainder(_ other: Tensor) -> Tensor { Tensor.binary(.remainder, self, other) }
    public func fmod(_ other: Tensor) -> Tensor { Tensor.binary(.fmod, self, other) }
    public func remainder<S: ScalarLike>(_ other: S) -> Tensor { Tensor.binary(.remainder, self, scalar: other) }
    public func fmod<S: ScalarLike>(_ other: S) -> Tensor { Tensor.binary(.fmod, self, scalar: other) }
    public func pow(_ exponent: Tensor) -> Tensor { Tensor.binary(.pow, self, exponent) }
    public func pow<S: ScalarLike>(_ exponent: S, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if !dtype.isFloatingPoint && S.scalarKind != .float64 && exponent.asDouble < 0 {
            torchFail("pow", "Integers to negative integer powers are not allowed.", file: file, line: line)
        }
        return Tensor.binary(.pow, self, scalar: exponent, file: file, line: line)
    }
    /// `base ** exponent` with a scalar base (PyTorch's `torch.pow(2, x)`).
    public static func pow<S: ScalarLike>(_ base: S, _ exponent: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(.pow, exponent, scalar: base, reversed: true, file: file, line: line)
    }
    public func maximum(_ other: Tensor) -> Tensor { Tensor.binary(.maximum, self, other) }
    public func minimum(_ other: Tensor) -> Tensor { Tensor.binary(.minimum, self, other) }
    public func atan2(_ other: Tensor) -> Tensor { Tensor.binary(.atan2, self, other) }
    public func eq(_ other: Tensor) -> Tensor { Tensor.binary(.eq, self, other) }
    public func ne(_ other: Tensor) -> Tensor { Tensor.binary(.ne, self, other) }
    public func lt(_ other: Tensor) -> Tensor { Tensor.binary(.lt, self, other) }
    public func le(_ other: Tensor) -> Tensor { Tensor.binary(.le, self, other) }
    public func gt(_ other: Tensor) -> Tensor { Tensor.binary(.gt, self, other) }
    public func ge(_ other: Tensor) -> Tensor { Tensor.binary(.ge, self, other) }
    public func logicalAnd(_ other: Tensor) -> Tensor { Tensor.binary(.logicalAnd, self, other) }
    public func logicalOr(_ other: Tensor) -> Tensor { Tensor.binary(.logicalOr, self, other) }
    public func logicalXor(_ other: Tensor) -> Tensor { Tensor.binary(.logicalXor, self, other) }

    @discardableResult public func add_(_ other: Tensor, alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        // Fast path: self += alpha · other in one pass (optimizer updates, gradient accumulation).
        if alpha != 1 && (dtype == .float32 || dtype == .float64) && other.dtype == dtype && device == .cpu && other.device == .cpu
            && layout.isContiguous && other.layout.isContiguous && shape == other.shape && other.storage !== storage
            && !Tensor.shouldRecord(self, other) {
            CPUKernels.axpy(dtype, count, alpha: alpha, x: other.storage.data + other.layout.offset * itemSize,
                            y: storage.data + layout.offset * itemSize)
            bumpVersion()
            return self
        }
        binaryInPlace(.add, alpha == 1 ? other : Tensor.binary(.mul, other, scalar: alpha, file: file, line: line), file: file, line: line)
        return self
    }
    @discardableResult public func sub_(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        binaryInPlace(.sub, other, file: file, line: line); return self
    }
    @discardableResult public func mul_(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        binaryInPlace(.mul, other, file: file, line: line); return self
    }
    @discardableResult public func div_(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        binaryInPlace(.div, other, file: file, line: line); return self
    }
    @discardableResult public func pow_<S: ScalarLike>(_ e: S, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if !dtype.isFloatingPoint && S.scalarKind != .float64 && e.asDouble < 0 {
            torchFail("pow_", "Integers to negative integer powers are not allowed.", file: file, line: line)
        }
        binaryInPlace(.pow, scalar: e, file: file, line: line)
        return self
    }

    /// Clamps every element into `[min, max]` (either bound may be omitted). NaN stays NaN.
    public func clamp(min lo: Double? = nil, max hi: Double? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if lo == nil && hi == nil { torchFail("clamp", "At least one of 'min' or 'max' must not be None", file: file, line: line) }
        var r = self
        if let lo { r = Tensor.binary(.maximum, r, scalar: lo, file: file, line: line) }
        if let hi { r = Tensor.binary(.minimum, r, scalar: hi, file: file, line: line) }
        return r
    }

    public func clamp(min lo: Tensor?, max hi: Tensor?) -> Tensor {
        var r = self
        if let lo { r = r.maximum(lo) }
        if let hi { r = r.minimum(hi) }
        return r
    }

    @discardableResult public func clamp_(min lo: Double? = nil, max hi: Double? = nil) -> Tensor {
        assignResult(clamp(min: lo, max: hi), op: "clamp_", file: #fileID, line: #line); return self
    }

    /// `self + weight * (end - self)`.
    public func lerp(_ end: Tensor, weight: Tensor) -> Tensor { self + weight * (end - self) }
    public func lerp(_ end: Tensor, weight: Double) -> Tensor { self + (end - self) * weight }

    public func isnan() -> Tensor { classify(0) }
    public func isinf() -> Tensor { classify(1) }
    public func isfinite() -> Tensor { classify(2) }

    func classify(_ kind: Int) -> Tensor {
        if !dtype.isFloatingPoint { return Tensor.full(shape, kind == 2, dtype: .bool, device: device) }
        let x = to(dtype == .float64 ? .float64 : .float32)
        let out = Tensor(uninitialized: shape, dtype: .bool, device: device)
        Kernels.classify(kind, out.operand, x.operand, device)
        return out
    }

    /// Replaces NaN with `nan`, +inf with `posinf` and -inf with `neginf` (defaults: the dtype's extremes).
    public func nanToNum(nan: Double = 0, posinf: Double? = nil, neginf: Double? = nil) -> Tensor {
        if !dtype.isFloatingPoint { return clone() }
        let big: Double
        switch dtype {
        case .float16: big = 65504
        case .bfloat16: big = Double(BFloat16(bitPattern: 0x7F7F).floatValue)
        case .float32: big = Double(Float.greatestFiniteMagnitude)
        default: big = Double.greatestFiniteMagnitude
        }
        var r = Tensor.where(isnan(), Tensor.scalar(nan, dtype: dtype), self)
        r = Tensor.where(r .== Double.infinity, Tensor.scalar(posinf ?? big, dtype: dtype), r)
        r = Tensor.where(r .== -Double.infinity, Tensor.scalar(neginf ?? -big, dtype: dtype), r)
        return r
    }

    /// `condition ? a : b` element-wise, with broadcasting and promotion of `a` and `b`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let s1 = Checks.broadcastShapes(condition.shape, a.shape).unwrap("where", file: file, line: line)
        let shape = Checks.broadcastShapes(s1, b.shape).unwrap("where", file: file, line: line)
        let common = a.dtype == b.dtype ? a.dtype
            : resultType([.tensor(a.dtype, isZeroDim: a.rank == 0), .tensor(b.dtype, isZeroDim: b.rank == 0)])
        if shouldRecord(a, b) {
            let (sa, sb) = (a.shape, b.shape)
            return recorded(.whereSelect, [a, b], save: [condition], file: file, line: line,
                            forward: { Tensor.where(condition, a, b, file: file, line: line) },
                            backward: { node, g in
                                let c = node.savedTensor(0)
                                let zero = Tensor.scalar(0, dtype: g.dtype)
                                return [node.needs(0) ? Tensor.where(c, g, zero).sumToShape(sa).to(a.dtype) : nil,
                                        node.needs(1) ? Tensor.where(c, zero, g).sumToShape(sb).to(b.dtype) : nil]
                            })
        }
        let dev = a.device.isCUDA ? a.device : (b.device.isCUDA ? b.device : condition.device)
        let out = Tensor(uninitialized: shape, dtype: common, device: dev)
        Kernels.whereSelect(out.operand, condition.to(.bool).onDevice(dev).operand(broadcastTo: shape),
                            a.to(common).onDevice(dev).operand(broadcastTo: shape), b.to(common).onDevice(dev).operand(broadcastTo: shape), dev)
        return out
    }

    public static func `where`<S: ScalarLike>(_ condition: Tensor, _ a: S, _ b: Tensor) -> Tensor {
        Tensor.where(condition, Tensor.scalar(a, dtype: b.resultDType(withScalar: S.self)), b)
    }
    public static func `where`<S: ScalarLike>(_ condition: Tensor, _ a: Tensor, _ b: S) -> Tensor {
        Tensor.where(condition, a, Tensor.scalar(b, dtype: a.resultDType(withScalar: S.self)))
    }
}
