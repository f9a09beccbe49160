import Torch

/// One conformance check: an op computed on a device in a dtype, compared with the CPU's float64
/// result (float cases) or the CPU's result in the same dtype (integral and cast cases).
///
/// ```swift
/// let failures = Conformance.run(on: .cuda(0)).failures
/// ```
public struct ConformanceCase: Sendable {
    /// What is checked (op, dtype, layout).
    public let name: String
    /// The dtype the op runs in on the device.
    public let dtype: DType
    /// Whether the reference is the float64 CPU result (else the CPU result in `dtype`).
    public let againstFloat64: Bool
    /// Tolerances of the comparison.
    public let rtol: Double, atol: Double
    /// The op on `device` in `dtype`.
    public let compute: @Sendable (Device, DType) -> Tensor
}

/// The conformance cases every device runs (the XCTest `DeviceConformanceTests` on the CPU and,
/// where there is one, the GPU; the static `torch-gpu-check` binary on the GPU machine).
public enum Conformance {
    /// Inputs, made once on the CPU in float64 from a fixed seed.
    static let g = Generator(seed: 3)
    nonisolated(unsafe) static let a = Tensor.rand([33, 17], dtype: .float64, generator: g) * 4 - 2
    nonisolated(unsafe) static let b = Tensor.rand([17], dtype: .float64, generator: g) * 2 + 0.5
    nonisolated(unsafe) static let at = Tensor.rand([17, 33], dtype: .float64, generator: g).t()

    /// `t` in `dtype` on `device`.
    static func on(_ t: Tensor, _ d: Device, _ dt: DType) -> Tensor { t.to(dt).to(device: d) }

    /// Every case, in float32 and float64 where the op is a float op.
    public static var cases: [ConformanceCase] {
        var out: [ConformanceCase] = []
        func float(
            _ name: String, r32: Double = 2e-5, a32: Double = 2e-5, _ f: @escaping @Sendable (Device, DType) -> Tensor
        ) {
            out.append(
                ConformanceCase(
                    name: "\(name) float32", dtype: .float32, againstFloat64: true, rtol: r32, atol: a32, compute: f))
            out.append(
                ConformanceCase(
                    name: "\(name) float64", dtype: .float64, againstFloat64: true, rtol: 1e-10, atol: 1e-12, compute: f
                ))
        }
        func fixed(
            _ name: String, _ dt: DType, rtol: Double = 0, atol: Double = 0,
            _ f: @escaping @Sendable (Device, DType) -> Tensor
        ) {
            out.append(
                ConformanceCase(name: name, dtype: dt, againstFloat64: false, rtol: rtol, atol: atol, compute: f))
        }
        // Every unary primitive, inputs mapped into its smooth domain, contiguous and transposed.
        for op in Tensor.unaryPrimitiveNames where op != "bitwiseNot" {
            let d = Tensor.unaryDomain(op)!
            let scale = (d.upperBound - d.lowerBound) / 4
            float(op) { dev, dt in ((on(a, dev, dt) + 2) * scale + d.lowerBound).unary(named: op)! }
            float("\(op) non-contiguous") { dev, dt in ((on(at, dev, dt) + 2) * scale + d.lowerBound).unary(named: op)!
            }
        }
        // Every float binary op, broadcast and with a scalar.
        let bitwise: Set = [
            "bitwiseAnd", "bitwiseOr", "bitwiseXor", "powScalar", "lshift", "rshift", "gcd", "lcm", "nextafterHalf",
            "nextafterBFloat16",
        ]
        for op in Tensor.binaryPrimitiveNames + Tensor.comparisonNames where !bitwise.contains(op) {
            float("\(op) broadcast") { dev, dt in Tensor.binary(named: op, on(a, dev, dt), on(b, dev, dt))! }
            float("\(op) scalar") { dev, dt in Tensor.binary(named: op, on(a, dev, dt), scalar: 1.5)! }
        }
        float("pow scalar 0.5") { dev, dt in on(a, dev, dt).abs().pow(0.5) }
        // Integral and bool element-wise ops.
        for dt in [DType.int32, .int64, .uint8, .int8, .bool] {
            let integerOnly = dt == .bool ? [] : ["lshift", "rshift", "gcd", "lcm"]
            for op in ["add", "mul", "maximum", "minimum", "fmax", "eq", "lt", "ge", "bitwiseAnd", "bitwiseXor"]
                + integerOnly
            {
                fixed("\(op) \(dt)", dt) { dev, dt in Tensor.binary(named: op, on(a * 20, dev, dt), on(b * 7, dev, dt))!
                }
            }
        }
        // Casts between every pair of dtypes.
        for from in DType.allCases {
            for to in DType.allCases {
                fixed("cast \(from)->\(to)", from, rtol: 1e-3, atol: 1e-3) { dev, dt in on(a * 50, dev, dt).to(to) }
            }
        }
        // Reductions.
        for dims in [nil, [0], [1], [0, 1]] as [[Int]?] {
            let n = "\(dims ?? [])"
            float("sum \(n)", r32: 1e-5, a32: 1e-4) { dev, dt in on(a, dev, dt).sum(dims: dims) }
            float("mean \(n)", r32: 1e-5, a32: 1e-5) { dev, dt in on(a, dev, dt).mean(dims: dims, keepdim: true) }
            float("amax \(n)") { dev, dt in on(a, dev, dt).amax(dims: dims) }
            float("amin \(n)") { dev, dt in on(a, dev, dt).amin(dims: dims) }
            float("prod \(n)", r32: 1e-4, a32: 1e-6) { dev, dt in (on(a, dev, dt) / 2).prod(dims: dims) }
            float("var \(n)", r32: 1e-4, a32: 1e-5) { dev, dt in on(a, dev, dt).variance(dims: dims) }
        }
        float("argmax") { dev, dt in on(a, dev, dt).argmax(dim: 1) }
        float("max(dim)") { dev, dt in on(a, dev, dt).max(dim: 0).values }
        float("all/any") { dev, dt in (on(a, dev, dt) .> -1).any(dims: [1]) }
        float("logsumexp") { dev, dt in on(a, dev, dt).logsumexp(dims: [1]) }
        for d in [0, 1] {
            float("softmax dim \(d)", a32: 1e-6) { dev, dt in on(a, dev, dt).softmax(dim: d) }
            float("logSoftmax dim \(d)") { dev, dt in on(a, dev, dt).logSoftmax(dim: d) }
        }
        float("cumsum", a32: 1e-4) { dev, dt in on(a, dev, dt).cumsum(dim: 1) }
        float("sort") { dev, dt in on(a, dev, dt).sort(dim: 1).values }
        // Indexing, gather/scatter, cat, where, views.
        let idx = Tensor([3, 0, 7, 7]), gi = Tensor([[0, 5, 16, 2]]).expand([33, 4]).contiguous()
        float("index") { dev, dt in on(a, dev, dt)[idx.to(device: dev)] }
        float("mask") { dev, dt in on(a, dev, dt)[(a .> 0).to(device: dev)] }
        float("gather") { dev, dt in on(a, dev, dt).gather(1, gi.to(device: dev)) }
        float("indexSelect") { dev, dt in on(a, dev, dt).indexSelect(1, idx.to(device: dev)) }
        float("cat") { dev, dt in Tensor.cat([on(a, dev, dt), on(at, dev, dt)], dim: 0) }
        float("where") { dev, dt in Tensor.where((a .> 0).to(device: dev), on(a, dev, dt), 0.0) }
        float("transpose+slice") { dev, dt in
            on(a, dev, dt).t()[2..<9, TensorIndex.slice(nil, nil, step: 3)].contiguous()
        }
        float("pad reflect") { dev, dt in on(a, dev, dt).pad([2, 2], mode: .reflect) }
        float("tril") { dev, dt in on(a, dev, dt).tril() }
        float("indexAdd", a32: 1e-5) { dev, dt in
            on(Tensor.zeros([4, 17], dtype: .float64), dev, dt).indexAdd(
                0, Tensor([0, 2, 0]).to(device: dev), on(a[0..<3], dev, dt))
        }
        // Matmul in every rank.
        let shapes: [([Int], [Int])] = [
            ([5], [5]), ([4, 5], [5]), ([5], [5, 3]), ([4, 5], [5, 3]), ([2, 1, 4, 5], [3, 5, 6]),
        ]
        for (sa, sb) in shapes {
            let x = Tensor.rand(sa, dtype: .float64, generator: g), y = Tensor.rand(sb, dtype: .float64, generator: g)
            float("matmul \(sa)x\(sb)", r32: 1e-4, a32: 1e-5) { dev, dt in on(x, dev, dt).matmul(on(y, dev, dt)) }
        }
        return out
    }

    /// Runs every case on `device`: the number that passed and a line per failure.
    ///
    /// ```swift
    /// let r = Conformance.run(on: .cpu)   // r.failures is empty when every kernel conforms
    /// ```
    public static func run(on device: Device) -> (passed: Int, failures: [String]) {
        var passed = 0, failures: [String] = []
        for c in cases {
            let got = c.compute(device, c.dtype).cpu()
            let want = c.compute(.cpu, c.againstFloat64 ? .float64 : c.dtype)
            if let problem = mismatch(got, want, c) { failures.append("\(c.name): \(problem)") } else { passed += 1 }
        }
        return (passed, failures)
    }

    /// Why `got` differs from `want` beyond the case's tolerances (NaN only at NaN, infinities exact).
    static func mismatch(_ got: Tensor, _ want: Tensor, _ c: ConformanceCase) -> String? {
        if got.shape != want.shape { return "shape \(got.shape), expected \(want.shape)" }
        let expectedDType = c.againstFloat64 && want.dtype == .float64 ? c.dtype : want.dtype
        if got.dtype != expectedDType { return "dtype \(got.dtype), expected \(expectedDType)" }
        let x = got.to(.float64).scalars, y = want.to(.float64).scalars
        for i in x.indices where !Checks.isClose(x[i], y[i], atol: c.atol, rtol: c.rtol) {
            return "element \(i) is \(x[i]), expected \(y[i])"
        }
        return nil
    }
}
