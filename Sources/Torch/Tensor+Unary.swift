import TorchBase

// The unary family as methods: `x.exp()` returns a new tensor, `x.exp_()` writes in place.
extension Tensor {
    /// Element-wise `neg`. ```x.neg()```
    public func neg(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.neg, file: file, line: line) }
    /// In-place `neg`.
    @discardableResult public func neg_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.neg, file: file, line: line); return self }
    /// Element-wise `abs`. ```x.abs()```
    public func abs(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.abs, file: file, line: line) }
    /// In-place `abs`.
    @discardableResult public func abs_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.abs, file: file, line: line); return self }
    /// Element-wise `sign`. ```x.sign()```
    public func sign(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.sign, file: file, line: line) }
    /// In-place `sign`.
    @discardableResult public func sign_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.sign, file: file, line: line); return self }
    /// Element-wise `square`. ```x.square()```
    public func square(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.square, file: file, line: line) }
    /// In-place `square`.
    @discardableResult public func square_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.square, file: file, line: line); return self }
    /// Element-wise `exp`. ```x.exp()```
    public func exp(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.exp, file: file, line: line) }
    /// In-place `exp`.
    @discardableResult public func exp_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.exp, file: file, line: line); return self }
    /// Element-wise `exp2`. ```x.exp2()```
    public func exp2(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.exp2, file: file, line: line) }
    /// In-place `exp2`.
    @discardableResult public func exp2_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.exp2, file: file, line: line); return self }
    /// Element-wise `expm1`. ```x.expm1()```
    public func expm1(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.expm1, file: file, line: line) }
    /// In-place `expm1`.
    @discardableResult public func expm1_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.expm1, file: file, line: line); return self }
    /// Element-wise `log`. ```x.log()```
    public func log(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.log, file: file, line: line) }
    /// In-place `log`.
    @discardableResult public func log_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.log, file: file, line: line); return self }
    /// Element-wise `log2`. ```x.log2()```
    public func log2(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.log2, file: file, line: line) }
    /// In-place `log2`.
    @discardableResult public func log2_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.log2, file: file, line: line); return self }
    /// Element-wise `log10`. ```x.log10()```
    public func log10(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.log10, file: file, line: line) }
    /// In-place `log10`.
    @discardableResult public func log10_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.log10, file: file, line: line); return self }
    /// Element-wise `log1p`. ```x.log1p()```
    public func log1p(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.log1p, file: file, line: line) }
    /// In-place `log1p`.
    @discardableResult public func log1p_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.log1p, file: file, line: line); return self }
    /// Element-wise `sqrt`. ```x.sqrt()```
    public func sqrt(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.sqrt, file: file, line: line) }
    /// In-place `sqrt`.
    @discardableResult public func sqrt_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.sqrt, file: file, line: line); return self }
    /// Element-wise `rsqrt`. ```x.rsqrt()```
    public func rsqrt(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.rsqrt, file: file, line: line) }
    /// In-place `rsqrt`.
    @discardableResult public func rsqrt_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.rsqrt, file: file, line: line); return self }
    /// Element-wise `sin`. ```x.sin()```
    public func sin(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.sin, file: file, line: line) }
    /// In-place `sin`.
    @discardableResult public func sin_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.sin, file: file, line: line); return self }
    /// Element-wise `cos`. ```x.cos()```
    public func cos(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.cos, file: file, line: line) }
    /// In-place `cos`.
    @discardableResult public func cos_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.cos, file: file, line: line); return self }
    /// Element-wise `tan`. ```x.tan()```
    public func tan(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.tan, file: file, line: line) }
    /// In-place `tan`.
    @discardableResult public func tan_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.tan, file: file, line: line); return self }
    /// Element-wise `asin`. ```x.asin()```
    public func asin(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.asin, file: file, line: line) }
    /// In-place `asin`.
    @discardableResult public func asin_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.asin, file: file, line: line); return self }
    /// Element-wise `acos`. ```x.acos()```
    public func acos(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.acos, file: file, line: line) }
    /// In-place `acos`.
    @discardableResult public func acos_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.acos, file: file, line: line); return self }
    /// Element-wise `atan`. ```x.atan()```
    public func atan(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.atan, file: file, line: line) }
    /// In-place `atan`.
    @discardableResult public func atan_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.atan, file: file, line: line); return self }
    /// Element-wise `sinh`. ```x.sinh()```
    public func sinh(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.sinh, file: file, line: line) }
    /// In-place `sinh`.
    @discardableResult public func sinh_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.sinh, file: file, line: line); return self }
    /// Element-wise `cosh`. ```x.cosh()```
    public func cosh(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.cosh, file: file, line: line) }
    /// In-place `cosh`.
    @discardableResult public func cosh_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.cosh, file: file, line: line); return self }
    /// Element-wise `tanh`. ```x.tanh()```
    public func tanh(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.tanh, file: file, line: line) }
    /// In-place `tanh`.
    @discardableResult public func tanh_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.tanh, file: file, line: line); return self }
    /// Element-wise `sigmoid`. ```x.sigmoid()```
    public func sigmoid(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.sigmoid, file: file, line: line) }
    /// In-place `sigmoid`.
    @discardableResult public func sigmoid_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.sigmoid, file: file, line: line); return self }
    /// Element-wise `relu`. ```x.relu()```
    public func relu(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.relu, file: file, line: line) }
    /// In-place `relu`.
    @discardableResult public func relu_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.relu, file: file, line: line); return self }
    /// Element-wise `silu`. ```x.silu()```
    public func silu(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.silu, file: file, line: line) }
    /// In-place `silu`.
    @discardableResult public func silu_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.silu, file: file, line: line); return self }
    /// Element-wise `softplus`. ```x.softplus()```
    public func softplus(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.softplus, file: file, line: line) }
    /// In-place `softplus`.
    @discardableResult public func softplus_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.softplus, file: file, line: line); return self }
    /// Element-wise `erf`. ```x.erf()```
    public func erf(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.erf, file: file, line: line) }
    /// In-place `erf`.
    @discardableResult public func erf_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.erf, file: file, line: line); return self }
    /// Element-wise `erfc`. ```x.erfc()```
    public func erfc(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.erfc, file: file, line: line) }
    /// In-place `erfc`.
    @discardableResult public func erfc_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.erfc, file: file, line: line); return self }
    /// Element-wise `floor`. ```x.floor()```
    public func floor(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.floor, file: file, line: line) }
    /// In-place `floor`.
    @discardableResult public func floor_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.floor, file: file, line: line); return self }
    /// Element-wise `ceil`. ```x.ceil()```
    public func ceil(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.ceil, file: file, line: line) }
    /// In-place `ceil`.
    @discardableResult public func ceil_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.ceil, file: file, line: line); return self }
    /// Element-wise `round`. ```x.round()```
    public func round(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.round, file: file, line: line) }
    /// In-place `round`.
    @discardableResult public func round_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.round, file: file, line: line); return self }
    /// Element-wise `trunc`. ```x.trunc()```
    public func trunc(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.trunc, file: file, line: line) }
    /// In-place `trunc`.
    @discardableResult public func trunc_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.trunc, file: file, line: line); return self }
    /// Element-wise `reciprocal`. ```x.reciprocal()```
    public func reciprocal(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.reciprocal, file: file, line: line) }
    /// In-place `reciprocal`.
    @discardableResult public func reciprocal_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.reciprocal, file: file, line: line); return self }
    /// Element-wise `logicalNot`. ```x.logicalNot()```
    public func logicalNot(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.logicalNot, file: file, line: line) }
    /// In-place `logicalNot`.
    @discardableResult public func logicalNot_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.logicalNot, file: file, line: line); return self }
    /// Element-wise `bitwiseNot`. ```x.bitwiseNot()```
    public func bitwiseNot(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.bitwiseNot, file: file, line: line) }
    /// In-place `bitwiseNot`.
    @discardableResult public func bitwiseNot_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unaryInPlace(.bitwiseNot, file: file, line: line); return self }

    /// GELU; `approximate: .tanh` uses the tanh form.
    public func gelu(approximate: GELUApproximation = .none, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(approximate == .tanh ? .geluTanh : .gelu, file: file, line: line)
    }

}
