import Torch
import TorchBase

/// The cell a recurrent layer runs: Elman (tanh), LSTM or GRU, with PyTorch's gate order and
/// parameter names (`weight_ih_l0`, `weight_hh_l0_reverse`, ...).
public enum RecurrentMode: Sendable {
    case rnnTanh, lstm, gru
    var gates: Int { self == .lstm ? 4 : (self == .gru ? 3 : 1) }
}

/// RNN / LSTM / GRU: multi-layer, optionally bidirectional and batch-first, dropout between layers,
/// optional initial states. Returns the output sequence and the final hidden state(s).
///
/// ```swift
/// let lstm = Recurrent(.lstm, inputSize: 10, hiddenSize: 20, numLayers: 2)
/// let (out, h, c) = lstm(x)            // x: [seq, batch, 10]
/// ```
public class Recurrent: Module {
    /// The cell: LSTM, GRU or an Elman RNN with tanh or ReLU.
    public let mode: RecurrentMode
    /// Input features, hidden features and stacked layers.
    public let inputSize: Int, hiddenSize: Int, numLayers: Int
    /// Whether inputs are [batch, seq, features], whether each layer also runs backwards, and the dropout between
    /// layers.
    public let batchFirst: Bool, bidirectional: Bool, dropoutP: Double
    var weights: [[Tensor]] = []  // per layer·direction: w_ih, w_hh, b_ih, b_hh

    /// A stack of `numLayers` recurrent layers of `mode` (PyTorch's parameter names and initialisation).
    ///
    /// ```swift
    /// let rnn = Recurrent(.gru, inputSize: 10, hiddenSize: 20)
    /// ```
    public init(
        _ mode: RecurrentMode, inputSize: Int, hiddenSize: Int, numLayers: Int = 1, batchFirst: Bool = false,
        bidirectional: Bool = false, dropout: Double = 0, dtype: DType = .float32
    ) {
        self.mode = mode
        self.inputSize = inputSize; self.hiddenSize = hiddenSize; self.numLayers = numLayers
        self.batchFirst = batchFirst; self.bidirectional = bidirectional; self.dropoutP = dropout
        super.init()
        let bound = 1 / Double(hiddenSize).squareRoot()
        let dirs = bidirectional ? 2 : 1
        for layer in 0..<numLayers {
            for d in 0..<dirs {
                let inp = layer == 0 ? inputSize : hiddenSize * dirs
                let g = mode.gates * hiddenSize
                let ws = [
                    Tensor.empty([g, inp], dtype: dtype), Tensor.empty([g, hiddenSize], dtype: dtype),
                    Tensor.empty([g], dtype: dtype), Tensor.empty([g], dtype: dtype),
                ]
                let suffix = "_l\(layer)" + (d == 1 ? "_reverse" : "")
                for (name, w) in zip(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], ws) {
                    Init.uniform_(w, -bound, bound)
                    registerParameter(name + suffix, w)
                }
                weights.append(ws)
            }
        }
    }

    /// One RNN or GRU time step from the precomputed input projection `gi` (x·W_ihᵀ + b_ih):
    /// the new hidden state. (LSTM layers run as one fused node: `lstmLayer`.)
    func cell(_ gi: Tensor, _ h: Tensor, _ w: [Tensor]) -> Tensor {
        let gh = h.matmul(w[1].t()) + w[3]
        if mode == .rnnTanh { return (gi + gh).tanh() }
        let gis = gi.split(hiddenSize, dim: 1), ghs = gh.split(hiddenSize, dim: 1)
        let r = (gis[0] + ghs[0]).sigmoid()
        let z = (gis[1] + ghs[1]).sigmoid()
        let n = (gis[2] + r * ghs[2]).tanh()
        return (1 - z) * n + z * h
    }

    /// Runs the sequence. `h0`/`c0`: [layers·directions, batch, hidden] (zeros when nil).
    /// Returns (output [seq, batch, dirs·hidden] or batch-first, hN, cN for LSTM).
    public func callAsFunction(_ input: Tensor, h0: Tensor? = nil, c0: Tensor? = nil) -> (
        output: Tensor, h: Tensor, c: Tensor?
    ) {
        var x = batchFirst ? input.transpose(0, 1) : input
        let (seq, batch) = (x.shape[0], x.shape[1])
        let dirs = bidirectional ? 2 : 1
        let zeros = Tensor.zeros([numLayers * dirs, batch, hiddenSize], dtype: input.dtype, device: input.device)
        let hInit = h0 ?? zeros, cInit = c0 ?? zeros
        var hs: [Tensor] = [], cs: [Tensor] = []
        for layer in 0..<numLayers {
            var outs: [Tensor] = []
            for d in 0..<dirs {
                let k = layer * dirs + d
                if mode == .lstm {
                    // One fused node per layer and direction (see lstmLayer).
                    let w = weights[k]
                    let inputs = x.reshape([seq * batch, x.shape[2]])
                    let gi = Tensor.addmm(w[2] + w[3], inputs, w[0].t()).view([seq, batch, w[0].shape[0]])
                    let r = Recurrent.lstmLayer(gi, hInit[k], cInit[k], w[1], reverse: d == 1)
                    outs.append(r[0])
                    hs.append(r[1])
                    cs.append(r[2])
                    continue
                }
                var h = hInit[k]
                var steps = [Tensor?](repeating: nil, count: seq)
                // The input projections of all time steps in one matrix multiply (as cuDNN and
                // PyTorch do); only the recurrent product remains per step.
                let w = weights[k]
                let gates = (x.reshape([seq * batch, x.shape[2]]).matmul(w[0].t()) + w[2]).view([
                    seq, batch, w[0].shape[0],
                ]).unbind(0)
                for s in 0..<seq {
                    let t = d == 0 ? s : seq - 1 - s
                    h = cell(gates[t], h, w)
                    steps[t] = h
                }
                outs.append(Tensor.stack(steps.map { $0! }))
                hs.append(h)
            }
            x = dirs == 1 ? outs[0] : Tensor.cat(outs, dim: 2)
            if dropoutP > 0 && layer < numLayers - 1 { x = dropout(x, p: dropoutP, training: training) }
        }
        let out = batchFirst ? x.transpose(0, 1) : x
        return (out, Tensor.stack(hs), mode == .lstm ? Tensor.stack(cs) : nil)
    }

    /// The output sequence for `x` from zero initial states.
    public override var extraRepr: String {
        var s = "\(inputSize), \(hiddenSize)"
        if numLayers != 1 { s += ", num_layers=\(numLayers)" }
        if batchFirst { s += ", batch_first=True" }
        if dropoutP != 0 { s += ", dropout=\(dropoutP)" }
        if bidirectional { s += ", bidirectional=True" }
        return s
    }
    public override func forward(_ x: Tensor) -> Tensor { self(x).output }

    /// The recurrence of one LSTM layer and direction as a single recorded node (`Tensor.lstmLayer`).
    static func lstmLayer(
        _ gi: Tensor, _ h0: Tensor, _ c0: Tensor, _ wHH: Tensor, reverse: Bool,
        allowFusedCell: Bool = true
    ) -> [Tensor] {
        Tensor.lstmLayer(gi, h0, c0, wHH, reverse: reverse, allowFusedCell: allowFusedCell)
    }
}

/// A multi-layer LSTM (`torch.nn.LSTM`): a `Recurrent` module of LSTM cells.
///
/// ```swift
/// let lstm = LSTM(10, 20, numLayers: 2)
/// let (out, h, c) = lstm.run(x)
/// ```
public final class LSTM: Recurrent {
    /// An LSTM of `numLayers` layers. ```LSTM(10, 20, numLayers: 2)```
    public init(
        _ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, batchFirst: Bool = false,
        bidirectional: Bool = false, dropout: Double = 0, dtype: DType = .float32
    ) {
        super.init(
            .lstm, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, batchFirst: batchFirst,
            bidirectional: bidirectional, dropout: dropout, dtype: dtype)
    }
}

/// A multi-layer GRU (`torch.nn.GRU`). ```GRU(10, 20)```
public final class GRU: Recurrent {
    /// A GRU of `numLayers` layers. ```GRU(10, 20)```
    public init(
        _ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, batchFirst: Bool = false,
        bidirectional: Bool = false, dropout: Double = 0, dtype: DType = .float32
    ) {
        super.init(
            .gru, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, batchFirst: batchFirst,
            bidirectional: bidirectional, dropout: dropout, dtype: dtype)
    }
}

/// A multi-layer Elman RNN with tanh (`torch.nn.RNN`). ```RNN(10, 20)```
public final class RNN: Recurrent {
    /// An Elman RNN (tanh) of `numLayers` layers. ```RNN(10, 20)```
    public init(
        _ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, batchFirst: Bool = false,
        bidirectional: Bool = false, dropout: Double = 0, dtype: DType = .float32
    ) {
        super.init(
            .rnnTanh, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, batchFirst: batchFirst,
            bidirectional: bidirectional, dropout: dropout, dtype: dtype)
    }
}
