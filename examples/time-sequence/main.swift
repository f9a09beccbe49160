// PyTorch's examples/time_sequence_prediction (generate_sine_wave.py + train.py), line by line:
// two stacked LSTMCells and a linear layer learn sine waves, trained in float64 with LBFGS and a
// closure, then predict 1000 steps into the future.
//
//   swift run -c release time-sequence-example [--steps 15] [--length 1000] [--future 1000] [--max-iter 20]
import Foundation
import SwiftTorch

var steps = 15, length = 1000, future = 1000, maxIter = 20
var seed: UInt64 = 0
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    guard let v = args.next() else { break }
    switch a {
    case "--steps": steps = Int(v) ?? steps
    case "--length": length = Int(v) ?? length
    case "--future": future = Int(v) ?? future
    case "--seed": seed = UInt64(v) ?? seed
    case "--max-iter": maxIter = Int(v) ?? maxIter
    default: print("unknown option \(a)"); exit(2)
    }
}

// generate_sine_wave.py: 100 sine waves of period 2π·20, each shifted by a random integer.
let T = 20.0, N = 100
Torch.manualSeed(2)
let shifts = Tensor.randint(-4 * Int(T), 4 * Int(T), [N, 1], dtype: .float64)
let x = Tensor.arange(length, dtype: .float64).reshape([1, length]) + shifts
let data = (x / T).sin()

final class Sequence: Module, Forward2 {
    let lstm1 = LSTMCell(1, 51, dtype: .float64)
    let lstm2 = LSTMCell(51, 51, dtype: .float64)
    let linear = Linear(51, 1, dtype: .float64)

    func forward(_ input: Tensor, _ future: Int) -> Tensor {
        var outputs: [Tensor] = []
        var (hT, cT) = (
            Tensor.zeros([input.shape[0], 51], dtype: .float64), Tensor.zeros([input.shape[0], 51], dtype: .float64)
        )
        var (hT2, cT2) = (hT, cT)
        var output = Tensor.zeros([input.shape[0], 1], dtype: .float64)
        for inputT in input.split(1, dim: 1) {
            (hT, cT) = lstm1(inputT, (hT, cT))
            (hT2, cT2) = lstm2(hT, (hT2, cT2))
            output = linear(hT2)
            outputs.append(output)
        }
        for _ in 0..<future {  // if we should predict the future
            (hT, cT) = lstm1(output, (hT, cT))
            (hT2, cT2) = lstm2(hT, (hT2, cT2))
            output = linear(hT2)
            outputs.append(output)
        }
        return Tensor.cat(outputs, dim: 1)
    }
}

// train.py
Torch.manualSeed(seed)
let input = data[3..., ..<(length - 1)]
let target = data[3..., 1...]
let testInput = data[..<3, ..<(length - 1)]
let testTarget = data[..<3, 1...]
let seq = Sequence()
let criterion = MSELoss()
// use LBFGS as optimizer since we can load the whole data to train
let optimizer = LBFGS(seq.parameters(), lr: 0.8, maxIter: maxIter)
var finalTestLoss = Double.nan
for i in 0..<steps {
    print("STEP: ", i)
    _ = optimizer.step {
        optimizer.zeroGrad()
        let out = seq(input, 0)
        let loss = criterion(out, target)
        print("loss:", loss.item())
        loss.backward()
        return loss
    }
    // begin to predict, no need to track gradient here
    Torch.noGrad {
        let pred = seq(testInput, future)
        let loss = criterion(pred.narrow(1, start: 0, length: length - 1), testTarget)
        finalTestLoss = loss.item()
        print("test loss:", finalTestLoss)
    }
}
print(String(format: "final test loss: %.6g", finalTestLoss))
