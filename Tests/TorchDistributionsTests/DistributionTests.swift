import Foundation
import XCTest
import Torch
import TorchBase
import TorchDistributions
import TorchTestSupport

/// Checks the distributions against `Fixtures/distributions.json` (written by
/// `Fixtures/generate.py` from PyTorch, SciPy and mpmath): values, KL divergences, refusals, the
/// standard gamma's implicit gradient, and samples by chi-squared tests.
final class DistributionTests: XCTestCase {
    static let root: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/distributions.json")
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    static func tensor(_ v: Any?) -> Tensor { Fixtures.tensor(v as! [String: Any]) }

    /// The distribution a fixture entry names, parameters as the generator gave them.
    static func make(_ name: String, _ params: [String: Any], validate: Bool? = nil) -> Distribution {
        func t(_ k: String) -> Tensor {
            if let d = params[k] as? [String: Any] { return Fixtures.tensor(d) }
            if let a = params[k] as? [Double] { return Tensor(a, dtype: .float64) }
            return Tensor(Fixtures.number(params[k]!), dtype: .float64)
        }
        let has = { (k: String) in params[k] != nil }
        switch name {
        case "Normal": return Normal(loc: t("loc"), scale: t("scale"), validateArgs: validate)
        case "Uniform": return Uniform(low: t("low"), high: t("high"), validateArgs: validate)
        case "Exponential": return Exponential(rate: t("rate"), validateArgs: validate)
        case "Laplace": return Laplace(loc: t("loc"), scale: t("scale"), validateArgs: validate)
        case "Cauchy": return Cauchy(loc: t("loc"), scale: t("scale"), validateArgs: validate)
        case "LogNormal": return LogNormal(loc: t("loc"), scale: t("scale"), validateArgs: validate)
        case "Gamma": return Gamma(concentration: t("concentration"), rate: t("rate"), validateArgs: validate)
        case "Chi2": return Chi2(df: t("df"), validateArgs: validate)
        case "Beta":
            return Beta(
                concentration1: t("concentration1"), concentration0: t("concentration0"), validateArgs: validate)
        case "Dirichlet": return Dirichlet(concentration: t("concentration"), validateArgs: validate)
        case "StudentT": return StudentT(df: t("df"), loc: t("loc"), scale: t("scale"), validateArgs: validate)
        case "Bernoulli":
            return Bernoulli(has("probs") ? .probs(t("probs")) : .logits(t("logits")), validateArgs: validate)
        case "Categorical":
            return Categorical(has("probs") ? .probs(t("probs")) : .logits(t("logits")), validateArgs: validate)
        case "OneHotCategorical":
            return OneHotCategorical(has("probs") ? .probs(t("probs")) : .logits(t("logits")), validateArgs: validate)
        case "Poisson": return Poisson(rate: t("rate"), validateArgs: validate)
        case "Geometric":
            return Geometric(has("probs") ? .probs(t("probs")) : .logits(t("logits")), validateArgs: validate)
        case "Binomial": return Binomial(totalCount: t("total_count"), .probs(t("probs")), validateArgs: validate)
        case "Multinomial":
            return Multinomial(
                totalCount: Int(Fixtures.number(params["total_count"]!)), .probs(t("probs")), validateArgs: validate)
        case "MultivariateNormal":
            let m = t("matrix")
            let scale: MultivariateNormalScale
            switch params["kind"] as! String {
            case "covariance_matrix": scale = .covariance(m)
            case "precision_matrix": scale = .precision(m)
            default: scale = .scaleTril(m)
            }
            return MultivariateNormal(loc: t("loc"), scale, validateArgs: validate)
        case "Independent": return Independent(Normal(loc: t("loc"), scale: t("scale")), 1, validateArgs: validate)
        case "TransformedAffineExp":
            return TransformedDistribution(
                Normal(loc: t("loc"), scale: t("scale")), [AffineTransform(loc: t("a"), scale: t("b")), ExpTransform()])
        case "TransformedSigmoid":
            return TransformedDistribution(Normal(loc: t("loc"), scale: t("scale")), [SigmoidTransform()])
        case "TransformedTanh":
            return TransformedDistribution(Normal(loc: t("loc"), scale: t("scale")), [TanhTransform()])
        case "TransformedStickBreaking":
            return TransformedDistribution(
                Independent(Normal(loc: t("loc"), scale: t("scale")), 1), [StickBreakingTransform()])
        case "TransformedPower":
            return TransformedDistribution(Exponential(rate: t("rate")), [PowerTransform(exponent: t("exponent"))])
        case "RelaxedBernoulli": return RelaxedBernoulli(temperature: t("temperature"), probs: t("probs"))
        case "RelaxedOneHotCategorical":
            return RelaxedOneHotCategorical(temperature: t("temperature"), logits: t("logits"))
        case "MixtureSameFamilyNormal":
            return MixtureSameFamily(Categorical(probs: t("mix")), Normal(loc: t("loc"), scale: t("scale")))
        case "MixtureSameFamilyMVN":
            return MixtureSameFamily(
                Categorical(probs: t("mix")), MultivariateNormal(loc: t("loc"), .scaleTril(t("scale_tril"))))
        case "LowRankMultivariateNormal":
            return LowRankMultivariateNormal(loc: t("loc"), covFactor: t("cov_factor"), covDiag: t("cov_diag"))
        default: fatalError("no distribution \(name)")
        }
    }

    func testValuesMatchPyTorch() {
        let cases = DistributionTests.root["cases"] as! [[String: Any]]
        var checked = 0
        for c in cases {
            let name = c["dist"] as! String
            let d = DistributionTests.make(name, c["params"] as! [String: Any])
            XCTAssertEqual(d.batchShape, c["batch_shape"] as! [Int], "\(name) batch shape")
            XCTAssertEqual(d.eventShape, c["event_shape"] as! [Int], "\(name) event shape")
            let value = DistributionTests.tensor(c["value"]), probs = DistributionTests.tensor(c["probs"])
            let results = c["results"] as! [String: Any]
            let computed: [String: () -> Tensor] = [
                "mean": { d.mean }, "mode": { d.mode }, "variance": { d.variance }, "entropy": { d.entropy() },
                "log_prob": { d.logProb(value) }, "cdf": { d.cdf(value) }, "icdf": { d.icdf(probs) },
            ]
            for (key, expected) in results {
                var actual = computed[key]!()
                let e = DistributionTests.tensor(expected)
                if actual.dtype != e.dtype { actual = actual.to(e.dtype) }
                assertMatches(
                    actual, e, "\(name)(\((c["params"] as! [String: Any]).keys.sorted())).\(key)",
                    rtol: 1e-7, atol: 1e-9)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 160)
        print("distributions: \(checked) values over \(cases.count) distributions match PyTorch")
    }

    func testShapesOfSamplesExpansionsAndSupports() {
        let cases = DistributionTests.root["cases"] as! [[String: Any]]
        for c in cases {
            let name = c["dist"] as! String
            let d = DistributionTests.make(name, c["params"] as! [String: Any])
            let full = d.batchShape + d.eventShape
            XCTAssertEqual(d.sample([4, 2]).shape, [4, 2] + full, "\(name).sample")
            if d.hasRsample { XCTAssertEqual(d.rsample([3]).shape, [3] + full, "\(name).rsample") }
            // expand adds a leading batch dim; log-probabilities of a sample broadcast over it.
            let e = d.expand([5] + d.batchShape)
            XCTAssertEqual(e.batchShape, [5] + d.batchShape, "\(name).expand")
            XCTAssertEqual(e.eventShape, d.eventShape, "\(name).expand event")
            let x = d.sample()
            assertMatches(e.logProb(x), d.logProb(x).expand([5] + d.batchShape), "\(name).expand logProb")
        }
        let b = Binomial(totalCount: Tensor([3.0, 3.0]), probs: Tensor([0.2, 0.7]))
        XCTAssertEqual(b.enumerateSupport().shape, [4, 1])
        assertMatches(
            b.logProb(b.enumerateSupport()).exp().sum(dims: [0]), Tensor([1.0, 1.0]), "Binomial mass", rtol: 1e-6)
        XCTAssertEqual(Bernoulli(probs: Tensor([0.3, 0.4])).enumerateSupport().toArray(Float.self), [0, 1])
        let oneHot = OneHotCategorical(probs: Tensor([[0.2, 0.8], [0.5, 0.5]]))
        XCTAssertEqual(oneHot.enumerateSupport().shape, [2, 1, 2])
        XCTAssertEqual(Categorical(logits: Tensor([0.0, 1.0, 2.0])).enumerateSupport().toArray(Int.self), [0, 1, 2])
    }

    func testKLMatchesPyTorch() {
        let pairs = DistributionTests.root["kl"] as! [[String: Any]]
        for c in pairs {
            let p = DistributionTests.make(c["p"] as! String, c["p_params"] as! [String: Any])
            let q = DistributionTests.make(c["q"] as! String, c["q_params"] as! [String: Any])
            assertMatches(
                klDivergence(p, q), DistributionTests.tensor(c["kl"]), "KL(\(c["p"]!) || \(c["q"]!))", rtol: 1e-7,
                atol: 1e-9)
        }
        XCTAssertEqual(pairs.count, 21)
    }

    func testRefusalsCarryPyTorchsMessage() {
        let refusals = DistributionTests.root["refusals"] as! [[String: Any]]
        for r in refusals {
            let name = r["dist"] as! String
            let d = DistributionTests.make(name, r["params"] as! [String: Any], validate: false)
            let expected = r["error"] as! String
            let problem =
                d.argumentProblem()
                ?? (r["value"] is NSNull
                    ? nil
                    : d.sampleProblem(
                        DistributionTests.tensor(r["value"])))
            // The text up to the printed values is PyTorch's exactly (its tensor repr may differ in dtype).
            let head = { (s: String) in String(s.prefix { $0 != "\n" }) }
            XCTAssertEqual(problem.map(head), head(expected), name)
        }
        // A valid distribution and sample have no problem.
        let ok = Normal(loc: Tensor([0.0]), scale: Tensor([1.0]))
        XCTAssertNil(ok.argumentProblem())
        XCTAssertNil(ok.sampleProblem(Tensor([3.0])))
    }

    func testStandardGammaGradIsTheExactImplicitDerivative() {
        let points = DistributionTests.root["gamma_grad"] as! [[String: Any]]
        for p in points {
            let a = Fixtures.number(p["alpha"]!), x = Fixtures.number(p["x"]!), g = Fixtures.number(p["grad"]!)
            let ours = Tensor.standardGammaGrad(Tensor([x], dtype: .float64), Tensor([a], dtype: .float64)).item()
            XCTAssertEqual(ours, g, accuracy: 1e-7 * Swift.abs(g) + 1e-12, "dx/dα at α=\(a), x=\(x)")
        }
    }
}

/// Samples against SciPy's distributions by chi-squared tests at fixed seeds (false-failure rate
/// 1e-6 each, critical values from the generator), and reparameterised gradients against finite
/// differences of closed-form expectations.
final class SamplingTests: XCTestCase {
    /// The chi-squared statistic of `samples` against a fixture spec's bins.
    static func chiSquared(_ samples: [Double], _ spec: [String: Any]) -> Double {
        let n = Double(samples.count)
        if let edges = (spec["edges"] as? [Any])?.map(Fixtures.number) {
            var counts = [Double](repeating: 0, count: edges.count + 1)
            for x in samples {
                var lo = 0, hi = edges.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if x < edges[mid] { hi = mid } else { lo = mid + 1 }
                }
                counts[lo] += 1
            }
            let expected = n / Double(counts.count)
            return counts.reduce(0) { $0 + ($1 - expected) * ($1 - expected) / expected }
        }
        let bins = (spec["bins"] as! [[Any]]).map { b in
            (Int(Fixtures.number(b[0])), Int(Fixtures.number(b[1])), Fixtures.number(b[2]))
        }
        var counts = [Double](repeating: 0, count: bins.count)
        for x in samples {
            let k = Int(x)
            if let i = bins.firstIndex(where: { k >= $0.0 && ($0.1 < 0 || k <= $0.1) }) { counts[i] += 1 }
        }
        return zip(counts, bins).reduce(0) { acc, cb in
            let e = n * cb.1.2
            return acc + (cb.0 - e) * (cb.0 - e) / e
        }
    }

    func testSamplesFollowTheirDistributions() {
        let specs = DistributionTests.root["chi2"] as! [[String: Any]]
        let g = Generator(seed: 2024)
        for spec in specs {
            let name = spec["dist"] as! String
            let d = DistributionTests.make(name, spec["params"] as! [String: Any])
            let draws = Int(Fixtures.number(spec["draws"]!))
            let samples = d.sample([draws], generator: g).to(.float64).toArray(Double.self)
            let stat = SamplingTests.chiSquared(samples, spec)
            XCTAssertLessThan(stat, Fixtures.number(spec["critical"]!), "\(name) \(spec["params"]!)")
        }
        XCTAssertEqual(specs.count, 27)
    }

    func testChiSquaredCatchesAWrongDistribution() {
        // N(1.5, 2.3²) against N(1.5, 2²)'s bins, and a Poisson(4.2) against Poisson(4)'s: both must fail.
        let specs = DistributionTests.root["chi2"] as! [[String: Any]]
        let g = Generator(seed: 7)
        let normal = specs.first { ($0["dist"] as! String) == "Normal" }!
        let wide = Normal(1.5, 2.3).sample([20000], generator: g).toArray(Double.self)
        XCTAssertGreaterThan(SamplingTests.chiSquared(wide, normal), Fixtures.number(normal["critical"]!))
        let poisson = specs.first { ($0["dist"] as! String) == "Poisson" && "\($0["params"]!)".contains("4.0") }!
        let shifted = Poisson(rate: Tensor(4.2, dtype: .float64)).sample([20000], generator: g).toArray(Double.self)
        XCTAssertGreaterThan(SamplingTests.chiSquared(shifted, poisson), Fixtures.number(poisson["critical"]!))
    }

    /// The per-sample gradients of f(rsample) with respect to each scalar parameter, averaged over
    /// `n` independent copies, against the central difference of the closed-form E[f]: within five
    /// standard errors.
    func checkGradient(
        _ label: String, _ params: [Double], n: Int = 40000,
        build: ([Tensor]) -> Distribution, f: (Tensor) -> Tensor, expectation: ([Double]) -> Double
    ) {
        let leaves = params.map { Tensor.full([n], $0, dtype: .float64).requiresGrad_() }
        let d = build(leaves)
        XCTAssertTrue(d.hasRsample, label)
        f(d.rsample(generator: Generator(seed: 11))).sum().backward()
        for (i, leaf) in leaves.enumerated() {
            let g = leaf.grad!.toArray(Double.self)
            let mean = g.reduce(0, +) / Double(n)
            let sd = (g.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
            let h = 1e-5 * Swift.max(1, Swift.abs(params[i]))
            var up = params, down = params
            up[i] += h
            down[i] -= h
            let exact = (expectation(up) - expectation(down)) / (2 * h)
            XCTAssertEqual(mean, exact, accuracy: 5 * sd / Double(n).squareRoot() + 1e-9, "\(label) ∂/∂param\(i)")
        }
    }

    func testReparameterisedGradientsMatchTheExpectation() {
        let square = { (x: Tensor) in x * x }
        for a in [0.3, 2.5] {
            checkGradient("Gamma(\(a), 2)", [a, 2.0], build: { Gamma(concentration: $0[0], rate: $0[1]) }, f: square) {
                $0[0] * ($0[0] + 1) / ($0[1] * $0[1])
            }
        }
        checkGradient("Chi2(3)", [3.0], build: { Chi2(df: $0[0]) }, f: square) { 2 * $0[0] + $0[0] * $0[0] }
        checkGradient(
            "Beta(0.7, 2)", [0.7, 2.0], build: { Beta(concentration1: $0[0], concentration0: $0[1]) },
            f: square
        ) { p in
            let (a, b) = (p[0], p[1])
            return a * (a + 1) / ((a + b) * (a + b + 1))
        }
        checkGradient(
            "StudentT(5, 0.5, 1.5)", [5.0, 0.5, 1.5], build: { StudentT(df: $0[0], loc: $0[1], scale: $0[2]) },
            f: square
        ) { p in p[1] * p[1] + p[2] * p[2] * p[0] / (p[0] - 2) }
        checkGradient("Normal(0.5, 1.5)", [0.5, 1.5], build: { Normal(loc: $0[0], scale: $0[1]) }, f: square) {
            $0[0] * $0[0] + $0[1] * $0[1]
        }
        checkGradient("Exponential(1.5)", [1.5], build: { Exponential(rate: $0[0]) }, f: square) { 2 / ($0[0] * $0[0]) }
        checkGradient("LogNormal(0.1, 0.4)", [0.1, 0.4], build: { LogNormal(loc: $0[0], scale: $0[1]) }, f: { $0 }) {
            Foundation.exp($0[0] + $0[1] * $0[1] / 2)
        }
        checkGradient("Laplace(0.2, 0.8)", [0.2, 0.8], build: { Laplace(loc: $0[0], scale: $0[1]) }, f: square) {
            $0[0] * $0[0] + 2 * $0[1] * $0[1]
        }
        checkGradient("Uniform(-1, 2)", [-1.0, 2.0], build: { Uniform(low: $0[0], high: $0[1]) }, f: square) { p in
            (p[1] * p[1] * p[1] - p[0] * p[0] * p[0]) / (3 * (p[1] - p[0]))
        }
        // Dirichlet: E[x₀²] = a₀(a₀ + 1) / (A(A + 1)).
        checkGradient(
            "Dirichlet(0.5, 1.5, 2)", [0.5, 1.5, 2.0], n: 30000,
            build: { Dirichlet(concentration: Tensor.stack($0, dim: -1)) }, f: { square($0.select(-1, 0)) }
        ) { p in
            let total = p.reduce(0, +)
            return p[0] * (p[0] + 1) / (total * (total + 1))
        }
    }

    func testMultivariateNormalRsampleGradient() {
        // E‖x‖² = ‖μ‖² + tr Σ: the gradient in μ is 2μ, in L it is 2L.
        let loc = Tensor([0.5, -1.0], dtype: .float64).requiresGrad_()
        let tril = Tensor([[1.0, 0.0], [0.3, 0.8]], dtype: .float64).requiresGrad_()
        let d = MultivariateNormal(loc: loc, .scaleTril(tril))
        let n = 40000
        let x = d.rsample([n], generator: Generator(seed: 3))
        ((x * x).sum() / Double(n)).backward()
        assertMatches(loc.grad!, 2.0 * loc.detach(), "∂E/∂μ", rtol: 0, atol: 0.05)
        assertMatches(tril.grad!.tril(), 2.0 * tril.detach(), "∂E/∂L", rtol: 0, atol: 0.05)
        // Low rank: E‖x‖² = ‖μ‖² + ‖W‖² + Σd, so ∂/∂W = 2W and ∂/∂d = 1.
        let w = Tensor([[0.5], [-1.0]], dtype: .float64).requiresGrad_()
        let diag = Tensor([0.3, 0.7], dtype: .float64).requiresGrad_()
        let low = LowRankMultivariateNormal(loc: loc.detach(), covFactor: w, covDiag: diag)
        let y = low.rsample([n], generator: Generator(seed: 4))
        ((y * y).sum() / Double(n)).backward()
        assertMatches(w.grad!, 2.0 * w.detach(), "∂E/∂W", rtol: 0, atol: 0.05)
        assertMatches(diag.grad!, Tensor([1.0, 1.0], dtype: .float64), "∂E/∂d", rtol: 0, atol: 0.05)
    }
}
