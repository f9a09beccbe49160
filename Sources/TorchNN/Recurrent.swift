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
    public let mode: RecurrentMode
    public let inputSize: Int, hiddenSize: Int, numLayers: Int
    public let batchFirst: Bool, bidirectional: Bool, dropoutP: Double
    var weights: [[Tensor]] = []   // per layer·direction: w_ih, w_hh, b_ih, b_hh

    public init(_ mode: RecurrentMode, inputSize: Int, hiddenSize: Int, numLayers: Int = 1, batchFirst: Bool = false,
                bidirectional: Bool = false, dropout: Double = 0, dtype: DType = .float32) {
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
                let ws = [Tensor.empty([g, inp], dtype: dtype), Tensor.empty([g, hiddenSize], dtype: dtype),
                          Tensor.empty([g], dtype: dtype), Tensor.empty([g], dtype: dtype)]
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
    public func callAsFunction(_ input: Tensor, h0: Tensor? = nil, c0: Tensor? = nil) -> (output: Tensor, h: Tensor, c: Tensor?) {
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
                let gates = (x.reshape([seq * batch, x.shape[2]]).matmul(w[0].t()) + w[2]).view([seq, batch, w[0].shape[0]]).unbind(0)
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

    public override func forward(_ x: Tensor) -> Tensor { self(x).output }

    /// The recurrence of one LSTM layer and direction as a single recorded node (`Tensor.lstmLayer`).
    static func lstmLayer(_ gi: Tensor, _ h0: Tensor, _ c0: Tensor, _ wHH: Tensor, reverse: Bool,
                          allowFusedCell: Bool = true) -> [Tensor] {
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
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, batchFirst: Bool = false,
                bidirectional: Bool = false, dropout: Double = 0, dtype: DType = .float32) {
        super.init(.lstm, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, batchFirst: batchFirst,
                   bidirectional: bidirectional, dropout: dropout, dtype: dtype)
    }
}

/// A multi-layer GRU (`torch.nn.GRU`). ```GRU(10, 20)```
public final class GRU: Recurrent {
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, batchFirst: Bool = false,
                bidirectional: Bool = false, dropout: Double = 0, dtype: DType = .float32) {
        super.init(.gru, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, batchFirst: batchFirst,
                   bidirectional: bidirectional, dropout: dropout, dtype: dtype)
    }
}

/// A multi-layer Elman RNN with tanh (`torch.nn.RNN`). ```RNN(10, 20)```
public final class RNN: Recurrent {
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, batchFirst: Bool = false,
                bidirectional: Bool = false, dropout: Double = 0, dtype: DType = .float32) {
        super.init(.rnnTanh, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, batchFirst: batchFirst,
                   bidirectional: bidirectional, dropout: dropout, dtype: dtype)
    }
}

/// `softmax(q kᵀ · scale + mask) v` over the last two dimensions. A bool mask keeps `true`
/// positions; a float mask is added. `isCausal` masks future positions (not together with a
/// mask, as PyTorch). A query row whose every key is masked attends to nothing and gives zeros
/// (PyTorch 2.5 and later); `dropoutP` drops attention weights in training, as PyTorch's `dropout_p`.
///
/// ```swift
/// let out = scaledDotProductAttention(q, k, v, isCausal: true)
/// ```
public func scaledDotProductAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, attnMask: Tensor? = nil,
                                      dropoutP: Double = 0, isCausal: Bool = false, scale: Double? = nil,
                                      file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if isCausal && attnMask != nil {
        torchFail("scaled_dot_product_attention", "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True", file: file, line: line)
    }
    let d = q.shape[q.rank - 1]
    var scores = q.matmul(k.mT) * (scale ?? 1 / Double(d).squareRoot())
    let (lq, lk) = (q.shape[q.rank - 2], k.shape[k.rank - 2])
    if isCausal {
        let keep = Tensor.ones([lq, lk], dtype: .bool, device: q.device).tril()
        scores = scores.maskedFill(keep.logicalNot(), -Double.infinity)
    }
    if let m = attnMask {
        scores = m.dtype == .bool ? scores.maskedFill(m.logicalNot(), -Double.infinity) : scores + m
    }
    var attn = scores.softmax(dim: -1)
    if isCausal || attnMask != nil {
        let dead = Torch.noGrad { (scores .== -Double.infinity).all(dims: [-1], keepdim: true) }
        attn = Tensor.where(dead, Tensor.scalar(0.0, dtype: attn.dtype), attn)
    }
    if dropoutP > 0 { attn = dropout(attn, p: dropoutP, training: true) }
    return attn.matmul(v)
}

/// Multi-head attention with PyTorch's packed input projection (`in_proj_weight`) and output
/// projection. Inputs [L, N, E] (or [N, L, E] with `batchFirst`).
public final class MultiheadAttention: Module {
    public let embedDim: Int, numHeads: Int, batchFirst: Bool
    /// Dropout probability on the attention weights in training (PyTorch's `dropout`).
    public let dropoutP: Double
    public let inProjWeight: Tensor, inProjBias: Tensor
    public let outProj: Linear

    public init(embedDim: Int, numHeads: Int, dropout: Double = 0, batchFirst: Bool = false) {
        precondition(embedDim % numHeads == 0, "embed_dim must be divisible by num_heads")
        self.embedDim = embedDim; self.numHeads = numHeads; self.batchFirst = batchFirst; self.dropoutP = dropout
        inProjWeight = Tensor.empty([3 * embedDim, embedDim])
        let a = (6.0 / Double(4 * embedDim)).squareRoot()   // xavier uniform over [3E, E]
        Init.uniform_(inProjWeight, -a, a)
        inProjBias = Tensor.zeros([3 * embedDim])
        outProj = Linear(embedDim, embedDim)
        Init.zeros_(outProj.bias!)
        super.init()
        registerParameter("in_proj_weight", inProjWeight)
        registerParameter("in_proj_bias", inProjBias)
        register("out_proj", outProj)
    }

    /// Returns the attended output and the attention weights averaged over heads.
    public func callAsFunction(_ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil,
                               attnMask: Tensor? = nil, isCausal: Bool = false) -> (Tensor, Tensor) {
        let q0 = batchFirst ? query : query.transpose(0, 1)   // [N, L, E]
        let k0 = batchFirst ? key : key.transpose(0, 1)
        let v0 = batchFirst ? value : value.transpose(0, 1)
        let E = embedDim, H = numHeads, hd = E / H
        func proj(_ x: Tensor, _ i: Int) -> Tensor {
            let w = inProjWeight.narrow(0, start: i * E, length: E), b = inProjBias.narrow(0, start: i * E, length: E)
            let y = x.matmul(w.t()) + b
            return y.reshape([x.shape[0], x.shape[1], H, hd]).transpose(1, 2)   // [N, H, L, hd]
        }
        let q = proj(q0, 0), k = proj(k0, 1), v = proj(v0, 2)
        var scores = q.matmul(k.mT) / Double(hd).squareRoot()   // [N, H, Lq, Lk]
        if isCausal {
            let keep = Tensor.ones([q.shape[2], k.shape[2]], dtype: .bool).tril()
            scores = scores.maskedFill(keep.logicalNot(), -Double.infinity)
        }
        if let m = attnMask { scores = m.dtype == .bool ? scores.maskedFill(m, -Double.infinity) : scores + m }
        if let pad = keyPaddingMask { scores = scores.maskedFill(pad.view([pad.shape[0], 1, 1, pad.shape[1]]), -Double.infinity) }
        var attn = scores.softmax(dim: -1)
        if dropoutP > 0 && training { attn = dropout(attn, p: dropoutP, training: true) }
        let out = attn.matmul(v).transpose(1, 2).reshape([q0.shape[0], q0.shape[1], E])
        let y = outProj(out)
        return (batchFirst ? y : y.transpose(0, 1), attn.mean(dims: [1]))
    }

    public override func forward(_ x: Tensor) -> Tensor { self(x, x, x).0 }
}
