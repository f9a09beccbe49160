import TorchBase
import RealModule
import _CTorch

/// Runs `out[i] = f(a[i])` over two operands of one shape.
@inline(__always) @usableFromInline
func unaryMap<A, R>(_ out: KernelOperand, _ a: KernelOperand, _ f: (A) -> R) {
    let op = out.base.assumingMemoryBound(to: R.self)
    let ap = a.base.assumingMemoryBound(to: A.self)
    if out.layout.isContiguous && a.layout.isContiguous {
        let o = op + out.layout.offset, x = ap + a.layout.offset
        Parallel.forRange(out.layout.count) { r in
            for i in r { o[i] = f(x[i]) }
        }
        return
    }
    let loop = StridedLoop(shape: out.layout.shape, operands: [out.layout, a.layout])
    let so = loop.innerStride(0), sa = loop.innerStride(1)
    loop.forEachRow { off, n in
        let o = op + off[0], x = ap + off[1]
        if so == 1 && sa == 1 { for i in 0..<n { o[i] = f(x[i]) } }
        else { for i in 0..<n { o[i * so] = f(x[i * sa]) } }
    }
}

extension CPUKernels {
    /// `out = op(a)`. For floating-only ops `a` is float32 or float64; `out` has `a`'s dtype
    /// (bool for `logicalNot`).
    public static func unary(_ op: UnaryOp, _ out: KernelOperand, _ a: KernelOperand) {
        switch op {
        case .logicalNot:
            a.dtype.visitNative(LogicalNot(out: out, a: a))
        case .bitwiseNot:
            switch a.dtype {
            case .bool: unaryMap(out, a) { (x: Bool) in !x }
            case .uint8: unaryMap(out, a) { (x: UInt8) in ~x }
            case .int8: unaryMap(out, a) { (x: Int8) in ~x }
            case .int16: unaryMap(out, a) { (x: Int16) in ~x }
            case .int32: unaryMap(out, a) { (x: Int32) in ~x }
            case .int64: unaryMap(out, a) { (x: Int64) in ~x }
            default: fatalError("bitwise_not needs an integral or bool tensor, got \(a.dtype)")
            }
        case .neg, .abs, .sign, .square, .relu, .floor, .ceil, .round, .trunc:
            if a.dtype.isFloatingPoint { floatUnary(op, out, a) } else { a.dtype.visitNative(IntegerUnary(op: op, out: out, a: a)) }
        default:
            floatUnary(op, out, a)
        }
    }

    struct LogicalNot: NativeVisitor {
        let out: KernelOperand, a: KernelOperand
        func visit<T: NativeScalar>(_: T.Type) { unaryMap(out, a) { (x: T) -> Bool in !x.isNonZero } }
    }

    struct IntegerUnary: NativeVisitor {
        let op: UnaryOp, out: KernelOperand, a: KernelOperand
        func visit<T: NativeScalar>(_: T.Type) {
            switch op {
            case .neg: unaryMap(out, a) { (x: T) in T.negate(x) }
            case .abs: unaryMap(out, a) { (x: T) in T.absolute(x) }
            case .sign: unaryMap(out, a) { (x: T) in T.signum(x) }
            case .square: unaryMap(out, a) { (x: T) in T.mul(x, x) }
            case .relu: unaryMap(out, a) { (x: T) in T.maximum(x, T.zeroValue) }
            default: unaryMap(out, a) { (x: T) in x }   // floor/ceil/round/trunc of integers
            }
        }
    }

    static func floatUnary(_ op: UnaryOp, _ out: KernelOperand, _ a: KernelOperand) {
        if a.dtype == .float32, out.layout.isContiguous, a.layout.isContiguous,
           let f = vectorised(op) {
            let o = out.pointer(Float.self), x = a.pointer(Float.self)
            Parallel.forRange(out.layout.count, grain: 16_384) { r in
                f(x + r.lowerBound, o + r.lowerBound, r.count)
            }
            return
        }
        if a.dtype == .float32 { floatUnaryTyped(op, out, a, Float.self) }
        else if a.dtype == .float64 { floatUnaryTyped(op, out, a, Double.self) }
        else { fatalError("\(op.rawValue): expected a float32 or float64 operand, got \(a.dtype)") }
    }

    static func vectorised(_ op: UnaryOp) -> ((UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void)? {
        switch op {
        case .exp: return { ctorch_exp_f32($0, $1, $2) }
        case .tanh: return { ctorch_tanh_f32($0, $1, $2) }
        case .sigmoid: return { ctorch_sigmoid_f32($0, $1, $2) }
        default: return nil
        }
    }

    static func floatUnaryTyped<T: FloatScalar>(_ op: UnaryOp, _ out: KernelOperand, _ a: KernelOperand, _: T.Type) {
        switch op {
        case .neg: unaryMap(out, a) { (x: T) in -x }
        case .abs: unaryMap(out, a) { (x: T) in Swift.abs(x) }
        case .sign: unaryMap(out, a) { (x: T) in T.signum(x) }
        case .square: unaryMap(out, a) { (x: T) in x * x }
        case .relu: unaryMap(out, a) { (x: T) in x > 0 ? x : (x.isNaN ? x : 0) }
        case .floor: unaryMap(out, a) { (x: T) in x.rounded(.down) }
        case .ceil: unaryMap(out, a) { (x: T) in x.rounded(.up) }
        case .round: unaryMap(out, a) { (x: T) in x.rounded(.toNearestOrEven) }
        case .trunc: unaryMap(out, a) { (x: T) in x.rounded(.towardZero) }
        case .exp: unaryMap(out, a) { (x: T) in T.exp(x) }
        case .exp2: unaryMap(out, a) { (x: T) in T.exp2(x) }
        case .expm1: unaryMap(out, a) { (x: T) in T.expMinusOne(x) }
        case .log: unaryMap(out, a) { (x: T) in T.log(x) }
        case .log2: unaryMap(out, a) { (x: T) in T.log2(x) }
        case .log10: unaryMap(out, a) { (x: T) in T.log10(x) }
        case .log1p: unaryMap(out, a) { (x: T) in T.log(onePlus: x) }
        case .sqrt: unaryMap(out, a) { (x: T) in x.squareRoot() }
        case .rsqrt: unaryMap(out, a) { (x: T) in 1 / x.squareRoot() }
        case .sin: unaryMap(out, a) { (x: T) in T.sin(x) }
        case .cos: unaryMap(out, a) { (x: T) in T.cos(x) }
        case .tan: unaryMap(out, a) { (x: T) in T.tan(x) }
        case .asin: unaryMap(out, a) { (x: T) in T.asin(x) }
        case .acos: unaryMap(out, a) { (x: T) in T.acos(x) }
        case .atan: unaryMap(out, a) { (x: T) in T.atan(x) }
        case .sinh: unaryMap(out, a) { (x: T) in T.sinh(x) }
        case .cosh: unaryMap(out, a) { (x: T) in T.cosh(x) }
        case .tanh: unaryMap(out, a) { (x: T) in T.tanh(x) }
        case .sigmoid: unaryMap(out, a) { (x: T) in 1 / (1 + T.exp(-x)) }
        case .gelu: unaryMap(out, a) { (x: T) in x * (1 + T.erf(x * T(0.70710678118654752440))) / 2 }
        case .geluTanh:
            unaryMap(out, a) { (x: T) -> T in
                let inner = T(0.79788456080286535588) * (x + T(0.044715) * x * x * x)
                return x * (1 + T.tanh(inner)) / 2
            }
        case .silu: unaryMap(out, a) { (x: T) in x / (1 + T.exp(-x)) }
        case .softplus: unaryMap(out, a) { (x: T) in x > 20 ? x : T.log(onePlus: T.exp(x)) }
        case .erf: unaryMap(out, a) { (x: T) in T.erf(x) }
        case .erfc: unaryMap(out, a) { (x: T) in T.erfc(x) }
        case .reciprocal: unaryMap(out, a) { (x: T) in 1 / x }
        case .logicalNot, .bitwiseNot: fatalError("unreachable")
        }
    }

    /// isnan / isinf / isfinite of a float32 or float64 operand into a bool output.
    public static func classify(_ kind: Int, _ out: KernelOperand, _ a: KernelOperand) {
        func run<T: FloatScalar>(_: T.Type) {
            switch kind {
            case 0: unaryMap(out, a) { (x: T) -> Bool in x.isNaN }
            case 1: unaryMap(out, a) { (x: T) -> Bool in x.isInfinite }
            default: unaryMap(out, a) { (x: T) -> Bool in x.isFinite }
            }
        }
        if a.dtype == .float32 { run(Float.self) } else { run(Double.self) }
    }
}
