// Note [Unary primitives]: each element-wise function of one tensor is one type, defined once in a
// Unary+*.swift file beside this one: its name, its math for every backend (`UnaryFunction`, Note
// [Element functions]), its result dtype and refusals, what its backward reads and the backward
// itself, and its public methods (one line each). This file is the one generic record site and
// dtype plan they all share, and the registry (`UnaryPrimitives.all`) is the concatenation of the
// lists each definition file keeps beside its definitions. A new op is one definition in one of
// those files, plus its test (see docs/ARCHITECTURE.md, "Adding an op").

/// What a unary primitive's backward reads (Note [What autograd saves]).
enum UnarySaves {
    /// Nothing (`neg`, and the piecewise-constant ops whose gradient is zero).
    case nothing
    /// Its input.
    case input
    /// Its output (`exp`, `sigmoid`, `sqrt`).
    case output
    /// Both (`i1`, `erfcx`).
    case inputAndOutput
}

/// An element-wise primitive of one tensor (Note [Unary primitives]).
protocol UnaryPrimitive: UnaryFunction {
    /// What `derivative` reads; `.input` unless stated.
    static var saves: UnarySaves { get }
    /// Whether the op records a graph node at all (`bitwiseNot` does not).
    static var isDifferentiable: Bool { get }
    /// Whether the derivative is itself differentiable to a non-zero second derivative
    /// (gradgradcheck skips the piecewise-constant and piecewise-linear ones).
    static var hasSecondDerivative: Bool { get }
    /// Inputs where the derivative is smooth, for gradcheck.
    static var domain: ClosedRange<Double> { get }
    /// The input gradient from the output gradient `g`, the input `x` (when `saves == .input`)
    /// and the output `y` (when `saves == .output`); unsaved arguments are `g` again.
    static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor
    /// The result dtype for input `x`, trapping on the dtypes PyTorch refuses (Note [Kernel dtype
    /// support]). By default floating-only ops promote integral inputs to the default float dtype.
    static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType
    /// For float16/bfloat16 inputs, the op as PyTorch's kernel computes it when that kernel rounds
    /// after each step instead of once (nil: compute in float32 and round once, the usual case).
    static func reducedPrecision(_ x: Tensor) -> Tensor?
}

extension UnaryPrimitive {
    static var saves: UnarySaves { .input }
    static var isDifferentiable: Bool { true }
    static var hasSecondDerivative: Bool { true }
    static var domain: ClosedRange<Double> { -2...2 }
    static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
        keepsIntegers || x.dtype.isFloatingPoint ? x.dtype : Torch.defaultDType
    }
    static func reducedPrecision(_ x: Tensor) -> Tensor? { nil }
}

/// The registry of unary primitives: the lists kept beside their definitions.
enum UnaryPrimitives {
    static let all: [any UnaryPrimitive.Type] = arithmetic + transcendental + activations + special

    /// The primitive named `name`, if it is a unary one.
    static func named(_ name: String) -> (any UnaryPrimitive.Type)? { all.first { $0.name == name } }
}

extension Tensor {
    /// `P(self)`: records one node when a gradient is needed, then runs the element function.
    func unary<P: UnaryPrimitive>(_: P.Type, file: StaticString, line: UInt) -> Tensor {
        if Tracing.isOn { return traced(P.name, [], file, line) { $0.unary(P.self, file: file, line: line) } }
        if dtype.isComplex { return ComplexMath.unary(P.self, self, file: file, line: line) }
        if dtype.isFloatingPoint && dtype.computeType != dtype, let r = P.reducedPrecision(self) { return r }
        if P.isDifferentiable && Tensor.shouldRecord(self) {
            let inDType = dtype
            return Tensor.recorded(
                Primitive(P.name), SmallList(self),
                save: P.saves == .input || P.saves == .inputAndOutput ? SmallList(self) : SmallList(),
                saveOutput: P.saves == .output || P.saves == .inputAndOutput, file: file, line: line,
                forward: { unaryRaw(P.self, file: file, line: line) },
                backward: { node, g in [Tensor.unaryDerivative(P.self, node, g).to(inDType)] })
        }
        return unaryRaw(P.self, file: file, line: line)
    }

    /// The backward of a unary primitive, reading back what it saved.
    static func unaryDerivative<P: UnaryPrimitive>(_: P.Type, _ node: FunctionNode, _ g: Tensor) -> Tensor {
        switch P.saves {
        case .input: return P.derivative(g, x: node.savedTensor(0), y: g)
        case .output: return P.derivative(g, x: g, y: node.savedTensor(0))
        case .nothing: return P.derivative(g, x: g, y: g)
        case .inputAndOutput: return P.derivative(g, x: node.savedTensor(0), y: node.savedTensor(1))
        }
    }

    /// The forward: the dtype plan (Note [Pointwise dtype plan]) around one backend call.
    func unaryRaw<P: UnaryPrimitive>(_: P.Type, file: StaticString, line: UInt) -> Tensor {
        let valueType = P.resultType(self, file: file, line: line)
        let x = to(valueType.computeType)
        let out = Tensor.uninitialized(like: self, shape: shape, dtype: x.dtype)
        Kernels.map(P.self, out.operand, x.operand, device)
        return out.to(valueType)
    }

    /// `P(self)` written into self (`x.exp_()`).
    @discardableResult
    func unaryInPlace<P: UnaryPrimitive>(_: P.Type, file: StaticString, line: UInt) -> Tensor {
        checkNoInternalOverlap(P.name + "_", file: file, line: line)
        if Tracing.isTracing {
            // Recorded as the functional op, then written in (Note [Tracing]).
            assignResult(unary(P.self, file: file, line: line), op: P.name + "_", file: file, line: line)
            return self
        }
        if Tensor.shouldRecord(self) {
            rebaseInPlace(P.name + "_", file: file, line: line) { $0.unary(P.self, file: file, line: line) }
            return self
        }
        if dtype.computeType == dtype && !dtype.isComplex && P.resultType(self, file: file, line: line) == dtype {
            Kernels.map(P.self, operand, operand, device)
            bumpVersion()
            return self
        }
        assignResult(unary(P.self, file: file, line: line), op: P.name + "_", file: file, line: line)
        return self
    }

    /// `P(self)` as a bool tensor (`isnan`, `logicalNot`); never recorded.
    func test<P: UnaryPredicate>(_: P.Type, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if dtype.isComplex && P.name == "signbit" {
            torchFail("signbit", "signbit is not implemented for complex tensors.", file: file, line: line)
        }
        if dtype.isComplex {
            // Either part NaN or infinite; finite when both are (the parts tested as reals).
            let (a, b) = Torch.noGrad { complexParts() }
            return P.name == "isfinite" ? a.test(P.self) & b.test(P.self) : a.test(P.self) | b.test(P.self)
        }
        let x = to(dtype.computeType)
        let out = Tensor.uninitialized(like: self, shape: shape, dtype: .bool)
        Kernels.test(P.self, out.operand, x.operand, device)
        return out
    }
}

extension Tensor {
    /// The names of every unary primitive, in registry order (for tests and tools).
    package static var unaryPrimitiveNames: [String] { UnaryPrimitives.all.map { $0.name } }

    /// Inputs where the unary primitive `name` is smooth (its gradcheck domain), if it exists.
    package static func unaryDomain(_ name: String) -> ClosedRange<Double>? { UnaryPrimitives.named(name)?.domain }

    /// The unary primitive `name` applied to this tensor, or nil when there is no such primitive.
    /// (Through the registry the call is not specialised: for tests and tools, not hot paths.)
    package func unary(named name: String, file: StaticString = #fileID, line: UInt = #line) -> Tensor? {
        guard let p = UnaryPrimitives.named(name) else { return nil }
        return unary(p, file: file, line: line)
    }

    /// In-place form of `unary(named:)`.
    package func unaryInPlace(named name: String, file: StaticString = #fileID, line: UInt = #line) -> Tensor? {
        guard let p = UnaryPrimitives.named(name) else { return nil }
        return unaryInPlace(p, file: file, line: line)
    }
}
