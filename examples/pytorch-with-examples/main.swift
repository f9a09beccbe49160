// PyTorch's tutorial "Learning PyTorch with Examples", every section in turn: fitting
// y = sin(x) on [-π, π] with a third-order polynomial, first with tensors and hand-written
// gradients, then autograd, a custom autograd function (the Legendre polynomial P3), nn, optim,
// a custom module, and a dynamic network that reuses weights a random number of times.
//
//   swift run -c release pytorch-with-examples-example [--steps 2000] [--dynamic-steps 30000]
import Foundation
import SwiftTorch

var steps = 2000, dynamicSteps = 30000
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    guard let v = args.next() else { break }
    switch a {
    case "--steps": steps = Int(v) ?? steps
    case "--dynamic-steps": dynamicSteps = Int(v) ?? dynamicSteps
    default: print("unknown option \(a)"); exit(2)
    }
}
let dtype = DType.float32
Torch.manualSeed(0)

// Create random input and output data
let x = Tensor.linspace(-Double.pi, Double.pi, steps: 2000, dtype: dtype)
let y = x.sin()
func report(_ section: String, _ loss: Double, _ coefficients: [Double]) {
    let (a, b, c, d) = (coefficients[0], coefficients[1], coefficients[2], coefficients[3])
    print(String(format: "%@: loss %.2f, y = %.4f + %.4f x + %.4f x^2 + %.4f x^3", section, loss, a, b, c, d))
}

// MARK: Tensors: forward and backward passes by hand.
do {
    var (a, b, c, d) = (Tensor.randn([]), Tensor.randn([]), Tensor.randn([]), Tensor.randn([]))
    let learningRate = 1e-6
    var loss = 0.0
    for t in 0..<steps {
        // Forward pass: compute predicted y
        let yPred = a + b * x + c * x.pow(2) + d * x.pow(3)
        // Compute and print loss
        loss = (yPred - y).pow(2).sum().item()
        if t % 100 == 99 && steps <= 2000 { print(t, loss) }
        // Backprop to compute gradients of a, b, c, d with respect to loss
        let gradYPred = 2.0 * (yPred - y)
        let gradA = gradYPred.sum()
        let gradB = (gradYPred * x).sum()
        let gradC = (gradYPred * x.pow(2)).sum()
        let gradD = (gradYPred * x.pow(3)).sum()
        // Update weights
        a = a - learningRate * gradA
        b = b - learningRate * gradB
        c = c - learningRate * gradC
        d = d - learningRate * gradD
    }
    report("tensors", loss, [a, b, c, d].map { $0.item() })
}

// MARK: Autograd.
do {
    let (a, b, c, d) = (
        Tensor.randn([]).requiresGrad_(), Tensor.randn([]).requiresGrad_(), Tensor.randn([]).requiresGrad_(),
        Tensor.randn([]).requiresGrad_()
    )
    let learningRate = 1e-6
    var lossValue = 0.0
    for _ in 0..<steps {
        let yPred = a + b * x + c * x.pow(2) + d * x.pow(3)
        let loss = (yPred - y).pow(2).sum()
        lossValue = loss.item()
        loss.backward()
        // Manually update weights using gradient descent, without recording the update.
        Torch.noGrad {
            for p in [a, b, c, d] {
                p -= learningRate * p.grad!
                p.grad = nil
            }
        }
    }
    report("autograd", lossValue, [a, b, c, d].map { $0.item() })
}

// MARK: Defining new autograd functions: P3(x) = ½(5x³ − 3x), its derivative 1.5(5x² − 1).
func legendrePolynomial3(_ input: Tensor) -> Tensor {
    Torch.customFunction(
        "LegendrePolynomial3", [input],
        forward: { ctx, xs in
            ctx.saveForBackward(xs[0])
            return 0.5 * (5 * xs[0].pow(3) - 3 * xs[0])
        },
        backward: { ctx, gradOutput in
            let input = ctx.savedTensors[0]
            return [gradOutput * 1.5 * (5 * input.pow(2) - 1)]
        })
}
do {
    let a = Tensor.full([], 0.0).requiresGrad_()
    let b = Tensor.full([], -1.0).requiresGrad_()
    let c = Tensor.full([], 0.0).requiresGrad_()
    let d = Tensor.full([], 0.3).requiresGrad_()
    let learningRate = 5e-6
    var lossValue = 0.0
    for _ in 0..<steps {
        let yPred = a + b * legendrePolynomial3(c + d * x)
        let loss = (yPred - y).pow(2).sum()
        lossValue = loss.item()
        loss.backward()
        Torch.noGrad {
            for p in [a, b, c, d] {
                p -= learningRate * p.grad!
                p.grad = nil
            }
        }
    }
    print(
        String(
            format: "custom function: loss %.2f, y = %.4f + %.4f * P3(%.4f + %.4f x)", lossValue, a.item(), b.item(),
            c.item(), d.item()))
}

// MARK: nn: the polynomial as a linear layer over (x, x², x³).
let p = Tensor([1, 2, 3])
let xx = x.unsqueeze(-1).pow(p)
do {
    let model = Sequential(Linear(3, 1), Flatten(0, 1))
    let lossFn = MSELoss(reduction: .sum)
    let learningRate = 1e-6
    var lossValue = 0.0
    for _ in 0..<steps {
        let yPred = model(xx)
        let loss = lossFn(yPred, y)
        lossValue = loss.item()
        model.zeroGrad()
        loss.backward()
        Torch.noGrad {
            for param in model.parameters() { param -= learningRate * param.grad! }
        }
    }
    let linear = model[0] as! Linear
    report("nn", lossValue, [linear.bias!.item()] + linear.weight.flatten().scalars)
}

// MARK: optim: RMSprop.
do {
    let model = Sequential(Linear(3, 1), Flatten(0, 1))
    let lossFn = MSELoss(reduction: .sum)
    let optimizer = RMSprop(model.parameters(), lr: 1e-3)
    var lossValue = 0.0
    for _ in 0..<steps {
        let loss = lossFn(model(xx), y)
        lossValue = loss.item()
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
    }
    let linear = model[0] as! Linear
    report("optim", lossValue, [linear.bias!.item()] + linear.weight.flatten().scalars)
}

// MARK: Custom nn modules: the four coefficients as parameters of a module.
final class Polynomial3: Module {
    let a = parameter(Tensor.randn([]))
    let b = parameter(Tensor.randn([]))
    let c = parameter(Tensor.randn([]))
    let d = parameter(Tensor.randn([]))
    override func forward(_ x: Tensor) -> Tensor { a + b * x + c * x.pow(2) + d * x.pow(3) }
    func string() -> String {
        String(format: "y = %.4f + %.4f x + %.4f x^2 + %.4f x^3", a.item(), b.item(), c.item(), d.item())
    }
}
do {
    let model = Polynomial3()
    let criterion = MSELoss(reduction: .sum)
    let optimizer = SGD(model.parameters(), lr: 1e-6)
    var lossValue = 0.0
    for _ in 0..<steps {
        let loss = criterion(model(x), y)
        lossValue = loss.item()
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
    }
    print(String(format: "custom module: loss %.2f, ", lossValue) + model.string())
}

// MARK: Control flow + weight sharing: a fourth and fifth order term reusing the same weight a
// random number of times per forward pass.
final class DynamicNet: Module {
    let a = parameter(Tensor.randn([]))
    let b = parameter(Tensor.randn([]))
    let c = parameter(Tensor.randn([]))
    let d = parameter(Tensor.randn([]))
    let e = parameter(Tensor.randn([]))
    var generator = SystemRandomNumberGenerator()
    override func forward(_ x: Tensor) -> Tensor {
        var y = a + b * x + c * x.pow(2) + d * x.pow(3)
        for exp in 4..<Int.random(in: 4...5, using: &generator) + 1 { y = y + e * x.pow(Double(exp)) }
        return y
    }
    func string() -> String {
        String(
            format: "y = %.4f + %.4f x + %.4f x^2 + %.4f x^3 + %.4f x^4 ? + %.4f x^5 ?", a.item(), b.item(), c.item(),
            d.item(), e.item(), e.item())
    }
}
do {
    let model = DynamicNet()
    let criterion = MSELoss(reduction: .sum)
    let optimizer = SGD(model.parameters(), lr: 1e-8, momentum: 0.9)
    var lossValue = 0.0
    for _ in 0..<dynamicSteps {
        let loss = criterion(model(x), y)
        lossValue = loss.item()
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
    }
    print(String(format: "dynamic net: loss %.2f, ", lossValue) + model.string())
}
