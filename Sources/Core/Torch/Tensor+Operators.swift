import TorchBase

// Arithmetic, comparison and logical operators with broadcasting. Comparisons use the pointwise
// operators `.==`, `.<`, ... so that `==` keeps Swift's meaning; `&`, `|`, `^`, `~` are bitwise
// (logical for bool tensors), as in PyTorch.
extension Tensor {
    /// Element-wise sum with broadcasting and promotion (`torch.add`). `a + b`
    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(Pointwise.Add.self, a, b) }
    /// Element-wise difference (`torch.sub`). `a - b`
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(Pointwise.Sub.self, a, b) }
    /// Element-wise product (`torch.mul`). `a * b`
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(Pointwise.Mul.self, a, b) }
    /// True division: integral inputs give the default float dtype (`torch.div`). `a / b`
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(Pointwise.Div.self, a, b) }
    /// Python's remainder, with the sign of the divisor (`torch.remainder`). `a % b`
    public static func % (a: Tensor, b: Tensor) -> Tensor { binary(Pointwise.Remainder.self, a, b) }
    public static prefix func - (a: Tensor) -> Tensor { a.neg() }

    /// Adds a Swift scalar (which does not raise the tensor's dtype within its kind). `x + 1`
    public static func + <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(Pointwise.Add.self, a, scalar: b) }
    /// Subtracts a Swift scalar. `x - 0.5`
    public static func - <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(Pointwise.Sub.self, a, scalar: b) }
    /// Multiplies by a Swift scalar. `x * 2`
    public static func * <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(Pointwise.Mul.self, a, scalar: b) }
    /// Divides by a Swift scalar (true division). `x / 255`
    public static func / <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(Pointwise.Div.self, a, scalar: b) }
    /// Python's remainder by a Swift scalar. `x % 3`
    public static func % <S: ScalarLike>(a: Tensor, b: S) -> Tensor { binary(Pointwise.Remainder.self, a, scalar: b) }
    /// A Swift scalar plus a tensor. `1 + x`
    public static func + <S: ScalarLike>(a: S, b: Tensor) -> Tensor {
        binary(Pointwise.Add.self, b, scalar: a, reversed: true)
    }
    /// A Swift scalar minus a tensor. `1 - p`
    public static func - <S: ScalarLike>(a: S, b: Tensor) -> Tensor {
        binary(Pointwise.Sub.self, b, scalar: a, reversed: true)
    }
    /// A Swift scalar times a tensor. `0.5 * x`
    public static func * <S: ScalarLike>(a: S, b: Tensor) -> Tensor {
        binary(Pointwise.Mul.self, b, scalar: a, reversed: true)
    }
    /// `scalar / tensor` as PyTorch's `__rtruediv__`: `reciprocal(b) * a` (it saves only its result).
    public static func / <S: ScalarLike>(a: S, b: Tensor) -> Tensor { b.reciprocal() * a }

    /// Adds `b` into `a` in place (`Tensor.add_`). `w += delta`
    public static func += (a: Tensor, b: Tensor) { a.binaryInPlace(Pointwise.Add.self, b) }
    /// Subtracts `b` from `a` in place (`Tensor.sub_`). `w -= lr * g`
    public static func -= (a: Tensor, b: Tensor) { a.binaryInPlace(Pointwise.Sub.self, b) }
    /// Multiplies `a` by `b` in place (`Tensor.mul_`). `x *= mask`
    public static func *= (a: Tensor, b: Tensor) { a.binaryInPlace(Pointwise.Mul.self, b) }
    /// Divides `a` by `b` in place (`Tensor.div_`; `a` must be floating). `x /= norm`
    public static func /= (a: Tensor, b: Tensor) { a.binaryInPlace(Pointwise.Div.self, b) }
    /// Adds a Swift scalar in place. `x += 1`
    public static func += <S: ScalarLike>(a: Tensor, b: S) { a.binaryInPlace(Pointwise.Add.self, scalar: b) }
    /// Subtracts a Swift scalar in place. `x -= 1`
    public static func -= <S: ScalarLike>(a: Tensor, b: S) { a.binaryInPlace(Pointwise.Sub.self, scalar: b) }
    /// Multiplies by a Swift scalar in place. `x *= 0.9`
    public static func *= <S: ScalarLike>(a: Tensor, b: S) { a.binaryInPlace(Pointwise.Mul.self, scalar: b) }
    /// Divides by a Swift scalar in place. `x /= 2`
    public static func /= <S: ScalarLike>(a: Tensor, b: S) { a.binaryInPlace(Pointwise.Div.self, scalar: b) }

    /// Element-wise `==` as a bool tensor (`torch.eq`). `a .== b`
    public static func .== (a: Tensor, b: Tensor) -> Tensor { compare(Pointwise.Eq.self, a, b) }
    /// Element-wise `!=` as a bool tensor (`torch.ne`). `a .!= b`
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { compare(Pointwise.Ne.self, a, b) }
    /// Element-wise `<` as a bool tensor (`torch.lt`). `a .< b`
    public static func .< (a: Tensor, b: Tensor) -> Tensor { compare(Pointwise.Lt.self, a, b) }
    /// Element-wise `<=` as a bool tensor (`torch.le`). `a .<= b`
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { compare(Pointwise.Le.self, a, b) }
    /// Element-wise `>` as a bool tensor (`torch.gt`). `a .> b`
    public static func .> (a: Tensor, b: Tensor) -> Tensor { compare(Pointwise.Gt.self, a, b) }
    /// Element-wise `>=` as a bool tensor (`torch.ge`). `a .>= b`
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { compare(Pointwise.Ge.self, a, b) }
    /// Element-wise `== scalar`. `labels .== 3`
    public static func .== <S: ScalarLike>(a: Tensor, b: S) -> Tensor { compare(Pointwise.Eq.self, a, scalar: b) }
    /// Element-wise `!= scalar`. `x .!= 0`
    public static func .!= <S: ScalarLike>(a: Tensor, b: S) -> Tensor { compare(Pointwise.Ne.self, a, scalar: b) }
    /// Element-wise `< scalar`. `x .< 0`
    public static func .< <S: ScalarLike>(a: Tensor, b: S) -> Tensor { compare(Pointwise.Lt.self, a, scalar: b) }
    /// Element-wise `<= scalar`. `x .<= 1`
    public static func .<= <S: ScalarLike>(a: Tensor, b: S) -> Tensor { compare(Pointwise.Le.self, a, scalar: b) }
    /// Element-wise `> scalar`. `x .> 0`
    public static func .> <S: ScalarLike>(a: Tensor, b: S) -> Tensor { compare(Pointwise.Gt.self, a, scalar: b) }
    /// Element-wise `>= scalar`. `x .>= 0.5`
    public static func .>= <S: ScalarLike>(a: Tensor, b: S) -> Tensor { compare(Pointwise.Ge.self, a, scalar: b) }

    /// Bitwise (or logical, for bool) AND (`torch.bitwise_and`). `maskA & maskB`
    public static func & (a: Tensor, b: Tensor) -> Tensor { binary(Pointwise.BitwiseAnd.self, a, b) }
    /// Bitwise (or logical, for bool) OR (`torch.bitwise_or`). `maskA | maskB`
    public static func | (a: Tensor, b: Tensor) -> Tensor { binary(Pointwise.BitwiseOr.self, a, b) }
    /// Bitwise (or logical, for bool) XOR (`torch.bitwise_xor`). `maskA ^ maskB`
    public static func ^ (a: Tensor, b: Tensor) -> Tensor { binary(Pointwise.BitwiseXor.self, a, b) }
    public static prefix func ~ (a: Tensor) -> Tensor { a.bitwiseNot() }
}

// Named forms, with the caller's line for error messages.
extension Tensor {
    /// `self + other`.
    public func add(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Add.self, self, other, file: file, line: line)
    }
    /// `self + alpha * other`. The result dtype is that of `self + other`: an integer `alpha` keeps
    /// integer tensors integral, a floating `alpha` on integer tensors is refused (PyTorch's rules).
    ///
    /// ```swift
    /// Tensor([1, 2]).add(Tensor([3, 4]), alpha: 2)   // tensor([7, 10]), int64
    /// ```
    public func add<S: ScalarLike>(_ other: Tensor, alpha: S, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if let r = inComputeType(other, { a, b in a.add(b, alpha: alpha, file: file, line: line) }) { return r }
        return Tensor.binary(
            Pointwise.Add.self, self, scaledByAlpha(other, alpha, "add", file: file, line: line), file: file,
            line: line)
    }

    /// float16/bfloat16 `self op other` computed in float32 and rounded once (PyTorch's
    /// `a + alpha·b` kernel), or nil for other dtypes.
    func inComputeType(_ other: Tensor, _ f: (Tensor, Tensor) -> Tensor) -> Tensor? {
        let common =
            dtype == other.dtype
            ? dtype
            : resultType([.tensor(dtype, isZeroDim: rank == 0), .tensor(other.dtype, isZeroDim: other.rank == 0)])
        guard common == .float16 || common == .bfloat16 else { return nil }
        return f(to(common).to(.float32), other.to(common).to(.float32)).to(common)
    }
    /// `self - other`.
    public func sub(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Sub.self, self, other, file: file, line: line)
    }
    /// `self - alpha * other`, with `add(_:alpha:)`'s dtype rules.
    public func sub<S: ScalarLike>(_ other: Tensor, alpha: S, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if dtype == .bool || other.dtype == .bool {
            Pointwise.Sub.refuse(dtype, other.dtype, file: file, line: line)
        }
        if let r = inComputeType(other, { a, b in a.sub(b, alpha: alpha, file: file, line: line) }) { return r }
        return Tensor.binary(
            Pointwise.Sub.self, self, scaledByAlpha(other, alpha, "sub", file: file, line: line), file: file,
            line: line)
    }

    /// `alpha * other` in the dtype of `self op other`, after PyTorch's alpha checks.
    func scaledByAlpha<S: ScalarLike>(_ other: Tensor, _ alpha: S, _ op: String, file: StaticString, line: UInt)
        -> Tensor
    {
        let common =
            dtype == other.dtype
            ? dtype
            : resultType([.tensor(dtype, isZeroDim: rank == 0), .tensor(other.dtype, isZeroDim: other.rank == 0)])
        if S.scalarKind == .float64 && !common.isFloatingPoint {
            torchFail(
                op, "For integral input tensors, argument alpha must not be a floating point number.", file: file,
                line: line)
        }
        if S.scalarKind == .bool && common != .bool {
            torchFail(op, "Boolean alpha only supported for Boolean results.", file: file, line: line)
        }
        if alpha.asDouble == 1 { return other }
        // In the common dtype, as PyTorch's a + alpha·b kernel (an int8 b times alpha does not wrap
        // in int8 when the result is int16).
        return Tensor.binary(
            Pointwise.Mul.self, other.to(common), Tensor.scalar(alpha, dtype: common), file: file, line: line)
    }
    /// Element-wise product (`Tensor.mul`). `a.mul(b)`
    public func mul(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.binary(Pointwise.Mul.self, self, other, file: file, line: line)
    }

    /// True division; `roundingMode` "trunc" or "floor" rounds the quotient (and keeps integer dtypes).
    public func div(
        _ other: Tensor, roundingMode: RoundingMode? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        switch roundingMode {
        case nil: return Tensor.binary(Pointwise.Div.self, self, other, file: file, line: line)
        case .floor?: return Tensor.binary(Pointwise.FloorDivide.self, self, other, file: file, line: line)
        case .trunc?:
            let common = resultType([
                .tensor(dtype, isZeroDim: rank == 0), .tensor(other.dtype, isZeroDim: other.rank == 0),
            ])
            if common.isFloatingPoint {
                return Tensor.binary(Pointwise.Div.self, self, other, file: file, line: line).trunc()
            }
            let q = Tensor.binary(Pointwise.FloorDivide.self, self, other, file: file, line: line)
            let r = Tensor.binary(Pointwise.Fmod.self, self, other, file: file, line: line)
            // floor and trunc differ by one where the remainder is nonzero and the signs differ.
            let fix = (r .!= 0) & ((self .< 0) ^ (other .< 0))
            return Tensor.binary(Pointwise.Add.self, q, fix.to(q.dtype), file: file, line: line)
        }
    }

    /// Element-wise floor division (`torch.floor_divide`). `a.floorDivide(b)`
    public func floorDivide(_ other: Tensor) -> Tensor { Tensor.binary(Pointwise.FloorDivide.self, self, other) }
    /// Python's remainder (`torch.remainder`). `a.remainder(b)`
    public func remainder(_ other: Tensor) -> Tensor { Tensor.binary(Pointwise.Remainder.self, self, other) }
    /// C's remainder, with the sign of the dividend (`torch.fmod`). `a.fmod(b)`
    public func fmod(_ other: Tensor) -> Tensor { Tensor.binary(Pointwise.Fmod.self, self, other) }
    /// Python's remainder by a scalar. `x.remainder(2)`
    public func remainder<S: ScalarLike>(_ other: S) -> Tensor {
        Tensor.binary(Pointwise.Remainder.self, self, scalar: other)
    }
    /// C's remainder by a scalar. `x.fmod(2)`
    public func fmod<S: ScalarLike>(_ other: S) -> Tensor { Tensor.binary(Pointwise.Fmod.self, self, scalar: other) }
    /// Element-wise power with a tensor exponent (`torch.pow`). `x.pow(e)`
    public func pow(_ exponent: Tensor) -> Tensor { Tensor.binary(Pointwise.Pow.self, self, exponent) }
    /// Power with a scalar exponent (0.5 and -0.5 computed as `sqrt` and `rsqrt`, as PyTorch). `x.pow(2)`
    public func pow<S: ScalarLike>(_ exponent: S, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if !dtype.isFloatingPoint && S.scalarKind != .float64 && exponent.asDouble < 0 {
            torchFail("pow", "Integers to negative integer powers are not allowed.", file: file, line: line)
        }
        return Tensor.binary(Pointwise.Pow.self, self, scalar: exponent, file: file, line: line)
    }
    /// `base ** exponent` with a scalar base (PyTorch's `torch.pow(2, x)`).
    public static func pow<S: ScalarLike>(
        _ base: S, _ exponent: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        Tensor.binary(Pointwise.Pow.self, exponent, scalar: base, reversed: true, file: file, line: line)
    }
    /// Element-wise maximum, NaN winning (`torch.maximum`). `a.maximum(b)`
    public func maximum(_ other: Tensor) -> Tensor { Tensor.binary(Pointwise.Maximum.self, self, other) }
    /// Element-wise minimum, NaN winning (`torch.minimum`). `a.minimum(b)`
    public func minimum(_ other: Tensor) -> Tensor { Tensor.binary(Pointwise.Minimum.self, self, other) }
    /// Element-wise `atan2(self, other)`, the angle of (other, self) (`torch.atan2`). `y.atan2(x)`
    public func atan2(_ other: Tensor) -> Tensor { Tensor.binary(Pointwise.Atan2.self, self, other) }
    /// Element-wise `==` (`torch.eq`). `a.eq(b)`
    public func eq(_ other: Tensor) -> Tensor { Tensor.compare(Pointwise.Eq.self, self, other) }
    /// Element-wise `!=` (`torch.ne`). `a.ne(b)`
    public func ne(_ other: Tensor) -> Tensor { Tensor.compare(Pointwise.Ne.self, self, other) }
    /// Element-wise `<` (`torch.lt`). `a.lt(b)`
    public func lt(_ other: Tensor) -> Tensor { Tensor.compare(Pointwise.Lt.self, self, other) }
    /// Element-wise `<=` (`torch.le`). `a.le(b)`
    public func le(_ other: Tensor) -> Tensor { Tensor.compare(Pointwise.Le.self, self, other) }
    /// Element-wise `>` (`torch.gt`). `a.gt(b)`
    public func gt(_ other: Tensor) -> Tensor { Tensor.compare(Pointwise.Gt.self, self, other) }
    /// Element-wise `>=` (`torch.ge`). `a.ge(b)`
    public func ge(_ other: Tensor) -> Tensor { Tensor.compare(Pointwise.Ge.self, self, other) }
    /// True where both are non-zero (`torch.logical_and`). `a.logicalAnd(b)`
    public func logicalAnd(_ other: Tensor) -> Tensor { Tensor.compare(Pointwise.LogicalAnd.self, self, other) }
    /// True where either is non-zero (`torch.logical_or`). `a.logicalOr(b)`
    public func logicalOr(_ other: Tensor) -> Tensor { Tensor.compare(Pointwise.LogicalOr.self, self, other) }
    /// True where exactly one is non-zero (`torch.logical_xor`). `a.logicalXor(b)`
    public func logicalXor(_ other: Tensor) -> Tensor { Tensor.compare(Pointwise.LogicalXor.self, self, other) }

    /// Adds `other` in place (`Tensor.add_`). `x.add_(y)`
    @discardableResult public func add_(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        binaryInPlace(Pointwise.Add.self, other, file: file, line: line)
        return self
    }
    /// In place `self += alpha * other`.
    @discardableResult public func add_<S: ScalarLike>(
        _ other: Tensor, alpha: S, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        // Fast path: self += alpha · other in one pass (optimizer updates, gradient accumulation).
        let a = alpha.asDouble
        if a != 1 && other.dtype == dtype && other.device == device && Kernels.supports(.addScaled, dtype, on: device)
            && layout.isContiguous && other.layout.isContiguous && shape == other.shape && other.storage !== storage
            && !Tensor.shouldRecord(self, other)
        {
            Kernels.addScaled(operand, other.operand, alpha: a, device)
            bumpVersion()
            return self
        }
        binaryInPlace(
            Pointwise.Add.self, scaledByAlpha(other, alpha, "add_", file: file, line: line), file: file, line: line)
        return self
    }
    /// Subtracts `other` in place (`Tensor.sub_`). `x.sub_(y)`
    @discardableResult public func sub_(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        binaryInPlace(Pointwise.Sub.self, other, file: file, line: line); return self
    }
    /// Multiplies by `other` in place (`Tensor.mul_`). `x.mul_(y)`
    @discardableResult public func mul_(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        binaryInPlace(Pointwise.Mul.self, other, file: file, line: line); return self
    }
    /// Divides by `other` in place (`Tensor.div_`). `x.div_(y)`
    @discardableResult public func div_(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        binaryInPlace(Pointwise.Div.self, other, file: file, line: line); return self
    }
    /// Raises to a scalar power in place (`Tensor.pow_`). `x.pow_(2)`
    @discardableResult public func pow_<S: ScalarLike>(_ e: S, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if !dtype.isFloatingPoint && S.scalarKind != .float64 && e.asDouble < 0 {
            torchFail("pow_", "Integers to negative integer powers are not allowed.", file: file, line: line)
        }
        binaryInPlace(Pointwise.Pow.self, scalar: e, file: file, line: line)
        return self
    }

    /// Clamps every element into `[min, max]` (either bound may be omitted; NaN stays NaN). The
    /// result dtype promotes with the bounds as with Python scalars (`int.clamp(min: 0.5)` is
    /// float); the gradient passes where `min <= x <= max`, as PyTorch's.
    ///
    /// ```swift
    /// Tensor([-2.0, 0.5, 3.0]).clamp(min: -1, max: 1)   // [-1, 0.5, 1]
    /// ```
    public func clamp<S: ScalarLike>(
        min lo: S? = nil, max hi: S? = nil, file: StaticString = #fileID,
        line: UInt = #line
    ) -> Tensor {
        if lo == nil && hi == nil {
            torchFail("clamp", "At least one of 'min' or 'max' must not be None", file: file, line: line)
        }
        let out = resultDType(withScalar: S.self)
        var (l, h) = (lo?.asDouble, hi?.asDouble)
        if !out.isFloatingPoint && out != .bool {
            // Integer bounds saturate to the dtype; a bound on the wrong side of it is refused.
            let (minV, maxV) = Tensor.representableRange(out)
            if let v = l, v > maxV {
                torchFail(
                    "clamp", "Clamp min value \(lo!) is outside the representable range of \(out.pytorchName)",
                    file: file, line: line)
            }
            if let v = h, v < minV {
                torchFail(
                    "clamp", "Clamp max value \(hi!) is outside the representable range of \(out.pytorchName)",
                    file: file, line: line)
            }
            l = l.map { Swift.max($0, minV) }
            h = h.map { Swift.min($0, maxV) }
        }
        let x = to(out)
        let value = Torch.noGrad { () -> Tensor in
            var r = x
            if let l {
                r = Tensor.binary(Pointwise.Maximum.self, r, Tensor.scalar(l, dtype: out), file: file, line: line)
            }
            if let h {
                r = Tensor.binary(Pointwise.Minimum.self, r, Tensor.scalar(h, dtype: out), file: file, line: line)
            }
            return r
        }
        guard Tensor.shouldRecord(self) else { return value }
        // PyTorch's clamp_backward: the gradient passes strictly inside the bounds.
        let inside = Torch.noGrad { () -> Tensor in
            var m = Tensor.ones(shape, dtype: .bool, device: device)
            if let l { m = m & (x .> Tensor.scalar(l, dtype: out)) }
            if let h { m = m & (x .< Tensor.scalar(h, dtype: out)) }
            return m
        }
        return Tensor.where(inside, x, value, file: file, line: line)
    }

    /// The smallest and largest values of an integer dtype, as doubles.
    package static func representableRange(_ d: DType) -> (Double, Double) {
        switch d {
        case .bool: return (0, 1)
        case .uint8: return (0, 255)
        case .int8: return (-128, 127)
        case .int16: return (-32768, 32767)
        case .int32: return (-2147483648, 2147483647)
        default: return (-9.223372036854775808e18, 9.223372036854775807e18)
        }
    }

    /// Traps as PyTorch when `value` does not fit integer dtype `d`.
    /// An integral scalar may be negative for uint8 (it wraps, as c10::overflows allows); a
    /// floating one may not.
    static func checkFits(
        _ value: Double, _ d: DType, _ op: String, integral: Bool = false, file: StaticString, line: UInt
    ) {
        if d.isFloatingPoint || d == .bool { return }
        var (lo, hi) = representableRange(d)
        if d == .uint8 && integral { lo = -255 }
        if value.isNaN || value < lo || value > hi {
            let names: [DType: String] = [
                .uint8: "uint8_t", .int8: "int8_t", .int16: "int16_t", .int32: "int", .int64: "int64_t",
            ]
            torchFail(
                op, "value cannot be converted to type \(names[d] ?? "\(d)") without overflow", file: file, line: line)
        }
    }

    /// Clamps into tensor bounds `[min, max]` (broadcast): `minimum(maximum(self, min), max)`, whose
    /// gradients (split evenly at ties) are PyTorch's for tensor bounds.
    public func clamp(min lo: Tensor?, max hi: Tensor?, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if lo == nil && hi == nil {
            torchFail("clamp", "At least one of 'min' or 'max' must not be None", file: file, line: line)
        }
        let out = [lo, hi].compactMap { $0 }.reduce(dtype) { promoteTypes($0, $1.dtype) }
        if out == .bool { torchFail("clamp", "\"clamp_cpu\" not implemented for 'Bool'", file: file, line: line) }
        var r = self
        if let lo { r = Tensor.binary(Pointwise.Maximum.self, r, lo, file: file, line: line) }
        if let hi { r = Tensor.binary(Pointwise.Minimum.self, r, hi, file: file, line: line) }
        return r
    }

    /// Clamps to `[min, max]` in place (`Tensor.clamp_`). `x.clamp_(min: 0)`
    @discardableResult public func clamp_<S: ScalarLike>(
        min lo: S? = nil, max hi: S? = nil, file: StaticString = #fileID,
        line: UInt = #line
    ) -> Tensor {
        assignResult(clamp(min: lo, max: hi, file: file, line: line), op: "clamp_", file: file, line: line); return self
    }

    /// `self + weight * (end - self)`, as PyTorch computes it: for `|weight| >= 0.5` the form
    /// `end - (end - self) * (1 - weight)`, so that weight 1 gives `end` exactly; float16/bfloat16
    /// in float32 with one rounding. `end` (and a tensor `weight`) must have this tensor's dtype.
    ///
    /// ```swift
    /// Tensor([0.0, 10.0]).lerp(Tensor([10.0, 20.0]), weight: 0.25)   // [2.5, 12.5]
    /// ```
    public func lerp(_ end: Tensor, weight: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        requireKernel("lerp", "lerp_kernel_tensor", .floatingOrComplex, file: file, line: line)
        for (t, name) in [(end, "end"), (weight, "weight")] where t.dtype != dtype {
            torchFail("lerp", "expected dtype \(dtype) for `\(name)` but got dtype \(t.dtype)", file: file, line: line)
        }
        if dtype == .float16 || dtype == .bfloat16 {
            return to(.float32).lerp(end.to(.float32), weight: weight.to(.float32), file: file, line: line).to(dtype)
        }
        let small = Torch.noGrad { weight.abs() .< 0.5 }
        let diff = end - self
        return Tensor.where(small, self + weight * diff, end - diff * (1 - weight), file: file, line: line)
    }
    /// `lerp` with a scalar weight.
    public func lerp(_ end: Tensor, weight: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        requireKernel("lerp", "lerp_kernel_scalar", .floatingOrComplex, file: file, line: line)
        if end.dtype != dtype {
            torchFail("lerp", "expected dtype \(dtype) for `end` but got dtype \(end.dtype)", file: file, line: line)
        }
        if dtype == .float16 || dtype == .bfloat16 {
            return to(.float32).lerp(end.to(.float32), weight: weight, file: file, line: line).to(dtype)
        }
        let diff = end - self
        return Swift.abs(weight) < 0.5 ? self + diff * weight : end - diff * (1 - weight)
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

    /// `a` (a scalar) where `condition`, `b` elsewhere. `Tensor.where(m, 0.0, x)`
    public static func `where`<S: ScalarLike>(_ condition: Tensor, _ a: S, _ b: Tensor) -> Tensor {
        Tensor.where(condition, Tensor.scalar(a, dtype: b.resultDType(withScalar: S.self)), b)
    }
    /// `a` where `condition`, `b` (a scalar) elsewhere. `Tensor.where(m, x, 0.0)`
    public static func `where`<S: ScalarLike>(_ condition: Tensor, _ a: Tensor, _ b: S) -> Tensor {
        Tensor.where(condition, a, Tensor.scalar(b, dtype: a.resultDType(withScalar: S.self)))
    }
}
