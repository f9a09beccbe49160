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

@_spi(Kernels) extension CPUElementwise {
    /// `out = F(a, b)` (Note [Element functions]), specialised for `F` where core calls it.
    @inlinable
    public static func map<F: BinaryFunction>(_: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand) {
        a.dtype.dispatchNative(Map2<F>(out: out, a: a, b: b))
    }

    /// `out = F(a, b)` for a bool-valued test.
    @inlinable
    public static func test<F: BinaryPredicate>(_: F.Type, _ out: KernelOperand, _ a: KernelOperand, _ b: KernelOperand)
    {
        a.dtype.dispatchNative(Test2<F>(out: out, a: a, b: b))
    }

    /// `out = F(a, b)` over `count` contiguous elements given by raw pointers (no layouts built).
    @inlinable
    public static func mapFlat<F: BinaryFunction>(
        _: F.Type, _ dtype: DType, out: UnsafeMutableRawPointer, a: UnsafeRawPointer, b: UnsafeRawPointer, count: Int
    ) {
        dtype.dispatchNative(Flat2<F>(out: out, a: a, b: b, n: count))
    }

    @usableFromInline struct Map2<F: BinaryFunction>: KernelVisitor {
        @usableFromInline let out: KernelOperand, a: KernelOperand, b: KernelOperand
        @inlinable init(out: KernelOperand, a: KernelOperand, b: KernelOperand) {
            self.out = out; self.a = a; self.b = b
        }
        @inlinable func visitFloat<T: FloatScalar>(_: T.Type) { binaryMap(out, a, b, FloatElement2<F, T>.self) }
        @inlinable func visitNative<T: NativeScalar>(_: T.Type) { binaryMap(out, a, b, NativeElement2<F, T>.self) }
    }

    @usableFromInline struct Test2<F: BinaryPredicate>: KernelVisitor {
        @usableFromInline let out: KernelOperand, a: KernelOperand, b: KernelOperand
        @inlinable init(out: KernelOperand, a: KernelOperand, b: KernelOperand) {
            self.out = out; self.a = a; self.b = b
        }
        @inlinable func visitNative<T: NativeScalar>(_: T.Type) { binaryMap(out, a, b, TestElement2<F, T>.self) }
    }

    @usableFromInline struct Flat2<F: BinaryFunction>: KernelVisitor {
        @usableFromInline let out: UnsafeMutableRawPointer, a: UnsafeRawPointer, b: UnsafeRawPointer, n: Int
        @inlinable init(out: UnsafeMutableRawPointer, a: UnsafeRawPointer, b: UnsafeRawPointer, n: Int) {
            self.out = out; self.a = a; self.b = b; self.n = n
        }
        @inlinable func visitFloat<T: FloatScalar>(_: T.Type) {
            let o = out.assumingMemoryBound(to: T.self)
            let x = a.assumingMemoryBound(to: T.self), y = b.assumingMemoryBound(to: T.self)
            Parallel.forRange(n) { r in for i in r { o[i] = F.float(x[i], y[i]) } }
        }
        @inlinable func visitNative<T: NativeScalar>(_: T.Type) {
            let o = out.assumingMemoryBound(to: T.self)
            let x = a.assumingMemoryBound(to: T.self), y = b.assumingMemoryBound(to: T.self)
            Parallel.forRange(n) { r in for i in r { o[i] = F.native(x[i], y[i]) } }
        }
    }
}

// Adapters from a binary element function to the loop's `BinaryFn`.
@usableFromInline enum FloatElement2<F: BinaryFunction, T: FloatScalar>: BinaryFn {
    @inlinable static func apply(_ a: T, _ b: T) -> T { F.float(a, b) }
}
@usableFromInline enum NativeElement2<F: BinaryFunction, T: NativeScalar>: BinaryFn {
    @inlinable static func apply(_ a: T, _ b: T) -> T { F.native(a, b) }
}
@usableFromInline enum TestElement2<F: BinaryPredicate, T: NativeScalar>: BinaryFn {
    @inlinable static func apply(_ a: T, _ b: T) -> Bool { F.native(a, b) }
}

extension CPUKernels {
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
