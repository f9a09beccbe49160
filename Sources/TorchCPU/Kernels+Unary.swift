import TorchBase
import RealModule
import _CTorch

/// A unary element function as a type (see BinaryFn).
public protocol UnaryFn {
    associatedtype A
    associatedtype R
    static func apply(_ a: A) -> R
}

/// Runs `out[i] = F(a[i])` over two operands of one shape.
@inlinable
func unaryMap<F: UnaryFn>(_ out: KernelOperand, _ a: KernelOperand, _: F.Type) {
    let op = out.base.assumingMemoryBound(to: F.R.self)
    let ap = a.base.assumingMemoryBound(to: F.A.self)
    if out.layout.isContiguous && a.layout.isContiguous {
        let o = op + out.layout.offset, x = ap + a.layout.offset
        Parallel.forRange(out.layout.count) { r in
            for i in r { o[i] = F.apply(x[i]) }
        }
        return
    }
    let loop = StridedLoop(shape: out.layout.shape, operands: [out.layout, a.layout])
    let so = loop.innerStride(0), sa = loop.innerStride(1)
    loop.forEachRow { off, n in
        let o = op + off[0], x = ap + off[1]
        if so == 1 && sa == 1 { for i in 0..<n { o[i] = F.apply(x[i]) } }
        else { for i in 0..<n { o[i * so] = F.apply(x[i * sa]) } }
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
            case .bool: unaryMap(out, a, UFn1.self)
            case .uint8: unaryMap(out, a, UFn2.self)
            case .int8: unaryMap(out, a, UFn3.self)
            case .int16: unaryMap(out, a, UFn4.self)
            case .int32: unaryMap(out, a, UFn5.self)
            case .int64: unaryMap(out, a, UFn6.self)
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
        func visit<T: NativeScalar>(_: T.Type) { unaryMap(out, a, UFn7<T>.self) }
    }

    struct IntegerUnary: NativeVisitor {
        let op: UnaryOp, out: KernelOperand, a: KernelOperand
        func visit<T: NativeScalar>(_: T.Type) {
            switch op {
            case .neg: unaryMap(out, a, UFn8<T>.self)
            case .abs: unaryMap(out, a, UFn9<T>.self)
            case .sign: unaryMap(out, a, UFn10<T>.self)
            case .square: unaryMap(out, a, UFn11<T>.self)
            case .relu: unaryMap(out, a, UFn12<T>.self)
            default: unaryMap(out, a, UFnIdentity<T>.self)   // floor/ceil/round/trunc of integers
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
        if a.dtype == .float32, let f = vectorised(op) {
            // Strided operands whose rows are contiguous (a slice of columns, a gate of an RNN):
            // the vector kernel row by row.
            let loop = StridedLoop(shape: out.layout.shape, operands: [out.layout, a.layout])
            if loop.innerStride(0) == 1 && loop.innerStride(1) == 1 {
                let op = out.base.assumingMemoryBound(to: Float.self), ap = a.base.assumingMemoryBound(to: Float.self)
                loop.forEachRow { off, n in f(ap + off[1], op + off[0], n) }
                return
            }
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
        case .neg: unaryMap(out, a, UFn13<T>.self)
        case .abs: unaryMap(out, a, UFn14<T>.self)
        case .sign: unaryMap(out, a, UFn15<T>.self)
        case .square: unaryMap(out, a, UFn16<T>.self)
        case .relu: unaryMap(out, a, UFn17<T>.self)
        case .floor: unaryMap(out, a, UFn18<T>.self)
        case .ceil: unaryMap(out, a, UFn19<T>.self)
        case .round: unaryMap(out, a, UFn20<T>.self)
        case .trunc: unaryMap(out, a, UFn21<T>.self)
        case .exp: unaryMap(out, a, UFn22<T>.self)
        case .exp2: unaryMap(out, a, UFn23<T>.self)
        case .expm1: unaryMap(out, a, UFn24<T>.self)
        case .log: unaryMap(out, a, UFn25<T>.self)
        case .log2: unaryMap(out, a, UFn26<T>.self)
        case .log10: unaryMap(out, a, UFn27<T>.self)
        case .log1p: unaryMap(out, a, UFn28<T>.self)
        case .sqrt: unaryMap(out, a, UFn29<T>.self)
        case .rsqrt: unaryMap(out, a, UFn30<T>.self)
        case .sin: unaryMap(out, a, UFn31<T>.self)
        case .cos: unaryMap(out, a, UFn32<T>.self)
        case .tan: unaryMap(out, a, UFn33<T>.self)
        case .asin: unaryMap(out, a, UFn34<T>.self)
        case .acos: unaryMap(out, a, UFn35<T>.self)
        case .atan: unaryMap(out, a, UFn36<T>.self)
        case .sinh: unaryMap(out, a, UFn37<T>.self)
        case .cosh: unaryMap(out, a, UFn38<T>.self)
        case .tanh: unaryMap(out, a, UFn39<T>.self)
        case .sigmoid: unaryMap(out, a, UFn40<T>.self)
        case .gelu: unaryMap(out, a, UFn41<T>.self)
        case .geluTanh:
            unaryMap(out, a, UFn42<T>.self)
        case .silu: unaryMap(out, a, UFn43<T>.self)
        case .softplus: unaryMap(out, a, UFn44<T>.self)
        case .erf: unaryMap(out, a, UFn45<T>.self)
        case .erfc: unaryMap(out, a, UFn46<T>.self)
        case .reciprocal: unaryMap(out, a, UFn47<T>.self)
        case .logicalNot, .bitwiseNot: fatalError("unreachable")
        }
    }

    /// isnan / isinf / isfinite of a float32 or float64 operand into a bool output.
    public static func classify(_ test: FloatClass, _ out: KernelOperand, _ a: KernelOperand) {
        func run<T: FloatScalar>(_: T.Type) {
            switch test {
            case .nan: unaryMap(out, a, UFn48<T>.self)
            case .infinite: unaryMap(out, a, UFn49<T>.self)
            case .finite: unaryMap(out, a, UFn50<T>.self)
            }
        }
        if a.dtype == .float32 { run(Float.self) } else { run(Double.self) }
    }
}

// One type per unary element function (see UnaryFn).
public enum UFn1: UnaryFn { @inlinable public static func apply(_ x: Bool) -> Bool { !x } }
public enum UFn2: UnaryFn { @inlinable public static func apply(_ x: UInt8) -> UInt8 { ~x } }
public enum UFn3: UnaryFn { @inlinable public static func apply(_ x: Int8) -> Int8 { ~x } }
public enum UFn4: UnaryFn { @inlinable public static func apply(_ x: Int16) -> Int16 { ~x } }
public enum UFn5: UnaryFn { @inlinable public static func apply(_ x: Int32) -> Int32 { ~x } }
public enum UFn6: UnaryFn { @inlinable public static func apply(_ x: Int64) -> Int64 { ~x } }
public enum UFn7<T: NativeScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> Bool { !x.isNonZero } }
public enum UFn8<T: NativeScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.negate(x) } }
public enum UFn9<T: NativeScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.absolute(x) } }
public enum UFn10<T: NativeScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.signum(x) } }
public enum UFn11<T: NativeScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.mul(x, x) } }
public enum UFn12<T: NativeScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.maximum(x, T.zeroValue) } }
public enum UFn13<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { -x } }
public enum UFn14<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { Swift.abs(x) } }
public enum UFn15<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.signum(x) } }
public enum UFn16<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { x * x } }
public enum UFn17<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { x > 0 ? x : (x.isNaN ? x : 0) } }
public enum UFn18<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { x.rounded(.down) } }
public enum UFn19<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { x.rounded(.up) } }
public enum UFn20<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { x.rounded(.toNearestOrEven) } }
public enum UFn21<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { x.rounded(.towardZero) } }
public enum UFn22<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.exp(x) } }
public enum UFn23<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.exp2(x) } }
public enum UFn24<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.expMinusOne(x) } }
public enum UFn25<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.log(x) } }
public enum UFn26<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.log2(x) } }
public enum UFn27<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.log10(x) } }
public enum UFn28<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.log(onePlus: x) } }
public enum UFn29<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { x.squareRoot() } }
public enum UFn30<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { 1 / x.squareRoot() } }
public enum UFn31<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.sin(x) } }
public enum UFn32<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.cos(x) } }
public enum UFn33<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.tan(x) } }
public enum UFn34<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.asin(x) } }
public enum UFn35<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.acos(x) } }
public enum UFn36<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.atan(x) } }
public enum UFn37<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.sinh(x) } }
public enum UFn38<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.cosh(x) } }
public enum UFn39<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.tanh(x) } }
public enum UFn40<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { 1 / (1 + T.exp(-x)) } }
public enum UFn41<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { x * (1 + T.erf(x * T(0.70710678118654752440))) / 2 } }
public enum UFn42<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { x * (1 + T.tanh(T(0.79788456080286535588) * (x + T(0.044715) * x * x * x))) / 2 } }
public enum UFn43<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { x / (1 + T.exp(-x)) } }
public enum UFn44<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { x > 20 ? x : T.log(onePlus: T.exp(x)) } }
public enum UFn45<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.erf(x) } }
public enum UFn46<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { T.erfc(x) } }
public enum UFn47<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { 1 / x } }
public enum UFn48<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> Bool { x.isNaN } }
public enum UFn49<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> Bool { x.isInfinite } }
public enum UFn50<T: FloatScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> Bool { x.isFinite } }
public enum UFnIdentity<T: NativeScalar>: UnaryFn { @inlinable public static func apply(_ x: T) -> T { x } }
