import TorchBase

// Activation functions as element-wise primitives (Note [Unary primitives]). The nn module types
// (`ReLU`, `GELU`, ...) in TorchNN call these.

extension UnaryPrimitives {
    static let activations: [any UnaryPrimitive.Type] = [
        Pointwise.Sigmoid.self, Pointwise.Relu.self, Pointwise.Gelu.self, Pointwise.GeluTanh.self,
        Pointwise.Silu.self, Pointwise.Softplus.self,
    ]
}

/// Refuses non-floating inputs as PyTorch's float-only activation kernels do.
private func floatingOnly(_ name: String, _ kernel: String, _ x: Tensor, file: StaticString, line: UInt) -> DType {
    x.requireKernel(name, kernel, .floating, file: file, line: line)
    return x.dtype
}

extension Pointwise {
    /// `1 / (1 + e^-x)`.
    enum Sigmoid: UnaryPrimitive {
        static let name = "sigmoid"
        static let saves = UnarySaves.output
        static func float<T: FloatScalar>(_ x: T) -> T { 1 / (1 + T.exp(-x)) }
        static func cuda(_ t: CUDAType) -> String { "(\(t.lit("1")) / (\(t.lit("1")) + \(t.fn("exp"))(-x)))" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor { g * y * (1 - y) }
    }

    /// `max(x, 0)` (NaN stays NaN); bool is refused.
    enum Relu: UnaryPrimitive {
        static let name = "relu"
        static let keepsIntegers = true
        static let saves = UnarySaves.output
        static let hasSecondDerivative = false
        static func float<T: FloatScalar>(_ x: T) -> T { x > 0 ? x : (x.isNaN ? x : 0) }
        static func integral<T: NativeScalar>(_ x: T) -> T { T.maximum(x, T.zeroValue) }
        static func cuda(_ t: CUDAType) -> String {
            t.isFloatingPoint ? "(x > 0 ? x : (x != x ? x : \(t.lit("0"))))" : "(\(t.name))(x > 0 ? x : 0)"
        }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            // One fused pass unless this backward is itself recorded (createGraph needs g · mask).
            if !GradMode.isEnabled && g.dtype == y.dtype { return Tensor.binary(Pointwise.ReluBackward.self, g, y) }
            return g * (y .> 0).to(g.dtype)
        }
        static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
            if x.dtype == .bool { torchFail("relu", "Boolean inputs not supported for relu", file: file, line: line) }
            return x.dtype
        }
    }

    /// `x · Φ(x)` with the exact normal CDF.
    enum Gelu: UnaryPrimitive {
        static let name = "gelu"
        static func float<T: FloatScalar>(_ x: T) -> T { x * (1 + T.erf(x * T(0.70710678118654752440))) / 2 }
        static func cuda(_ t: CUDAType) -> String {
            "(x * (\(t.lit("1")) + \(t.fn("erf"))(x * \(t.lit("0.70710678118654752440")))) / \(t.lit("2")))"
        }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            let cdf = ((x * 0.70710678118654752440).erf() + 1) * 0.5
            let pdf = (x * x * -0.5).exp() * 0.39894228040143267794
            return g * (cdf + x * pdf)
        }
        static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
            floatingOnly("gelu", "GeluKernelImpl", x, file: file, line: line)
        }
    }

    /// GELU with the tanh approximation (`approximate: .tanh`).
    enum GeluTanh: UnaryPrimitive {
        static let name = "geluTanh"
        static func float<T: FloatScalar>(_ x: T) -> T {
            let inner = T(0.79788456080286535588) * (x + T(0.044715) * x * x * x)
            return x * (1 + T.tanh(inner)) / 2
        }
        static func cuda(_ t: CUDAType) -> String {
            let inner = "\(t.lit("0.79788456080286535588")) * (x + \(t.lit("0.044715")) * x * x * x)"
            return "(x * (\(t.lit("1")) + \(t.fn("tanh"))(\(inner))) / \(t.lit("2")))"
        }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            let k = 0.79788456080286535588, c = 0.044715
            let t = ((x + x * x * x * c) * k).tanh()
            let dt = (1 - t * t) * ((x * x * (3 * c) + 1) * k)
            return g * ((t + 1) * 0.5 + x * dt * 0.5)
        }
        static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
            floatingOnly("gelu", "GeluKernelImpl", x, file: file, line: line)
        }
    }

    /// `x · sigmoid(x)` (SiLU, swish).
    enum Silu: UnaryPrimitive {
        static let name = "silu"
        static func float<T: FloatScalar>(_ x: T) -> T { x / (1 + T.exp(-x)) }
        static func cuda(_ t: CUDAType) -> String { "(x / (\(t.lit("1")) + \(t.fn("exp"))(-x)))" }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            let s = x.sigmoid()
            return g * s * (x * (1 - s) + 1)
        }
        static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
            floatingOnly("silu", "silu_cpu", x, file: file, line: line)
        }
    }

    /// `log(1 + e^x)`, linear above 20 (PyTorch's default threshold).
    enum Softplus: UnaryPrimitive {
        static let name = "softplus"
        static func float<T: FloatScalar>(_ x: T) -> T { x > 20 ? x : T.log(onePlus: T.exp(x)) }
        static func cuda(_ t: CUDAType) -> String {
            "(x > \(t.lit("20")) ? x : \(t.fn("log1p"))(\(t.fn("exp"))(x)))"
        }
        static func derivative(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
            Tensor.where(x .> 20, g, g * x.sigmoid())
        }
        static func resultType(_ x: Tensor, file: StaticString, line: UInt) -> DType {
            floatingOnly("softplus", "softplus_cpu", x, file: file, line: line)
        }
    }
}

extension Tensor {
    /// Element-wise logistic sigmoid (`torch.sigmoid`).
    ///
    /// ```swift
    /// let y = x.sigmoid()
    /// ```
    public func sigmoid(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Sigmoid.self, file: file, line: line)
    }
    /// In-place `sigmoid` (`Tensor.sigmoid_`): writes the result into this tensor.
    @discardableResult public func sigmoid_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Sigmoid.self, file: file, line: line)
    }
    /// Element-wise `max(x, 0)` (`torch.relu`).
    ///
    /// ```swift
    /// let y = x.relu()
    /// ```
    public func relu(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Relu.self, file: file, line: line)
    }
    /// In-place `relu` (`Tensor.relu_`): writes the result into this tensor.
    @discardableResult public func relu_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Relu.self, file: file, line: line)
    }
    /// Element-wise SiLU, `x · sigmoid(x)` (`torch.nn.functional.silu`).
    ///
    /// ```swift
    /// let y = x.silu()
    /// ```
    public func silu(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Silu.self, file: file, line: line)
    }
    /// In-place `silu` (`Tensor.nn.functional.silu_`): writes the result into this tensor.
    @discardableResult public func silu_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Silu.self, file: file, line: line)
    }
    /// Element-wise `log(1 + e^x)` (`torch.nn.functional.softplus`).
    ///
    /// ```swift
    /// let y = x.softplus()
    /// ```
    public func softplus(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(Pointwise.Softplus.self, file: file, line: line)
    }
    /// In-place `softplus` (`Tensor.nn.functional.softplus_`): writes the result into this tensor.
    @discardableResult public func softplus_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryInPlace(Pointwise.Softplus.self, file: file, line: line)
    }
}

extension Tensor {
    /// GELU (`torch.nn.functional.gelu`); `approximate: .tanh` uses the tanh form.
    ///
    /// ```swift
    /// let y = x.gelu(approximate: .tanh)
    /// ```
    public func gelu(approximate: GELUApproximation = .none, file: StaticString = #fileID, line: UInt = #line) -> Tensor
    {
        approximate == .tanh
            ? unary(Pointwise.GeluTanh.self, file: file, line: line)
            : unary(Pointwise.Gelu.self, file: file, line: line)
    }
}
