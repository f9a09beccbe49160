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
    /// An LSTM's projection size (PyTorch's `proj_size`; 0: none): h = W_hr·(o ⊙ tanh c).
    public let projSize: Int
    /// Per layer·direction: w_ih, w_hh, b_ih, b_hh (and w_hr), through their parametrizations
    /// when some have one.
    package var weights: [[Tensor]] {
        if parametrizationLists == nil { return storedWeights }
        return weightNames.map { $0.map { tensor($0) } }
    }
    private var storedWeights: [[Tensor]] = []
    private var weightNames: [[String]] = []

    /// The size of the hidden state h (the projection's, with `projSize`).
    var stateSize: Int { projSize > 0 ? projSize : hiddenSize }

    /// A stack of `numLayers` recurrent layers of `mode` (PyTorch's parameter names and initialisation).
    ///
    /// ```swift
    /// let rnn = Recurrent(.gru, inputSize: 10, hiddenSize: 20)
    /// ```
    public init(
        _ mode: RecurrentMode, inputSize: Int, hiddenSize: Int, numLayers: Int = 1, batchFirst: Bool = false,
        bidirectional: Bool = false, dropout: Double = 0, projSize: Int = 0, dtype: DType = .float32
    ) {
        precondition(projSize == 0 || mode == .lstm, "proj_size argument is only supported for LSTM, not RNN or GRU")
        precondition(projSize >= 0, "proj_size should be a positive integer or zero to disable projections")
        precondition(projSize < hiddenSize || projSize == 0, "proj_size has to be smaller than hidden_size")
        self.mode = mode
        self.inputSize = inputSize; self.hiddenSize = hiddenSize; self.numLayers = numLayers
        self.batchFirst = batchFirst; self.bidirectional = bidirectional; self.dropoutP = dropout
        self.projSize = projSize
        super.init()
        let bound = 1 / Double(hiddenSize).squareRoot()
        let dirs = bidirectional ? 2 : 1
        for layer in 0..<numLayers {
            for d in 0..<dirs {
                let inp = layer == 0 ? inputSize : stateSize * dirs
                let g = mode.gates * hiddenSize
                var ws = [
                    Tensor.empty([g, inp], dtype: dtype), Tensor.empty([g, stateSize], dtype: dtype),
                    Tensor.empty([g], dtype: dtype), Tensor.empty([g], dtype: dtype),
                ]
                if projSize > 0 { ws.append(Tensor.empty([projSize, hiddenSize], dtype: dtype)) }
                let suffix = "_l\(layer)" + (d == 1 ? "_reverse" : "")
                var names: [String] = []
                for (name, w) in zip(["weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"], ws) {
                    Init.uniform_(w, -bound, bound)
                    registerParameter(name + suffix, w)
                    names.append(name + suffix)
                }
                storedWeights.append(ws)
                weightNames.append(names)
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
    public func callAsFunction(
        _ input: Tensor, h0: Tensor? = nil, c0: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> (output: Tensor, h: Tensor, c: Tensor?) {
        withHooks(
            input, h0, c0,
            calling: { [self] input, h0, c0 in
                checkedRun(input, h0, c0, file: file, line: line)
            }, file: file, line: line)
    }

    /// The module's name in its refusals (`LSTM`, `GRU`, `RNN`).
    var kind: String { mode == .lstm ? "LSTM" : (mode == .gru ? "GRU" : "RNN") }

    /// PyTorch's checks of the input and the initial states, then the run (an unbatched
    /// [seq, features] input gets a batch of one and its states lose it again).
    func checkedRun(_ input: Tensor, _ h0: Tensor?, _ c0: Tensor?, file: StaticString, line: UInt) -> (
        output: Tensor, h: Tensor, c: Tensor?
    ) {
        if input.rank != 2 && input.rank != 3 {
            torchFail(
                kind, "\(kind): Expected input to be 2D or 3D, got \(input.rank)D instead", file: file, line: line)
        }
        if input.shape[input.rank - 1] != inputSize {
            torchFail(
                kind,
                "input.size(-1) must be equal to input_size. Expected \(inputSize), got "
                    + "\(input.shape[input.rank - 1])", file: file, line: line)
        }
        let unbatched = input.rank == 2
        let x = unbatched ? input.unsqueeze(batchFirst ? 0 : 1) : input
        let batch = batchFirst ? x.shape[0] : x.shape[1]
        let layers = numLayers * (bidirectional ? 2 : 1)
        func check(_ t: Tensor?, _ which: String, _ size: Int) -> Tensor? {
            guard let t else { return nil }
            let want = unbatched ? [layers, size] : [layers, batch, size]
            if t.shape != want {
                let shown = "(" + want.map(String.init).joined(separator: ", ") + ")"
                torchFail(
                    kind, "Expected \(which) size \(shown), got \(t.shape)", file: file, line: line)
            }
            return unbatched ? t.unsqueeze(1) : t
        }
        let h = check(h0, mode == .lstm ? "hidden[0]" : "hidden", stateSize)
        let c = check(c0, "hidden[1]", hiddenSize)
        let r = run(x, h0: h, c0: c)
        if !unbatched { return r }
        return (r.output.squeeze(batchFirst ? 0 : 1), r.h.squeeze(1), r.c?.squeeze(1))
    }

    /// The recurrence over a batched input (no checks).
    func run(_ input: Tensor, h0: Tensor?, c0: Tensor?, lengths: [Int]? = nil) -> (
        output: Tensor, h: Tensor, c: Tensor?
    ) {
        if let lengths { return runMasked(input, h0: h0, c0: c0, lengths: lengths) }
        if projSize > 0 {
            // The projection has no fused layer: the stepwise path with every step live.
            let steps = (batchFirst ? input.shape[1] : input.shape[0])
            let batch = batchFirst ? input.shape[0] : input.shape[1]
            return runMasked(input, h0: h0, c0: c0, lengths: Array(repeating: steps, count: batch))
        }
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

    public override var extraRepr: String {
        var s = "\(inputSize), \(hiddenSize)"
        if numLayers != 1 { s += ", num_layers=\(numLayers)" }
        if batchFirst { s += ", batch_first=True" }
        if dropoutP != 0 { s += ", dropout=\(dropoutP)" }
        if bidirectional { s += ", bidirectional=True" }
        if projSize > 0 { s += ", proj_size=\(projSize)" }
        return s
    }
    /// The output sequence for `x` from zero initial states.
    public override func forward(_ x: Tensor) -> Tensor { self(x).output }

    /// The recurrence over padded sequences of the given lengths (time-major [seq, batch, features]
    /// or batch-first): each sequence's state advances only over its own steps, so the final
    /// states are those at each sequence's end and a reverse direction starts at that end; the
    /// outputs past a sequence's end are zero. This is what a packed input runs.
    func runMasked(_ input: Tensor, h0: Tensor?, c0: Tensor?, lengths: [Int]) -> (
        output: Tensor, h: Tensor, c: Tensor?
    ) {
        var x = batchFirst ? input.transpose(0, 1) : input
        let (seq, batch) = (x.shape[0], x.shape[1])
        let dirs = bidirectional ? 2 : 1
        let hInit = h0 ?? Tensor.zeros([numLayers * dirs, batch, stateSize], dtype: input.dtype, device: input.device)
        let cInit = c0 ?? Tensor.zeros([numLayers * dirs, batch, hiddenSize], dtype: input.dtype, device: input.device)
        // live[t]: [batch, 1], whether step t is inside each sequence.
        let live = (0..<seq).map { t in
            Tensor(shape: [batch, 1], scalars: lengths.map { t < $0 ? Int64(1) : 0 }).to(.bool).to(device: x.device)
        }
        let zeroStep = Tensor.zeros([batch, stateSize], dtype: input.dtype, device: input.device)
        var hs: [Tensor] = [], cs: [Tensor] = []
        for layer in 0..<numLayers {
            var outs: [Tensor] = []
            for d in 0..<dirs {
                let k = layer * dirs + d
                let w = weights[k]
                let gates = (x.reshape([seq * batch, x.shape[2]]).matmul(w[0].t()) + w[2]).view([
                    seq, batch, w[0].shape[0],
                ]).unbind(0)
                var h = hInit[k], c = cInit[k]
                var steps = [Tensor](repeating: zeroStep, count: seq)
                for s in 0..<seq {
                    let t = d == 0 ? s : seq - 1 - s
                    let newH: Tensor
                    if mode == .lstm {
                        let g = (gates[t] + h.matmul(w[1].t()) + w[3]).split(hiddenSize, dim: 1)
                        let newC = g[1].sigmoid() * c + g[0].sigmoid() * g[2].tanh()
                        let full = g[3].sigmoid() * newC.tanh()
                        newH = projSize > 0 ? full.matmul(w[4].t()) : full
                        c = Tensor.where(live[t], newC, c)
                    } else {
                        newH = cell(gates[t], h, w)
                    }
                    h = Tensor.where(live[t], newH, h)
                    steps[t] = Tensor.where(live[t], newH, zeroStep)
                }
                outs.append(Tensor.stack(steps))
                hs.append(h)
                cs.append(c)
            }
            x = dirs == 1 ? outs[0] : Tensor.cat(outs, dim: 2)
            if dropoutP > 0 && layer < numLayers - 1 { x = dropout(x, p: dropoutP, training: training) }
        }
        let out = batchFirst ? x.transpose(0, 1) : x
        return (out, Tensor.stack(hs), mode == .lstm ? Tensor.stack(cs) : nil)
    }

    /// A packed batch through the layers: the output packed the same way, the final states in the
    /// original batch order.
    func runPacked(_ input: PackedSequence, h0: Tensor?, c0: Tensor?, file: StaticString, line: UInt) -> (
        PackedSequence, Tensor, Tensor?
    ) {
        let (padded, lengthsTensor) = padPackedSequence(input, batchFirst: batchFirst)
        let lengths = lengthsTensor.scalars.map { Int($0) }
        let layers = numLayers * (bidirectional ? 2 : 1)
        for (t, which, size) in [
            (h0, mode == .lstm ? "hidden[0]" : "hidden", stateSize), (c0, "hidden[1]", hiddenSize),
        ] {
            if let t, t.shape != [layers, lengths.count, size] {
                torchFail(
                    kind, "Expected \(which) size (\(layers), \(lengths.count), \(size)), got \(t.shape)",
                    file: file, line: line)
            }
        }
        let r = runMasked(padded, h0: h0, c0: c0, lengths: lengths)
        let out = packPaddedSequence(
            r.output, lengths: lengths, batchFirst: batchFirst, enforceSorted: input.sortedIndices == nil)
        return (out, r.h, r.c)
    }

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
    /// An LSTM of `numLayers` layers, its hidden state projected to `projSize` features when
    /// that is not 0. `LSTM(10, 20, numLayers: 2, projSize: 8)`
    public init(
        _ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, batchFirst: Bool = false,
        bidirectional: Bool = false, dropout: Double = 0, projSize: Int = 0, dtype: DType = .float32
    ) {
        super.init(
            .lstm, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, batchFirst: batchFirst,
            bidirectional: bidirectional, dropout: dropout, projSize: projSize, dtype: dtype)
    }

    /// PyTorch's call: `let (output, (h, c)) = lstm(x, (h0, c0))` (zeros for a nil state), with
    /// its checks of the state's shape.
    public func callAsFunction(
        _ input: Tensor, _ hx: (Tensor, Tensor)?, file: StaticString = #fileID, line: UInt = #line
    ) -> (Tensor, (Tensor, Tensor)) {
        let r = self(input, h0: hx?.0, c0: hx?.1, file: file, line: line)
        return (r.output, (r.h, r.c!))
    }

    /// A packed batch (`pack_padded_sequence`) through the LSTM: the output packed the same way
    /// and the final states of each sequence, at its own length.
    public func callAsFunction(
        _ input: PackedSequence, _ hx: (Tensor, Tensor)? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> (PackedSequence, (Tensor, Tensor)) {
        withHooks(
            input, hx,
            calling: { [self] input, hx in
                let r = runPacked(input, h0: hx?.0, c0: hx?.1, file: file, line: line)
                return (r.0, (r.1, r.2!))
            }, file: file, line: line)
    }
}

/// The recurrent layers whose state is one tensor (GRU and RNN), called as PyTorch calls them.
public class SingleStateRecurrent: Recurrent {
    /// PyTorch's call: `let (output, h) = rnn(x, h0)` (zeros for a nil state).
    public func callAsFunction(
        _ input: Tensor, _ hx: Tensor?, file: StaticString = #fileID, line: UInt = #line
    ) -> (Tensor, Tensor) {
        let r = self(input, h0: hx, file: file, line: line)
        return (r.output, r.h)
    }

    /// A packed batch through the layers: the output packed the same way and each sequence's
    /// final state.
    public func callAsFunction(
        _ input: PackedSequence, _ hx: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> (PackedSequence, Tensor) {
        withHooks(
            input, hx,
            calling: { [self] input, hx in
                let r = runPacked(input, h0: hx, c0: nil, file: file, line: line)
                return (r.0, r.1)
            }, file: file, line: line)
    }
}

/// A multi-layer GRU (`torch.nn.GRU`). `GRU(10, 20)`
public final class GRU: SingleStateRecurrent {
    /// A GRU of `numLayers` layers. `GRU(10, 20)`
    public init(
        _ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, batchFirst: Bool = false,
        bidirectional: Bool = false, dropout: Double = 0, dtype: DType = .float32
    ) {
        super.init(
            .gru, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, batchFirst: batchFirst,
            bidirectional: bidirectional, dropout: dropout, dtype: dtype)
    }
}

/// A multi-layer Elman RNN with tanh (`torch.nn.RNN`). `RNN(10, 20)`
public final class RNN: SingleStateRecurrent {
    /// An Elman RNN (tanh) of `numLayers` layers. `RNN(10, 20)`
    public init(
        _ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, batchFirst: Bool = false,
        bidirectional: Bool = false, dropout: Double = 0, dtype: DType = .float32
    ) {
        super.init(
            .rnnTanh, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, batchFirst: batchFirst,
            bidirectional: bidirectional, dropout: dropout, dtype: dtype)
    }
}
