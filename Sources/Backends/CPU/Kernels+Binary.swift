import TorchBase
import RealModule

/// A binary element function as a type, so that generic kernels specialise it statically
/// (a closure captured by the parallel region would be called indirectly per element).
@usableFromInline protocol BinaryFn {
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
    /// for small add/sub/mul of one native dtype (no layouts, one thread). False otherwise.
    static func binaryContiguous(
        _ op: BinaryOp, _ dtype: DType, _ out: UnsafeMutableRawPointer,
        _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int
    ) -> Bool {
        guard n < Parallel.grain, op == .add || op == .sub || op == .mul, dtype.computeType == dtype else {
            return false
        }
        dtype.dispatchNative(FlatArithmetic(op: op, out: out, a: a, b: b, n: n))
        return true
    }

    struct FlatArithmetic: KernelVisitor {
        let op: BinaryOp, out: UnsafeMutableRawPointer, a: UnsafeRawPointer, b: UnsafeRawPointer, n: Int
        func visitNative<T: NativeScalar>(_: T.Type) {
            let o = out.assumingMemoryBound(to: T.self)
            let x = a.assumingMemoryBound(to: T.self), y = b.assumingMemoryBound(to: T.self)
            switch op {
            case .add: for i in 0..<n { o[i] = T.add(x[i], y[i]) }
            case .sub: for i in 0..<n { o[i] = T.sub(x[i], y[i]) }
            default: for i in 0..<n { o[i] = T.mul(x[i], y[i]) }
            }
        }
    }

    struct Atan2Kernel: KernelVisitor {
        let out: KernelOperand, a: KernelOperand, b: KernelOperand
        func visitFloat<T: FloatScalar>(_: T.Type) { binaryMap(out, a, b, Functors.Atan2<T>.self) }
    }

    /// `out = a op b`. `a` and `b` share a native compute dtype; `out` has that dtype, or bool for
    /// comparisons and logical ops. Layouts are already broadcast to `out`'s shape.
    public static func binary(_ op: BinaryOp, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand) {
        let size = a.dtype.itemSize
        if out.dtype == a.dtype && out.layout.isContiguous && a.layout.isContiguous && b.layout.isContiguous,
            binaryContiguous(
                op, a.dtype, out.base + out.layout.offset * size, a.base + a.layout.offset * size,
                b.base + b.layout.offset * size, out.layout.count)
        {
            return
        }
        switch op {
        case .atan2:
            a.dtype.dispatchFloat(Atan2Kernel(out: out, a: a, b: b))
        default:
            a.dtype.dispatchNative(BinaryVisitor(op: op, out: out, a: a, b: b))
        }
    }

    struct BinaryVisitor: KernelVisitor {
        let op: BinaryOp, out: KernelOperand, a: KernelOperand, b: KernelOperand
        func visitNative<T: NativeScalar>(_: T.Type) {
            switch op {
            case .add: binaryMap(out, a, b, Functors.Add<T>.self)
            case .sub: binaryMap(out, a, b, Functors.Sub<T>.self)
            case .mul: binaryMap(out, a, b, Functors.Mul<T>.self)
            case .div: binaryMap(out, a, b, Functors.Div<T>.self)
            case .floorDivide: binaryMap(out, a, b, Functors.FloorDivide<T>.self)
            case .remainder: binaryMap(out, a, b, Functors.Remainder<T>.self)
            case .fmod: binaryMap(out, a, b, Functors.Fmod<T>.self)
            case .pow: binaryMap(out, a, b, Functors.Pow<T>.self)
            case .powScalar: binaryMap(out, a, b, Functors.PowScalar<T>.self)
            case .maximum: binaryMap(out, a, b, Functors.Maximum<T>.self)
            case .minimum: binaryMap(out, a, b, Functors.Minimum<T>.self)
            case .eq: binaryMap(out, a, b, Functors.Equal<T>.self)
            case .ne: binaryMap(out, a, b, Functors.NotEqual<T>.self)
            case .lt: binaryMap(out, a, b, Functors.Less<T>.self)
            case .le: binaryMap(out, a, b, Functors.LessEqual<T>.self)
            case .gt: binaryMap(out, a, b, Functors.Greater<T>.self)
            case .ge: binaryMap(out, a, b, Functors.GreaterEqual<T>.self)
            case .logicalAnd: binaryMap(out, a, b, Functors.LogicalAnd<T>.self)
            case .logicalOr: binaryMap(out, a, b, Functors.LogicalOr<T>.self)
            case .logicalXor: binaryMap(out, a, b, Functors.LogicalXor<T>.self)
            case .reluBackward: binaryMap(out, a, b, Functors.ReluBackward<T>.self)
            case .bitwiseAnd: binaryMap(out, a, b, Functors.BitwiseAnd<T>.self)
            case .bitwiseOr: binaryMap(out, a, b, Functors.BitwiseOr<T>.self)
            case .bitwiseXor: binaryMap(out, a, b, Functors.BitwiseXor<T>.self)
            case .atan2: preconditionFailure("atan2 runs through Atan2Kernel")
            }
        }
    }

    /// `out = cond ? a : b` (a, b and out share a dtype; cond is bool).
    public static func whereSelect(_ out: KernelOperand, _ cond: KernelOperand, _ a: KernelOperand, _ b: KernelOperand)
    {
        out.dtype.dispatchElement(WhereVisitor(out: out, cond: cond, a: a, b: b))
    }

    struct WhereVisitor: KernelVisitor {
        let out: KernelOperand, cond: KernelOperand, a: KernelOperand, b: KernelOperand
        func visitElement<T: TensorElement>(_: T.Type) {
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
/// The binary element functions, one named type each (`Functors.Add<Float>`), that the CPU's loops
/// specialise (DESIGN convention 5: a named functor handed to a family loop).
@_spi(Kernels) public enum Functors {
    public enum Add<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.add(a, b) }
    }
    public enum Sub<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.sub(a, b) }
    }
    public enum Mul<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.mul(a, b) }
    }
    public enum Div<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.div(a, b) }
    }
    public enum FloorDivide<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.floorDiv(a, b) }
    }
    public enum Remainder<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.remainder(a, b) }
    }
    public enum Fmod<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.fmod(a, b) }
    }
    public enum Pow<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.power(a, b) }
    }
    public enum PowScalar<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.powerScalar(a, b) }
    }
    public enum Maximum<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.maximum(a, b) }
    }
    public enum ReluBackward<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ g: T, _ y: T) -> T { y > T.zeroValue ? g : T.zeroValue }
    }
    public enum Minimum<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.minimum(a, b) }
    }
    public enum Equal<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a == b }
    }
    public enum NotEqual<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a != b }
    }
    public enum Less<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a < b }
    }
    public enum LessEqual<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a <= b }
    }
    public enum Greater<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a > b }
    }
    public enum GreaterEqual<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a >= b }
    }
    public enum LogicalAnd<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a.isNonZero && b.isNonZero }
    }
    public enum LogicalOr<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a.isNonZero || b.isNonZero }
    }
    public enum LogicalXor<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> Bool { a.isNonZero != b.isNonZero }
    }
    public enum Atan2<T: FloatScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.atan2(y: a, x: b) }
    }
    public enum BitwiseAnd<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.bitwise(.and, a, b) }
    }
    public enum BitwiseOr<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.bitwise(.or, a, b) }
    }
    public enum BitwiseXor<T: NativeScalar>: BinaryFn {
        @inlinable public static func apply(_ a: T, _ b: T) -> T { T.bitwise(.xor, a, b) }
    }
}
