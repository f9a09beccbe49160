import RealModule
import TorchBase

// Note [Per-element random streams]: rejection samplers (gamma, Poisson, binomial) use a varying
// number of draws per element. Each run of 256 consecutive elements gets a Philox stream of its
// own, keyed by the generator's key and the run's reserved counter, so the results depend only on
// the seed and the call sequence (never on how the runs are split across threads), and runs are
// drawn in parallel.

/// One element's Philox stream (Note [Per-element random streams]).
struct ElementStream {
    private let key: UInt64
    private var counter: UInt64 = 0
    private var words = SIMD4<UInt32>(repeating: 0)
    private var used = 4

    init(key: UInt64, element: UInt64) {
        // SplitMix64 of the element's counter, mixed with the generator's key.
        var z = key &+ element &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        self.key = z ^ (z >> 31)
    }

    mutating func word() -> UInt32 {
        if used == 4 {
            words = Generator.philox(counter, key)
            counter &+= 1
            used = 0
        }
        defer { used += 1 }
        return words[used]
    }

    /// Whether uniforms take 53 random bits (two words, for float64 results) or 32 (one word,
    /// ample for float32 and narrower results).
    var wide = true

    /// Uniform in [0, 1).
    mutating func uniform() -> Double {
        if !wide { return Double(word()) * 0x1p-32 }
        let bits = (UInt64(word()) << 21) ^ UInt64(word() >> 11)
        return Double(bits & ((1 << 53) - 1)) * 0x1p-53
    }

    private var spare: Double? = nil

    /// Standard normal (Marsaglia's polar method: no trigonometry; the pair's second value is
    /// kept for the next call).
    mutating func normal() -> Double {
        if let s = spare {
            spare = nil
            return s
        }
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let f = (-2 * Double.log(s) / s).squareRoot()
                spare = v * f
                return u * f
            }
        }
    }
}

extension Generator {
    /// Runs `body(i, &stream)` for `n` elements in parallel. Elements draw from one stream per
    /// run of `streamRun` consecutive elements (a fixed split, so results do not depend on the
    /// thread count), with 53-bit uniforms when `wide`, 32-bit otherwise.
    func perElement(_ n: Int, wide: Bool = true, _ body: (Int, inout ElementStream) -> Void) {
        let run = Generator.streamRun
        let runs = (n + run - 1) / run
        let (key, start) = reserve(runs)
        Kernels.parallelFor(runs, grain: 4) { range in
            for r in range {
                var s = ElementStream(key: key, element: start &+ UInt64(r))
                s.wide = wide
                for i in (r * run)..<Swift.min(n, (r + 1) * run) { body(i, &s) }
            }
        }
    }

    /// Elements that share one stream in `perElement`.
    static let streamRun = 256
}

/// The scalar samplers behind the tensor ones.
enum Samplers {
    /// Γ(α, 1) by Marsaglia and Tsang (Note [Gamma sampling and its gradient]); 0 for α = 0.
    static func gamma(_ alpha: Double, _ s: inout ElementStream) -> Double {
        if !(alpha > 0) { return alpha == 0 ? 0 : .nan }
        if alpha.isInfinite { return .infinity }
        if alpha < 1 {
            let boost = Double.pow(s.uniform(), 1 / alpha)
            return gamma(alpha + 1, &s) * boost
        }
        let d = alpha - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = s.normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = s.uniform()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 { return d * v }
            if Double.log(u) < 0.5 * x2 + d * (1 - v + Double.log(v)) { return d * v }
        }
    }

    /// Poisson(λ): products of uniforms below λ = 10, Hörmann's PTRS rejection above.
    static func poisson(_ lambda: Double, _ s: inout ElementStream) -> Double {
        if !(lambda >= 0) { return .nan }
        if lambda == 0 { return 0 }
        if lambda.isInfinite { return .infinity }
        if lambda < 10 {
            let limit = Double.exp(-lambda)
            var k = 0.0, prod = s.uniform()
            while prod > limit {
                k += 1
                prod *= s.uniform()
            }
            return k
        }
        let slam = lambda.squareRoot(), loglam = Double.log(lambda)
        let b = 0.931 + 2.53 * slam
        let a = -0.059 + 0.02483 * b
        let invAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = s.uniform() - 0.5, v = s.uniform()
            let us = 0.5 - Swift.abs(u)
            let k = ((2 * a / us + b) * u + lambda + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return k }
            if k < 0 || (us < 0.013 && v > us) { continue }
            let lhs = Double.log(v) + Double.log(invAlpha) - Double.log(a / (us * us) + b)
            if lhs <= -lambda + k * loglam - Double.logGamma(k + 1) { return k }
        }
    }

    /// Binomial(n, p): inversion while n·min(p, 1-p) < 10, Hörmann's BTRS above.
    static func binomial(_ n: Double, _ p: Double, _ s: inout ElementStream) -> Double {
        if n.isNaN || p.isNaN || n < 0 || p < 0 || p > 1 { return .nan }
        if n == 0 || p == 0 { return 0 }
        if p == 1 { return n }
        let q0 = Swift.min(p, 1 - p)
        let k = n * q0 < 10 ? binomialInversion(n, q0, &s) : binomialBTRS(n, q0, &s)
        return p > 0.5 ? n - k : k
    }

    private static func binomialInversion(_ n: Double, _ p: Double, _ s: inout ElementStream) -> Double {
        let q = 1 - p, ratio = p / q, a = (n + 1) * ratio
        let r0 = Double.exp(n * Double.log(onePlus: -p))
        while true {
            var u = s.uniform(), r = r0, x = 0.0
            while u > r {
                u -= r
                x += 1
                if x > n { break }
                r *= a / x - ratio
            }
            if x <= n { return x }
        }
    }

    private static func binomialBTRS(_ n: Double, _ p: Double, _ s: inout ElementStream) -> Double {
        let q = 1 - p
        let spq = (n * p * q).squareRoot()
        let b = 1.15 + 2.53 * spq
        let a = -0.0873 + 0.0248 * b + 0.01 * p
        let c = n * p + 0.5
        let vr = 0.92 - 4.2 / b
        let alpha = (2.83 + 5.1 / b) * spq
        let lpq = Double.log(p / q)
        let m = ((n + 1) * p).rounded(.down)
        let h = Double.logGamma(m + 1) + Double.logGamma(n - m + 1)
        while true {
            let u = s.uniform() - 0.5, v = s.uniform()
            let us = 0.5 - Swift.abs(u)
            let k = ((2 * a / us + b) * u + c).rounded(.down)
            if k < 0 || k > n { continue }
            if us >= 0.07 && v <= vr { return k }
            let lv = Double.log(v * alpha / (a / (us * us) + b))
            if lv <= h - Double.logGamma(k + 1) - Double.logGamma(n - k + 1) + (k - m) * lpq { return k }
        }
    }
}

extension Tensor {
    /// Runs a scalar sampler over the float64 values of one or two broadcast parameters and
    /// returns a tensor of `shape` and `dtype`.
    fileprivate static func sampled(
        _ a: Tensor, _ b: Tensor? = nil, shape: [Int], dtype: DType, generator: Generator,
        _ draw: (Double, Double, inout ElementStream) -> Double
    ) -> Tensor {
        let av = a.expand(shape).to(.float64).contiguous().toArray(Double.self)
        let bv = b.map { $0.expand(shape).to(.float64).contiguous().toArray(Double.self) }
        let n = shape.product
        let wide = dtype == .float64
        var out = [Double](repeating: 0, count: n)
        av.withUnsafeBufferPointer { ap in
            out.withUnsafeMutableBufferPointer { buf in
                let p = buf.baseAddress!, x = ap.baseAddress!
                if let bv {
                    bv.withUnsafeBufferPointer { bp in
                        let y = bp.baseAddress!
                        generator.perElement(n, wide: wide) { i, s in p[i] = draw(x[i], y[i], &s) }
                    }
                } else {
                    generator.perElement(n, wide: wide) { i, s in p[i] = draw(x[i], 0, &s) }
                }
            }
        }
        return Tensor(flat: out, shape: shape, dtype: dtype)
    }

    /// Samples of Γ(α, 1) for each α in `alpha` (`torch._standard_gamma`), clamped below at the
    /// dtype's smallest normal number as PyTorch's. Differentiable in α by the implicit
    /// reparameterisation (`_standard_gamma_grad`; Note [Gamma sampling and its gradient]).
    ///
    /// ```swift
    /// let x = Tensor.standardGamma(Tensor([0.5, 2.0, 10.0]))
    /// ```
    public static func standardGamma(
        _ alpha: Tensor, generator: Generator = .default, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if !alpha.dtype.isFloatingPoint {
            torchFail(
                "_standard_gamma", "\"gamma_cpu\" not implemented for '\(alpha.dtype.pytorchName)'", file: file,
                line: line)
        }
        let tiny = alpha.dtype == .float64 ? Double.leastNormalMagnitude : Double(Float.leastNormalMagnitude)
        let x = sampled(alpha.detach(), shape: alpha.shape, dtype: alpha.dtype, generator: generator) { a, _, s in
            Swift.max(Samplers.gamma(a, &s), tiny)
        }.to(device: alpha.device)
        return Torch.customFunction(
            "StandardGamma", [alpha],
            forward: { ctx, xs in
                ctx.saveForBackward(xs[0])
                ctx.values["sample"] = x
                return x
            },
            backward: { ctx, g in
                let sample = ctx.values["sample"] as! Tensor
                return [g * standardGammaGrad(sample, ctx.savedTensors[0])]
            }, file: file, line: line)
    }

    /// dx/dα of standard gamma samples `x` drawn with concentrations `alpha`
    /// (`torch._standard_gamma_grad`); not itself differentiable.
    ///
    /// ```swift
    /// Tensor.standardGammaGrad(Tensor([1.0]), Tensor([1.0]))   // ≈ [0.7836]
    /// ```
    public static func standardGammaGrad(_ x: Tensor, _ alpha: Tensor) -> Tensor {
        let shape = Checks.broadcastShapes(x.shape, alpha.shape).unwrap(
            "_standard_gamma_grad", file: #fileID,
            line: #line)
        let xs = x.detach().expand(shape).to(.float64).contiguous().toArray(Double.self)
        let as_ = alpha.detach().expand(shape).to(.float64).contiguous().toArray(Double.self)
        var out = [Double](repeating: 0, count: xs.count)
        out.withUnsafeMutableBufferPointer { buf in
            let p = buf.baseAddress!
            Kernels.parallelFor(xs.count, grain: 256) { r in
                for i in r { p[i] = SpecialMath.standardGammaGrad(xs[i], as_[i]) }
            }
        }
        return Tensor(flat: out, shape: shape, dtype: promoteTypes(x.dtype, alpha.dtype)).to(device: x.device)
    }

    /// Poisson samples with the rates in `self` (`torch.poisson`); same shape and dtype.
    ///
    /// ```swift
    /// let counts = Tensor([1.0, 20.0]).poisson()
    /// ```
    public func poisson(generator: Generator = .default, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if !dtype.isFloatingPoint {
            torchFail("poisson", "\"poisson_cpu\" not implemented for '\(dtype.pytorchName)'", file: file, line: line)
        }
        let rates = detach().to(.float64).toArray(Double.self)
        if rates.contains(where: { !($0 >= 0) }) {
            torchFail("poisson", "invalid Poisson rate, expected rate to be non-negative", file: file, line: line)
        }
        return Tensor.sampled(detach(), shape: shape, dtype: dtype, generator: generator) { r, _, s in
            Samplers.poisson(r, &s)
        }.to(device: device)
    }

    /// Binomial samples: successes out of `count` trials with probability `prob` each
    /// (`torch.binomial`; the two broadcast, float dtypes).
    ///
    /// ```swift
    /// let k = Tensor.binomial(count: Tensor([10.0, 100.0]), prob: Tensor([0.5, 0.1]))
    /// ```
    public static func binomial(
        count: Tensor, prob: Tensor, generator: Generator = .default,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if !count.dtype.isFloatingPoint || !prob.dtype.isFloatingPoint {
            torchFail(
                "binomial", "\"binomial_cpu\" not implemented for '\(count.dtype.pytorchName)'", file: file,
                line: line)
        }
        let shape = Checks.broadcastShapes(count.shape, prob.shape).unwrap("binomial", file: file, line: line)
        return sampled(count.detach(), prob.detach(), shape: shape, dtype: count.dtype, generator: generator) {
            n, p, s in Samplers.binomial(n, p, &s)
        }.to(device: count.device)
    }
}

extension Special {
    /// The regularized lower incomplete gamma P(a, x) (`torch.special.gammainc`), broadcast.
    ///
    /// ```swift
    /// Special.gammainc(Tensor([1.0]), Tensor([1.0]))   // [0.6321]
    /// ```
    public static func gammainc(_ a: Tensor, _ x: Tensor, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        incompleteGamma(a, x, "gammainc", SpecialMath.gammaP, sign: 1, file: file, line: line)
    }

    /// The regularized upper incomplete gamma Q(a, x) = 1 - P(a, x) (`torch.special.gammaincc`).
    ///
    /// ```swift
    /// Special.gammaincc(Tensor([1.0]), Tensor([1.0]))   // [0.3679]
    /// ```
    public static func gammaincc(_ a: Tensor, _ x: Tensor, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        incompleteGamma(a, x, "gammaincc", SpecialMath.gammaQ, sign: -1, file: file, line: line)
    }

    /// P or Q elementwise; differentiable in `x` (±xᵃ⁻¹e⁻ˣ/Γ(a)), not in `a`, as PyTorch's.
    private static func incompleteGamma(
        _ a: Tensor, _ x: Tensor, _ name: String, _ f: @escaping (Double, Double) -> Double, sign: Double,
        file: StaticString, line: UInt
    ) -> Tensor {
        let shape = Checks.broadcastShapes(a.shape, x.shape).unwrap(name, file: file, line: line)
        // PyTorch's binary promotion (a 0-d operand ranks below a dimensioned one), then float.
        var dt = resultType([.tensor(a.dtype, isZeroDim: a.rank == 0), .tensor(x.dtype, isZeroDim: x.rank == 0)])
        if !dt.isFloatingPoint { dt = Torch.defaultDType }
        let av = a.detach().expand(shape).to(.float64).contiguous().toArray(Double.self)
        let xv = x.detach().expand(shape).to(.float64).contiguous().toArray(Double.self)
        let value = Tensor(flat: zip(av, xv).map { f($0, $1) }, shape: shape, dtype: dt).to(device: a.device)
        return Torch.customFunction(
            name, [a, x], forward: { _, _ in value },
            backward: { _, g in
                // PyTorch's formula on the inputs in their own dtypes (lgamma of a half `a` is rounded).
                let xs = x.detach(), as_ = a.detach()
                let density = ((as_ - 1.0) * xs.log() - xs - as_.lgamma()).exp()
                return [nil, (g * density * sign).sumToShape(x.shape).to(x.dtype)]
            }, file: file, line: line)
    }
}
