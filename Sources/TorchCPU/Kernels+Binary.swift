import TorchBase
import RealModule

/// A binary element function as a type, so that generic kernels specialise it statically
/// (a closure captured by the parallel region would be called indirectly per element).
public protocol BinaryFn {
    associatedtype A
    associatedtype R
    static func apply(_ a: A, _ b: A) -> R
}

/// Runs `out[i] = F(a[i], b[i])` over three operands of one shape (inputs already broadcast).
@inlinable
func binaryMap<F: BinaryFn>(_ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand, _: F.Type) {
    let op = out.base.assumingMemoryBound(to: F.R.self)
    let ap = a.base.assumingMemoryBound(to: F.A.self)
    let bp = b.base.assumingMemoryBound(to: F.A.self)
    if out.layout.isContiguous && a.layout.isContiguous && b.layout.isContiguous {
        let o = op + out.layout.offset, x = ap + a.layout.offset, y = bp + b.layout.offset
        let n = out.layout.count
        if n < Parallel.grain {
            for i in 0..<n { o[i] = F.apply(x[i], y[i]) }
        } else {
            Parallel.forRange(n) { r in
                for i in r { o[i] = F.apply(x[i], y[i]) }
            }
        }
        return
    }
    let loop = StridedLoop(shape: out.layout.shape, operands: [out.layout, a.layout, b.layout])
    let so = loop.innerStride(0), sa = loop.innerStride(1), sb = loop.innerStride(2)
    loop.forEachRow { off, n in
        let o = op + off[0], x = ap + off[1], y = bp + off[2]
        if so == 1 && sa == 1 && sb == 1 {
            for i in 0..<n { o[i] = F.apply(x[i], y[i]) }
        } else if so == 1 && sa == 1 && sb == 0 {
            let v = y[0]
            for i in 0..<n { o[i] = F.apply(x[i], v) }
        } else if so == 1 && sa == 0 && sb == 1 {
            let v = x[0]
            for i in 0..<n { o[i] = F.apply(v, y[i]) }
        } else {
            for i in 0..<n { o[i * so] = F.apply(x[i * sa], y[i * sb]) }
        }
    }
}

extension CPUKernels {
    /// `out = a op b` over `n` contiguous elements given by raw pointers: the per-op fast path
    /// for add/sub/mul of one native dtype (no layouts copied). Returns false for other ops.
    @inlinable
    public static func binaryContiguous(_ op: BinaryOp, _ dtype: DType, _ out: UnsafeMutableRawPointer,
                                        _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        if dtype == .float32 && n < Parallel.grain {
            let o = out.assumingMemoryBound(to: Float.self)
            let x = a.assumingMemoryBound(to: Float.self), y = b.assumingMemoryBound(to: Float.self)
            switch op {
            case .add: for i in 0..<n { o[i] = x[i] + y[i] }
            case .sub: for i in 0..<n { o[i] = x[i] - y[i] }
            case .mul: for i in 0..<n { o[i] = x[i] * y[i] }
            default: return false
            }
            return true
        }
        return false
    }

    /// `out = a op b`. `a` and `b` share a native compute dtype; `out` has that dtype, or bool for
    /// comparisons and logical ops. Layouts are already broadcast to `out`'s shape.
    public static func binary(_ op: BinaryOp, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand) {
        if a.dtype == .float32 && out.layout.isContiguous && a.layout.isContiguous && b.layout.isContiguous,
           binaryContiguous(op, a.dtype, out.base + out.layout.offset * 4, a.base + a.layout.offset * 4,
                            b.base + b.layout.offset * 4, out.layout.count) {
            return
        }
        switch op {
        case .bitwiseAnd, .bitwiseOr, .bitwiseXor:
            bitwise(op, out, a, b)
        case .atan2:
            if a.dtype == .float32 { binaryMap(out, a, b, Fn_atan2<Float>.self) } else { binaryMap(out, a, b, Fn_atan2<Double>.self) }
        default:
            a.dtype.visitNative(BinaryVisitor(op: op, out: out, a: a, b: b))
        }
    }

    struct BinaryVisitor: NativeVisitor {
        let op: BinaryOp, out: KernelOperand, a: KernelOperand, b: KernelOperand
        func visit<T: NativeScalar>(_: T.Type) {
            switch op {
            case .add: binaryMap(out, a, b, Fn_add<T>.self)
            case .sub: binaryMap(out, a, b, Fn_sub<T>.self)
            case .mul: binaryMap(out, a, b, Fn_mul<T>.self)
            case .div: binaryMap(out, a, b, Fn_div<T>.self)
            case .floorDivide: binaryMap(out, a, b, Fn_floorDivide<T>.self)
            case .remainder: binaryMap(out, a, b, Fn_remainder<T>.self)
            case .fmod: binaryMap(out, a, b, Fn_fmod<T>.self)
            case .pow: binaryMap(out, a, b, Fn_pow<T>.self)
            case .powScalar: binaryMap(out, a, b, Fn_powScalar<T>.self)
            case .maximum: binaryMap(out, a, b, Fn_maximum<T>.self)
            case .minimum: binaryMap(out, a, b, Fn_minimum<T>.self)
            case .eq: binaryMap(out, a, b, Fn_eq<T>.self)
            case .ne: binaryMap(out, a, b, Fn_ne<T>.self)
            case .lt: binaryMap(out, a, b, Fn_lt<T>.self)
            case .le: binaryMap(out, a, b, Fn_le<T>.self)
            case .gt: binaryMap(out, a, b, Fn_gt<T>.self)
            case .ge: binaryMap(out, a, b, Fn_ge<T>.self)
            case .logicalAnd: binaryMap(out, a, b, Fn_logicalAnd<T>.self)
            case .logicalOr: binaryMap(out, a, b, Fn_logicalOr<T>.self)
            case .logicalXor: binaryMap(out, a, b, Fn_logicalXor<T>.self)
            case .reluBackward: binaryMap(out, a, b, Fn_reluBackward<T>.self)
            case .atan2, .bitwiseAnd, .bitwiseOr, .bitwiseXor: fatalError("unreachable")
            }
        }
    }

    static func bitwise(_ op: BinaryOp, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand) {
        func run<T: FixedWidthInteger>(_: T.Type) {
            switch op {
            case .bitwiseAnd: binaryMap(out, a, b, Fn_bitAnd<T>.self)
            case .bitwiseOr: binaryMap(out, a, b, Fn_bitOr<T>.self)
            default: binaryMap(out, a, b, Fn_bitXor<T>.self)
            }
        }
        switch a.dtype {
        case .bool:
            switch op {
            case .bitwiseAnd: binaryMap(out, a, b, Fn_boolAnd.self)
            case .bitwiseOr: binaryMap(out, a, b, Fn_boolOr.self)
            default: binaryMap(out, a, b, Fn_boolXor.self)
            }
        case .uint8: run(UInt8.self)
        case .int8: run(Int8.self)
        case .int16: run(Int16.self)
        case .int32: run(Int32.self)
        case .int64: run(Int64.self)
        default: fatalError("bitwise ops need integral or bool tensors, got \(a.dtype)")
        }
    }

    /// `out = cond ? a : b` (a, b and out share a dtype; cond is bool).
    public static func whereSelect(_ out: KernelOperand, _ cond: KernelOperand, _ a: KernelOperand, _ b: KernelOperand) {
        out.dtype.visit(WhereVisitor(out: out, cond: cond, a: a, b: b))
    }

    struct WhereVisitor: DTypeVisitor {
        let out: KernelOperand, cond: KernelOperand, a: KernelOperand, b: KernelOperand
        func visit<T: TensorElement>(_: T.Type) {
            let loop = StridedLoop(shape: out.layout.shape, operands: [out.layout, cond.layout, a.layout, b.layout])
            let op = out.base.assumingMemoryBound(to: T.self), cp = cond.base.assumingMemoryBound(to: Bool.self)
            let ap = a.base.assumingMemoryBound(to: T.self), bp = b.base.assumingMemoryBound(to: T.self)
            let s0 = loop.innerStride(0), s1 = loop.innerStride(1), s2 = loop.innerStride(2), s3 = loop.innerStride(3)
            loop.forEachRow { off, n in
                let o = op + off[0], c = cp + off[1], x = ap + off[2], y = bp + off[3]
                for i in 0..<n { o[i * s0] = c[i * s1] ? x[i * s2] : y[i * s3] }
            }
        }
    }
}

// One type per binary op (see BinaryFn).
public enum Fn_add<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { T.add(a, b) } }
public enum Fn_sub<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { T.sub(a, b) } }
public enum Fn_mul<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { T.mul(a, b) } }
public enum Fn_div<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { T.div(a, b) } }
public enum Fn_floorDivide<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { T.floorDiv(a, b) } }
public enum Fn_remainder<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { T.remainder(a, b) } }
public enum Fn_fmod<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { T.fmod(a, b) } }
public enum Fn_pow<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { T.power(a, b) } }
public enum Fn_powScalar<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { T.powerScalar(a, b) } }
public enum Fn_maximum<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { T.maximum(a, b) } }
public enum Fn_reluBackward<T: NativeScalar>: BinaryFn {
    @inlinable public static func apply(_ g: T, _ y: T) -> T { y > T.zeroValue ? g : T.zeroValue }
}
public enum Fn_minimum<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { T.minimum(a, b) } }
public enum Fn_eq<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a == b } }
public enum Fn_ne<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a != b } }
public enum Fn_lt<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a < b } }
public enum Fn_le<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a <= b } }
public enum Fn_gt<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a > b } }
public enum Fn_ge<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a >= b } }
public enum Fn_logicalAnd<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a.isNonZero && b.isNonZero } }
public enum Fn_logicalOr<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a.isNonZero || b.isNonZero } }
public enum Fn_logicalXor<T: NativeScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a.isNonZero != b.isNonZero } }
public enum Fn_atan2<T: FloatScalar>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { T.atan2(y: a, x: b) } }
public enum Fn_bitAnd<T: FixedWidthInteger>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { a & b } }
public enum Fn_bitOr<T: FixedWidthInteger>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { a | b } }
public enum Fn_bitXor<T: FixedWidthInteger>: BinaryFn { @inlinable public static func apply(_ a: T, _ b: T) -> T { a ^ b } }
public enum Fn_boolAnd: BinaryFn { @inlinable public static func apply(_ a: Bool, _ b: Bool) -> Bool { a && b } }
public enum Fn_boolOr: BinaryFn { @inlinable public static func apply(_ a: Bool, _ b: Bool) -> Bool { a || b } }
public enum Fn_boolXor: BinaryFn { @inlinable public static func apply(_ a: Bool, _ b: Bool) -> Bool { a != b } }
