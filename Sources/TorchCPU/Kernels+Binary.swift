import TorchBase
import RealModule

/// Runs `out[i] = f(a[i], b[i])` over three operands of one shape (inputs already broadcast).
@inline(__always) @usableFromInline
func binaryMap<A, R>(_ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand, _ f: (A, A) -> R) {
    let op = out.base.assumingMemoryBound(to: R.self)
    let ap = a.base.assumingMemoryBound(to: A.self)
    let bp = b.base.assumingMemoryBound(to: A.self)
    if out.layout.isContiguous && a.layout.isContiguous && b.layout.isContiguous {
        let o = op + out.layout.offset, x = ap + a.layout.offset, y = bp + b.layout.offset
        let n = out.layout.count
        if n < Parallel.grain {
            for i in 0..<n { o[i] = f(x[i], y[i]) }
        } else {
            Parallel.forRange(n) { r in
                for i in r { o[i] = f(x[i], y[i]) }
            }
        }
        return
    }
    let loop = StridedLoop(shape: out.layout.shape, operands: [out.layout, a.layout, b.layout])
    let so = loop.innerStride(0), sa = loop.innerStride(1), sb = loop.innerStride(2)
    loop.forEachRow { off, n in
        let o = op + off[0], x = ap + off[1], y = bp + off[2]
        if so == 1 && sa == 1 && sb == 1 {
            for i in 0..<n { o[i] = f(x[i], y[i]) }
        } else if so == 1 && sa == 1 && sb == 0 {
            let v = y[0]
            for i in 0..<n { o[i] = f(x[i], v) }
        } else if so == 1 && sa == 0 && sb == 1 {
            let v = x[0]
            for i in 0..<n { o[i] = f(v, y[i]) }
        } else {
            for i in 0..<n { o[i * so] = f(x[i * sa], y[i * sb]) }
        }
    }
}

extension CPUKernels {
    /// `out = a op b`. `a` and `b` share a native compute dtype; `out` has that dtype, or bool for
    /// comparisons and logical ops. Layouts are already broadcast to `out`'s shape.
    public static func binary(_ op: BinaryOp, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand) {
        switch op {
        case .bitwiseAnd, .bitwiseOr, .bitwiseXor:
            bitwise(op, out, a, b)
        case .atan2:
            if a.dtype == .float32 { binaryMap(out, a, b) { (x: Float, y: Float) in Float.atan2(y: x, x: y) } }
            else { binaryMap(out, a, b) { (x: Double, y: Double) in Double.atan2(y: x, x: y) } }
        default:
            a.dtype.visitNative(BinaryVisitor(op: op, out: out, a: a, b: b))
        }
    }

    struct BinaryVisitor: NativeVisitor {
        let op: BinaryOp, out: KernelOperand, a: KernelOperand, b: KernelOperand
        func visit<T: NativeScalar>(_: T.Type) {
            switch op {
            case .add: binaryMap(out, a, b) { (x: T, y: T) in T.add(x, y) }
            case .sub: binaryMap(out, a, b) { (x: T, y: T) in T.sub(x, y) }
            case .mul: binaryMap(out, a, b) { (x: T, y: T) in T.mul(x, y) }
            case .div: binaryMap(out, a, b) { (x: T, y: T) in T.div(x, y) }
            case .floorDivide: binaryMap(out, a, b) { (x: T, y: T) in T.floorDiv(x, y) }
            case .remainder: binaryMap(out, a, b) { (x: T, y: T) in T.remainder(x, y) }
            case .fmod: binaryMap(out, a, b) { (x: T, y: T) in T.fmod(x, y) }
            case .pow: binaryMap(out, a, b) { (x: T, y: T) in T.power(x, y) }
            case .maximum: binaryMap(out, a, b) { (x: T, y: T) in T.maximum(x, y) }
            case .minimum: binaryMap(out, a, b) { (x: T, y: T) in T.minimum(x, y) }
            case .eq: binaryMap(out, a, b) { (x: T, y: T) -> Bool in x == y }
            case .ne: binaryMap(out, a, b) { (x: T, y: T) -> Bool in x != y }
            case .lt: binaryMap(out, a, b) { (x: T, y: T) -> Bool in x < y }
            case .le: binaryMap(out, a, b) { (x: T, y: T) -> Bool in x <= y }
            case .gt: binaryMap(out, a, b) { (x: T, y: T) -> Bool in x > y }
            case .ge: binaryMap(out, a, b) { (x: T, y: T) -> Bool in x >= y }
            case .logicalAnd: binaryMap(out, a, b) { (x: T, y: T) -> Bool in x.isNonZero && y.isNonZero }
            case .logicalOr: binaryMap(out, a, b) { (x: T, y: T) -> Bool in x.isNonZero || y.isNonZero }
            case .logicalXor: binaryMap(out, a, b) { (x: T, y: T) -> Bool in x.isNonZero != y.isNonZero }
            case .atan2, .bitwiseAnd, .bitwiseOr, .bitwiseXor: fatalError("unreachable")
            }
        }
    }

    static func bitwise(_ op: BinaryOp, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand) {
        func run<T: FixedWidthInteger>(_: T.Type) {
            switch op {
            case .bitwiseAnd: binaryMap(out, a, b) { (x: T, y: T) in x & y }
            case .bitwiseOr: binaryMap(out, a, b) { (x: T, y: T) in x | y }
            default: binaryMap(out, a, b) { (x: T, y: T) in x ^ y }
            }
        }
        switch a.dtype {
        case .bool:
            switch op {
            case .bitwiseAnd: binaryMap(out, a, b) { (x: Bool, y: Bool) in x && y }
            case .bitwiseOr: binaryMap(out, a, b) { (x: Bool, y: Bool) in x || y }
            default: binaryMap(out, a, b) { (x: Bool, y: Bool) in x != y }
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
