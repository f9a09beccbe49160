import TorchBase
import RealModule
import _CTorch

/// A unary element function as a type (see BinaryFn).
@usableFromInline protocol UnaryFn {
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
        if so == 1 && sa == 1 {
            for i in 0..<n { o[i] = F.apply(x[i]) }
        } else {
            for i in 0..<n { o[i * so] = F.apply(x[i * sa]) }
        }
    }
}

// Note [Specialised element loops]: the loops that map an element function are generic over it and
// must be specialised where the function is known (core, for its primitives): Swift specialises a
// generic across modules only from a `public` `@inlinable` body (not a `package` one), so they are
// SPI (`@_spi(Kernels) public`): public to the compiler, visible only to the router, which imports
// TorchCPU with `@_spi(Kernels)`. Without this an element function runs ~100 times slower.

/// The CPU's element-wise loops over a `UnaryFunction` or `UnaryPredicate` (Note [Specialised
/// element loops]); `CPUBackend.map`/`test` are these behind the `Backend` contract.
@_spi(Kernels) public enum CPUElementwise {
    /// `out = F(a)`; float32 runs the vectorised C kernel when one exists.
    @inlinable
    public static func map<F: UnaryFunction>(_: F.Type, _ out: KernelOperand, _ a: KernelOperand) {
        a.dtype.dispatchNative(Map<F>(out: out, a: a))
    }

    /// `out = F(a)` for a bool-valued test.
    @inlinable
    public static func test<F: UnaryPredicate>(_: F.Type, _ out: KernelOperand, _ a: KernelOperand) {
        a.dtype.dispatchNative(Test<F>(out: out, a: a))
    }

    @usableFromInline struct Map<F: UnaryFunction>: KernelVisitor {
        @usableFromInline let out: KernelOperand, a: KernelOperand
        @inlinable init(out: KernelOperand, a: KernelOperand) { self.out = out; self.a = a }
        @inlinable func visitFloat<T: FloatScalar>(_: T.Type) {
            if T.self == Float.self, let v = CPUKernels.vectorised(F.name), CPUKernels.runVectorised(v, out, a) {
                return
            }
            unaryMap(out, a, FloatElement<F, T>.self)
        }
        @inlinable func visitNative<T: NativeScalar>(_: T.Type) {
            precondition(F.keepsIntegers, "\(F.name): expected a float32 or float64 operand, got \(a.dtype)")
            unaryMap(out, a, IntegralElement<F, T>.self)
        }
    }

    @usableFromInline struct Test<F: UnaryPredicate>: KernelVisitor {
        @usableFromInline let out: KernelOperand, a: KernelOperand
        @inlinable init(out: KernelOperand, a: KernelOperand) { self.out = out; self.a = a }
        @inlinable func visitFloat<T: FloatScalar>(_: T.Type) { unaryMap(out, a, FloatTest<F, T>.self) }
        @inlinable func visitNative<T: NativeScalar>(_: T.Type) { unaryMap(out, a, IntegralTestElement<F, T>.self) }
    }
}

extension CPUBackend {
    package static func map<F: UnaryFunction>(_ f: F.Type, _ out: KernelOperand, _ a: KernelOperand) throws {
        CPUElementwise.map(f, out, a)
    }
    package static func test<F: UnaryPredicate>(_ f: F.Type, _ out: KernelOperand, _ a: KernelOperand) throws {
        CPUElementwise.test(f, out, a)
    }
}

extension CPUKernels {
    /// The vectorised float32 C kernel of the op named `name`, if there is one.
    @inlinable
    static func vectorised(_ name: String) -> ((UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void)? {
        switch name {
        case "exp": return { ctorch_exp_f32($0, $1, $2) }
        case "tanh": return { ctorch_tanh_f32($0, $1, $2) }
        case "sigmoid": return { ctorch_sigmoid_f32($0, $1, $2) }
        case "sqrt": return { ctorch_sqrt_f32($0, $1, $2) }
        case "rsqrt": return { ctorch_rsqrt_f32($0, $1, $2) }
        default: return nil
        }
    }

    /// Runs a vectorised kernel over contiguous operands, or over rows that are contiguous (a slice
    /// of columns, a gate of an RNN); false when neither applies.
    @usableFromInline
    static func runVectorised(
        _ f: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
        _ out: KernelOperand, _ a: KernelOperand
    ) -> Bool {
        if out.layout.isContiguous && a.layout.isContiguous {
            let o = out.pointer(Float.self), x = a.pointer(Float.self)
            Parallel.forRange(out.layout.count, grain: 16_384) { r in
                f(x + r.lowerBound, o + r.lowerBound, r.count)
            }
            return true
        }
        let loop = StridedLoop(shape: out.layout.shape, operands: [out.layout, a.layout])
        guard loop.innerStride(0) == 1 && loop.innerStride(1) == 1 else { return false }
        let op = out.base.assumingMemoryBound(to: Float.self), ap = a.base.assumingMemoryBound(to: Float.self)
        loop.forEachRow { off, n in f(ap + off[1], op + off[0], n) }
        return true
    }
}

// Adapters from an element function to the loop's `UnaryFn` (one type per function and element type).
@usableFromInline enum FloatElement<F: UnaryFunction, T: FloatScalar>: UnaryFn {
    @inlinable static func apply(_ x: T) -> T { F.float(x) }
}
@usableFromInline enum IntegralElement<F: UnaryFunction, T: NativeScalar>: UnaryFn {
    @inlinable static func apply(_ x: T) -> T { F.integral(x) }
}
@usableFromInline enum FloatTest<F: UnaryPredicate, T: FloatScalar>: UnaryFn {
    @inlinable static func apply(_ x: T) -> Bool { F.float(x) }
}
@usableFromInline enum IntegralTestElement<F: UnaryPredicate, T: NativeScalar>: UnaryFn {
    @inlinable static func apply(_ x: T) -> Bool { F.integral(x) }
}
