import Foundation
import XCTest
import Torch
import TorchBase
import TorchNN
import TorchOptim
import TorchTestSupport

/// "Learning PyTorch with Examples", ported line by line, trains exactly as PyTorch does from the
/// same start: the losses every 100 steps and the final coefficients match PyTorch's
/// (Fixtures/generate_tutorials.py). The residuals are negative and x is negative half the time,
/// so `pow(2)` and `pow(3)` of negative bases are exercised on every step.
final class TutorialTests: XCTestCase {
    static let fixture: [String: Any] = {
        let data = try! Data(contentsOf: Fixtures.directory.appendingPathComponent("tutorials.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    func expected(_ name: String) -> (losses: [Double], coefficients: [Double]) {
        let d = TutorialTests.fixture[name] as! [String: Any]
        return (
            (d["losses"] as! [NSNumber]).map { $0.doubleValue },
            (d["coefficients"] as! [NSNumber]).map { $0.doubleValue }
        )
    }

    var initial: [Double] { (TutorialTests.fixture["init"] as! [NSNumber]).map { $0.doubleValue } }

    func testAutogradPolynomialFit() {
        let x = Tensor.linspace(-Double.pi, Double.pi, steps: 2000, dtype: .float64)
        let y = x.sin()
        let params = initial.map { Tensor($0, dtype: .float64).requiresGrad_() }
        let (a, b, c, d) = (params[0], params[1], params[2], params[3])
        let lr = 1e-6
        var losses: [Double] = []
        for t in 0..<2000 {
            let yPred = a + b * x + c * x.pow(2) + d * x.pow(3)
            let loss = (yPred - y).pow(2).sum()
            if t % 100 == 99 { losses.append(loss.item()) }
            loss.backward()
            Torch.noGrad {
                for p in params {
                    p -= p.grad! * lr
                    p.grad = nil
                }
            }
        }
        let e = expected("autograd")
        XCTAssertEqual(mismatches(losses, e.losses, atol: 1e-9, rtol: 1e-9), [], "losses \(losses) vs \(e.losses)")
        XCTAssertEqual(mismatches(params.map { $0.item() }, e.coefficients, atol: 1e-12, rtol: 1e-9), [])
    }

    func testNNAndRMSpropPolynomialFit() {
        let x = Tensor.linspace(-Double.pi, Double.pi, steps: 2000, dtype: .float64)
        let y = x.sin()
        let xx = x.unsqueeze(-1).pow(Tensor([1, 2, 3]))
        let model = Linear(3, 1, dtype: .float64)
        Torch.noGrad {
            model.weight.copy_(Tensor(shape: [1, 3], scalars: Array(initial[1...]), dtype: .float64))
            model.bias!.copy_(Tensor([initial[0]], dtype: .float64))
        }
        let opt = RMSprop(model.parameters(), lr: 1e-3)
        var losses: [Double] = []
        for t in 0..<2000 {
            let loss = mseLoss(model(xx).flatten(), y, reduction: .sum)
            if t % 100 == 99 { losses.append(loss.item()) }
            opt.zeroGrad(setToNil: true)
            loss.backward()
            opt.step()
        }
        let e = expected("rmsprop")
        // The first 900 steps agree to 1e-9; after that RMSprop's division by sqrt(v) near the
        // optimum amplifies the last-bit differences of the 2000-term gradient sums (the two
        // libraries add in different orders), so the end is compared at the level of the fit.
        XCTAssertEqual(
            mismatches(Array(losses.prefix(9)), Array(e.losses.prefix(9)), atol: 1e-9, rtol: 1e-9), [],
            "losses \(losses) vs \(e.losses)")
        XCTAssertEqual(
            mismatches(Array(losses.suffix(10)), Array(e.losses.suffix(10)), atol: 0, rtol: 0.05), [],
            "losses \(losses) vs \(e.losses)")
        let coefficients = [model.bias!.item()] + model.weight.flatten().scalars
        XCTAssertEqual(
            mismatches(coefficients, e.coefficients, atol: 0.01, rtol: 0.05), [], "\(coefficients) vs \(e.coefficients)"
        )
    }

    /// PyTorch's VAE example, shrunk (16-12-3) and ported line by line, from PyTorch's weights,
    /// data and reparameterisation noise (Fixtures/generate_vae.py): 30 Adam steps of
    /// BCE(sum) + KL give PyTorch's losses.
    func testVAE() throws {
        let data = try Data(contentsOf: Fixtures.directory.appendingPathComponent("vae.json"))
        let f = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let sizes = (f["sizes"] as! [NSNumber]).map { $0.intValue }
        let (d, h, z, n, steps) = (sizes[0], sizes[1], sizes[2], sizes[3], sizes[4])
        func tensor(_ v: Any, _ shape: [Int]) -> Tensor {
            Tensor(shape: shape, scalars: (v as! [NSNumber]).map { $0.doubleValue }, dtype: .float64)
        }
        final class VAE: Module {
            let fc1: Linear, fc21: Linear, fc22: Linear, fc3: Linear, fc4: Linear
            init(_ d: Int, _ h: Int, _ z: Int) {
                fc1 = Linear(d, h, dtype: .float64); fc21 = Linear(h, z, dtype: .float64);
                fc22 = Linear(h, z, dtype: .float64)
                fc3 = Linear(z, h, dtype: .float64); fc4 = Linear(h, d, dtype: .float64)
                super.init()
                register("fc1", fc1); register("fc21", fc21); register("fc22", fc22); register("fc3", fc3);
                register("fc4", fc4)
            }
            func encode(_ x: Tensor) -> (Tensor, Tensor) {
                let h1 = relu(fc1(x))
                return (fc21(h1), fc22(h1))
            }
            func reparameterize(_ mu: Tensor, _ logvar: Tensor, _ eps: Tensor) -> Tensor {
                let std = (logvar * 0.5).exp()
                return mu + eps * std
            }
            func decode(_ z: Tensor) -> Tensor { fc4(relu(fc3(z))).sigmoid() }
        }
        let model = VAE(d, h, z)
        let weights = f["weights"] as! [String: [String: Any]]
        let state = weights.mapValues { w in tensor(w["data"]!, (w["shape"] as! [NSNumber]).map { $0.intValue }) }
        _ = try model.loadStateDict(state)
        let x = tensor(f["x"]!, [n, d])
        let noise = (f["noise"] as! [Any]).map { tensor($0, [n, z]) }
        let opt = Adam(model.parameters(), lr: 1e-2)
        var losses: [Double] = []
        for step in 0..<steps {
            opt.zeroGrad()
            let (mu, logvar) = model.encode(x)
            let recon = model.decode(model.reparameterize(mu, logvar, noise[step]))
            let bce = binaryCrossEntropy(recon, x, reduction: .sum)
            let kld = (1 + logvar - mu.pow(2) - logvar.exp()).sum() * -0.5
            let loss = bce + kld
            loss.backward()
            losses.append(loss.item())
            opt.step()
        }
        let expected = (f["losses"] as! [NSNumber]).map { $0.doubleValue }
        XCTAssertEqual(mismatches(losses, expected, atol: 1e-9, rtol: 1e-9), [], "\(losses) vs \(expected)")
    }
}
