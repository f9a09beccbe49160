import TorchBase

// Arithmetic element functions of two tensors (Note [Binary primitives]). Each type is the whole
// definition of its op; the operators and methods that call them are in Tensor+Operators.swift.

extension BinaryPrimitives {
    static let arithmetic: [any BinaryPrimitive.Type] = [
        Pointwise.Add.self, Pointwise.Sub.self, Pointwise.Mul.self, Pointwise.Div.self, Pointwise.FloorDivide.self,
        Pointwise.Remainder.self, Pointwise.Fmod.self, Pointwise.Pow.self, Pointwise.PowScalar.self,
        Pointwise.Maximum.self, Pointwise.Minimum.self, Pointwise.Atan2.self, Pointwise.BitwiseAnd.self,
        Pointwise.BitwiseOr.self, Pointwise.BitwiseXor.self,
    ]
}

/// The registry of binary primitives: the lists kept beside their definitions.
enum BinaryPrimitives {
    static let all: [any BinaryPrimitive.Type] = arithmetic + special
    static let comparisons: [any ComparisonPrimitive.Type] = comparison
}

/// Refuses a bool operand as PyTorch's `kernel` does ("`kernel`" not implemented for 'Bool').
private func refuseBool(_ name: String, _ kernel: String, _ common: DType, file: StaticString, line: UInt) {
    if common == .bool { torchFail(name, "\"\(kernel)\" not implemented for 'Bool'", file: file, line: line) }
}

extension Pointwise {
    /// `a + b` (`or` for bool).
    enum Add: BinaryPrimitive {
        static let name = "add"
        static let scalarKeepsPrecision = true
        static let primitive: Primitive? = .add
        static let flatFastPath = true
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.add(a, b) }
        static func cuda(_ t: CUDAType) -> String { t.dtype == .bool ? "(x || y)" : "(\(t.name))(x + y)" }
        static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (false, false, false) }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            (needsA ? g : nil, needsB ? g : nil)
        }
    }

    /// `a - b`; bool operands are refused as PyTorch refuses them.
    enum Sub: BinaryPrimitive {
        static let name = "sub"
        static let scalarKeepsPrecision = true
        static let primitive: Primitive? = .sub
        static let flatFastPath = true
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.sub(a, b) }
        static func cuda(_ t: CUDAType) -> String { "(\(t.name))(x - y)" }
        static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (false, false, false) }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            (needsA ? g : nil, needsB ? -g : nil)
        }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType {
            if common == .bool {
                torchFail(
                    "sub",
                    "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                        + "`logicalXor()` operator instead.",
                    file: file, line: line)
            }
            return common
        }
        static func checkBool(_ a: Tensor, _ b: Tensor, common: DType, file: StaticString, line: UInt) {
            refuse(a.dtype, b.dtype, file: file, line: line)
        }
        static func checkScalar(_ tensor: DType, _ scalarKind: DType, common: DType, file: StaticString, line: UInt) {
            if tensor == .bool || scalarKind == .bool { refuse(tensor, scalarKind, file: file, line: line) }
        }
        static func refuse(_ a: DType, _ b: DType, file: StaticString, line: UInt) {
            if a == .bool && b == .bool {
                torchFail(
                    "sub",
                    "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                        + "`logical_xor()` operator instead.",
                    file: file, line: line)
            }
            torchFail(
                "sub",
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a "
                    + "mask, use the `~` or `logical_not()` operator instead.",
                file: file, line: line)
        }
    }

    /// `a · b` (`and` for bool).
    enum Mul: BinaryPrimitive {
        static let name = "mul"
        static let scalarKeepsPrecision = true
        static let primitive: Primitive? = .mul
        static let flatFastPath = true
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.mul(a, b) }
        static func cuda(_ t: CUDAType) -> String { t.dtype == .bool ? "(x && y)" : "(\(t.name))(x * y)" }
        static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (needsB, needsA, false) }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            (needsA ? g * s.b() : nil, needsB ? g * s.a() : nil)
        }
    }

    /// True division: integral inputs give the default float dtype.
    enum Div: BinaryPrimitive {
        static let name = "div"
        static let scalarKeepsPrecision = true
        static let primitive: Primitive? = .div
        static let computesInFloat = true
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.div(a, b) }
        static func cuda(_ t: CUDAType) -> String { t.isFloatingPoint ? "(x / y)" : "(\(t.name))(y == 0 ? 0 : x / y)" }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType {
            common.isFloatingPoint ? common : Torch.defaultDType
        }
        static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (needsB, true, false) }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            let b = s.b()
            return (needsA ? g / b : nil, needsB ? -g * s.a() / (b * b) : nil)
        }
    }

    /// `a // b`, rounded toward -infinity (`floor_divide`); not differentiable.
    enum FloorDivide: BinaryPrimitive {
        static let name = "floorDivide"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.floorDiv(a, b) }
        static func cuda(_ t: CUDAType) -> String {
            t.isFloatingPoint
                ? "pyfloordiv(x, y)"
                : "(\(t.name))(y == 0 ? 0 : ((x / y) - (((x % y) != 0) && ((x < 0) != (y < 0)) ? 1 : 0)))"
        }
        static func checkBool(_ a: Tensor, _ b: Tensor, common: DType, file: StaticString, line: UInt) {
            refuseBool("floor_divide", "div_floor_cpu", common, file: file, line: line)
        }
    }

    /// Python's `a % b` (the sign of the divisor).
    enum Remainder: BinaryPrimitive {
        static let name = "remainder"
        static let primitive: Primitive? = .remainder
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.remainder(a, b) }
        static func cuda(_ t: CUDAType) -> String { t.isFloatingPoint ? "pyremf(x, y)" : "pyremi(x, y)" }
        static func checkBool(_ a: Tensor, _ b: Tensor, common: DType, file: StaticString, line: UInt) {
            refuseBool("remainder", "remainder_cpu", common, file: file, line: line)
        }
        static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (needsB, needsB, false) }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            (needsA ? g : nil, needsB ? -g * s.a().div(s.b(), roundingMode: .floor) : nil)
        }
    }

    /// C's `fmod(a, b)` (the sign of the dividend).
    enum Fmod: BinaryPrimitive {
        static let name = "fmod"
        static let primitive: Primitive? = .fmod
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.fmod(a, b) }
        static func cuda(_ t: CUDAType) -> String {
            t.isFloatingPoint ? "\(t.fn("fmod"))(x, y)" : "(\(t.name))(y == 0 ? 0 : x % y)"
        }
        static func checkBool(_ a: Tensor, _ b: Tensor, common: DType, file: StaticString, line: UInt) {
            refuseBool("fmod", "fmod_cpu", common, file: file, line: line)
        }
        static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (needsB, needsB, false) }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            (needsA ? g : nil, needsB ? -g * s.a().div(s.b(), roundingMode: .trunc) : nil)
        }
    }

    /// `a ** b` with a tensor exponent (`std::pow` per element, as PyTorch's tensor-tensor kernel).
    enum Pow: PowerPrimitive {
        static let name = "pow"
        static let primitive: Primitive? = .pow
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.power(a, b) }
        static func cuda(_ t: CUDAType) -> String {
            t.isFloatingPoint ? "(y == \(t.lit("2")) ? x * x : \(t.fn("pow"))(x, y))" : "ipow(x, y)"
        }
    }

    /// `a ** b` with a Python-scalar exponent on float32/float64: exponents ±0.5 are `sqrt` and
    /// `rsqrt`, as PyTorch's tensor-scalar kernel (they differ from `pow` at -0 and -inf).
    enum PowScalar: PowerPrimitive {
        static let name = "powScalar"
        static let primitive: Primitive? = .powScalar
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.powerScalar(a, b) }
        static func cuda(_ t: CUDAType) -> String {
            guard t.isFloatingPoint else { return "ipow(x, y)" }
            let pow = "\(t.fn("pow"))(x, y)"
            return
                "(y == \(t.lit("0.5")) ? \(t.fn("sqrt"))(x) : (y == \(t.lit("-0.5")) ? \(t.fn("rsqrt"))(x) : \(pow)))"
        }
    }

    /// `max(a, b)`, NaN winning; the gradient splits evenly on ties.
    enum Maximum: BinaryPrimitive {
        static let name = "maximum"
        static let primitive: Primitive? = .maximum
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.maximum(a, b) }
        static func cuda(_ t: CUDAType) -> String {
            t.isFloatingPoint ? "((x != x || y != y) ? (x + y) : (x > y ? x : y))" : "(x > y ? x : y)"
        }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            extremumDerivative(g, s.a(), s.b(), aWins: s.a() .> s.b(), needsA: needsA, needsB: needsB)
        }
    }

    /// `min(a, b)`, NaN winning; the gradient splits evenly on ties.
    enum Minimum: BinaryPrimitive {
        static let name = "minimum"
        static let primitive: Primitive? = .minimum
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.minimum(a, b) }
        static func cuda(_ t: CUDAType) -> String {
            t.isFloatingPoint ? "((x != x || y != y) ? (x + y) : (x < y ? x : y))" : "(x < y ? x : y)"
        }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            extremumDerivative(g, s.a(), s.b(), aWins: s.a() .< s.b(), needsA: needsA, needsB: needsB)
        }
    }

    /// The gradients of `maximum`/`minimum`: to the winner, half each on ties.
    static func extremumDerivative(
        _ g: Tensor, _ a: Tensor, _ b: Tensor, aWins: Tensor, needsA: Bool, needsB: Bool
    ) -> (Tensor?, Tensor?) {
        let wins = aWins.to(g.dtype)
        let tie = (a .== b).to(g.dtype) * 0.5
        return (needsA ? g * (wins + tie) : nil, needsB ? g * ((1 - wins) - tie) : nil)
    }

    /// `atan2(a, b)`, the angle of the point (b, a); integral inputs give the default float dtype.
    enum Atan2: BinaryPrimitive {
        static let name = "atan2"
        static let primitive: Primitive? = .atan2
        static let computesInFloat = true
        static func float<T: FloatScalar>(_ a: T, _ b: T) -> T { T.atan2(y: a, x: b) }
        static func cuda(_ t: CUDAType) -> String { "\(t.fn("atan2"))(x, y)" }
        static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType {
            common.isFloatingPoint ? common : Torch.defaultDType
        }
        static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
            let a = s.a(), b = s.b()
            let denom = a * a + b * b
            return (needsA ? g * b / denom : nil, needsB ? -g * a / denom : nil)
        }
    }

    /// `a & b` of integers (`and` of bool); floats are refused.
    enum BitwiseAnd: BitwisePrimitive {
        static let name = "bitwiseAnd"
        static let op = BitwiseOp.and
        static func cuda(_ t: CUDAType) -> String { t.dtype == .bool ? "(x && y)" : "(\(t.name))(x & y)" }
    }

    /// `a | b` of integers (`or` of bool); floats are refused.
    enum BitwiseOr: BitwisePrimitive {
        static let name = "bitwiseOr"
        static let op = BitwiseOp.or
        static func cuda(_ t: CUDAType) -> String { t.dtype == .bool ? "(x || y)" : "(\(t.name))(x | y)" }
    }

    /// `a ^ b` of integers (`xor` of bool); floats are refused.
    enum BitwiseXor: BitwisePrimitive {
        static let name = "bitwiseXor"
        static let op = BitwiseOp.xor
        static func cuda(_ t: CUDAType) -> String { t.dtype == .bool ? "(x != y)" : "(\(t.name))(x ^ y)" }
    }

    /// `a` where `b > 0`, else 0: the gradient of ReLU in one pass (PyTorch's threshold_backward).
    enum ReluBackward: BinaryPrimitive {
        static let name = "reluBackward"
        static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { b > T.zeroValue ? a : T.zeroValue }
        static func cuda(_ t: CUDAType) -> String { "(y > \(t.lit("0")) ? x : \(t.lit("0")))" }
    }
}

/// `pow` with a tensor or a scalar exponent: the refusals and derivative they share.
protocol PowerPrimitive: BinaryPrimitive {}

extension PowerPrimitive {
    static func checkBool(_ a: Tensor, _ b: Tensor, common: DType, file: StaticString, line: UInt) {
        // A bool tensor to a Python-scalar (0-d) power is computed by PyTorch: only tensor exponents are refused.
        if common == .bool && !(b.rank == 0 && a.dtype == .bool) {
            torchFail("pow", "\"pow\" not implemented for 'Bool'", file: file, line: line)
        }
    }
    static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (true, true, needsB) }
    static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
        let a = s.a(), b = s.b()
        var ga: Tensor? = nil, gb: Tensor? = nil
        if needsA {
            // PyTorch's pow_backward: zero where the exponent is 0 (no 0 · inf from a^-1 at a = 0); a
            // scalar exponent's `a^(b-1)` is again the scalar kernel (rsqrt for b = 0.5).
            let d = b * Tensor.binary(Self.self, a, b - 1)
            ga = g * Tensor.where(b .== 0, Tensor.zerosLike(d), d)
        }
        if needsB {
            let zeroBase = (a .== 0) & (b .>= 0)
            gb = Tensor.where(zeroBase, 0.0, g * s.out() * a.log())
        }
        return (ga, gb)
    }
}

/// A bitwise op: integral and bool operands, floats refused as PyTorch's `<op>_cpu` kernel does.
protocol BitwisePrimitive: BinaryPrimitive {
    static var op: BitwiseOp { get }
}

extension BitwisePrimitive {
    static func native<T: NativeScalar>(_ a: T, _ b: T) -> T { T.bitwise(op, a, b) }
    static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType {
        if common.isFloatingPoint {
            torchFail(
                name, "\"\(Tensor.snake(name))_cpu\" not implemented for '\(common.pytorchName)'", file: file,
                line: line)
        }
        return common
    }
}

extension Primitive {
    /// The arithmetic primitives (their definitions above name them).
    public static let add = Primitive("add"), sub = Primitive("sub"), mul = Primitive("mul"), div = Primitive("div")
    /// `pow` with a tensor exponent (`PowBackward1`) and with a Python-scalar one (`PowBackward0`).
    public static let pow = Primitive("pow", nodeName: "PowBackward1"),
        powScalar = Primitive("powScalar", nodeName: "PowBackward0")
    /// Element-wise maximum and minimum.
    public static let maximum = Primitive("maximum"), minimum = Primitive("minimum")
    /// `atan2`, `remainder` and `fmod`.
    public static let atan2 = Primitive("atan2"), remainder = Primitive("remainder"), fmod = Primitive("fmod")
}
