import Torch
import TorchBase

/// The nonlinearity of an Elman `RNNCell` (`nonlinearity="tanh"` or `"relu"`).
public enum RNNNonlinearity: String, Sendable { case tanh, relu }

/// What the three cells share: PyTorch's parameter names and initialisation U(−1/√h, 1/√h), the
/// input checks with PyTorch's messages, and unbatched inputs ([in] → [hidden]).
public class RecurrentCell: Module {
    /// Input and hidden features.
    public let inputSize: Int, hiddenSize: Int
    /// `weight_ih` [gates·hidden, in] (through its parametrizations, if any).
    public var weightIH: Tensor { tensor("weight_ih") }
    /// `weight_hh` [gates·hidden, hidden].
    public var weightHH: Tensor { tensor("weight_hh") }
    /// `bias_ih` [gates·hidden] (nil with `bias: false`).
    public var biasIH: Tensor? { optionalTensor("bias_ih") }
    /// `bias_hh` [gates·hidden] (nil with `bias: false`).
    public var biasHH: Tensor? { optionalTensor("bias_hh") }
    let name: String

    init(_ name: String, gates: Int, _ inputSize: Int, _ hiddenSize: Int, bias: Bool, dtype: DType) {
        self.name = name
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let bound = 1 / Double(hiddenSize).squareRoot()
        let weightIH = Tensor.empty([gates * hiddenSize, inputSize], dtype: dtype)
        let weightHH = Tensor.empty([gates * hiddenSize, hiddenSize], dtype: dtype)
        let biasIH = bias ? Tensor.empty([gates * hiddenSize], dtype: dtype) : nil
        let biasHH = bias ? Tensor.empty([gates * hiddenSize], dtype: dtype) : nil
        super.init()
        for (n, w) in [("weight_ih", weightIH), ("weight_hh", weightHH), ("bias_ih", biasIH), ("bias_hh", biasHH)] {
            guard let w else { continue }
            Init.uniform_(w, -bound, bound)
            registerParameter(n, w)
        }
    }

    /// The input as [batch, in] (an unbatched [in] gets a batch of one) and whether it was batched.
    func batched(_ input: Tensor, file: StaticString, line: UInt) -> (Tensor, Bool) {
        if input.rank != 1 && input.rank != 2 {
            torchFail(
                name, "\(name): Expected input to be 1D or 2D, got \(input.rank)D instead", file: file, line: line)
        }
        let x = input.rank == 1 ? input.unsqueeze(0) : input
        if x.shape[1] != inputSize {
            torchFail(
                name, "input has inconsistent input_size: got \(x.shape[1]) expected \(inputSize)", file: file,
                line: line)
        }
        return (x, input.rank == 2)
    }

    /// A state for `x` ([batch, hidden]; zeros when nil), checked as PyTorch checks it.
    func state(
        _ h: Tensor?, for x: Tensor, batched: Bool, label: String, file: StaticString, line: UInt
    ) -> Tensor {
        guard let h else { return Tensor.zeros([x.shape[0], hiddenSize], dtype: x.dtype, device: x.device) }
        if h.rank != (batched ? 2 : 1) {
            torchFail(
                name,
                "\(name): Expected hidden\(label) to be \(batched ? 2 : 1)D for \(batched ? "batched" : "unbatched") "
                    + "input, got \(h.rank)D instead", file: file, line: line)
        }
        let s = batched ? h : h.unsqueeze(0)
        if s.shape[0] != x.shape[0] {
            torchFail(
                name, "Input batch size \(x.shape[0]) doesn't match hidden\(label) batch size \(s.shape[0])",
                file: file, line: line)
        }
        if s.shape[1] != hiddenSize {
            torchFail(
                name, "hidden\(label) has inconsistent hidden_size: got \(s.shape[1]), expected \(hiddenSize)",
                file: file, line: line)
        }
        return s
    }

    /// One step of a single-state cell: `body(h, x·W_ihᵀ + b_ih, h·W_hhᵀ + b_hh)` for the batched
    /// input and state, unbatched again for an unbatched input.
    func singleStateStep(
        _ input: Tensor, _ hx: Tensor?, file: StaticString, line: UInt, _ body: (Tensor, Tensor, Tensor) -> Tensor
    ) -> Tensor {
        let (x, isBatched) = batched(input, file: file, line: line)
        let h = state(hx, for: x, batched: isBatched, label: "", file: file, line: line)
        let (gi, gh) = projections(x, h)
        let out = body(h, gi, gh)
        return isBatched ? out : out.squeeze(0)
    }

    /// x·W_ihᵀ + b_ih and h·W_hhᵀ + b_hh.
    func projections(_ x: Tensor, _ h: Tensor) -> (Tensor, Tensor) {
        let gi = linear(x, weightIH, biasIH), gh = linear(h, weightHH, biasHH)
        return (gi, gh)
    }
}

/// An Elman RNN cell (`torch.nn.RNNCell`): h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or ReLU).
///
/// ```swift
/// let cell = RNNCell(10, 20)
/// var h = cell(Tensor.randn([3, 10]))       // [3, 20]
/// h = cell(Tensor.randn([3, 10]), h)
/// ```
public final class RNNCell: RecurrentCell {
    /// tanh or ReLU.
    public let nonlinearity: RNNNonlinearity
    /// `RNNCell(inputSize, hiddenSize, bias:, nonlinearity:)`.
    public init(
        _ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, nonlinearity: RNNNonlinearity = .tanh,
        dtype: DType = .float32
    ) {
        self.nonlinearity = nonlinearity
        super.init("RNNCell", gates: 1, inputSize, hiddenSize, bias: bias, dtype: dtype)
    }
    /// The next hidden state ([batch, hidden], or [hidden] for an unbatched input).
    public func callAsFunction(
        _ input: Tensor, _ hx: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(
            input, hx,
            calling: { [self] input, hx in
                singleStateStep(input, hx, file: file, line: line) { _, gi, gh in
                    nonlinearity == .tanh ? (gi + gh).tanh() : (gi + gh).relu()
                }
            }, file: file, line: line)
    }
    /// The next hidden state from a zero state.
    public override func forward(_ x: Tensor) -> Tensor { self(x, nil) }
}

/// A long short-term memory cell (`torch.nn.LSTMCell`), gates in PyTorch's order i, f, g, o.
///
/// ```swift
/// let cell = LSTMCell(10, 20)
/// var (h, c) = cell(Tensor.randn([3, 10]))
/// (h, c) = cell(Tensor.randn([3, 10]), (h, c))
/// ```
public final class LSTMCell: RecurrentCell {
    /// `LSTMCell(inputSize, hiddenSize, bias:)`.
    public init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, dtype: DType = .float32) {
        super.init("LSTMCell", gates: 4, inputSize, hiddenSize, bias: bias, dtype: dtype)
    }
    /// The next (h, c) from `state` (zeros when nil).
    public func callAsFunction(
        _ input: Tensor, _ state: (Tensor, Tensor)? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> (h: Tensor, c: Tensor) {
        withHooks(
            input, state,
            calling: { [self] input, state in
                let (x, isBatched) = batched(input, file: file, line: line)
                let h = self.state(state?.0, for: x, batched: isBatched, label: "[0]", file: file, line: line)
                let c = self.state(state?.1, for: x, batched: isBatched, label: "[1]", file: file, line: line)
                let (gi, gh) = projections(x, h)
                let g = (gi + gh).chunk(4, dim: 1)
                let c1 = g[1].sigmoid() * c + g[0].sigmoid() * g[2].tanh()
                let h1 = g[3].sigmoid() * c1.tanh()
                return isBatched ? (h: h1, c: c1) : (h: h1.squeeze(0), c: c1.squeeze(0))
            }, file: file, line: line)
    }
    /// The next hidden state from zero states.
    public override func forward(_ x: Tensor) -> Tensor { self(x, nil).h }
}

/// A gated recurrent unit cell (`torch.nn.GRUCell`), gates in PyTorch's order r, z, n:
/// n = tanh(x_n + r·(h·W_hnᵀ + b_hn)), h' = (1 − z)·n + z·h.
///
/// ```swift
/// let cell = GRUCell(10, 20)
/// let h = cell(Tensor.randn([3, 10]))
/// ```
public final class GRUCell: RecurrentCell {
    /// `GRUCell(inputSize, hiddenSize, bias:)`.
    public init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, dtype: DType = .float32) {
        super.init("GRUCell", gates: 3, inputSize, hiddenSize, bias: bias, dtype: dtype)
    }
    /// The next hidden state ([batch, hidden], or [hidden] for an unbatched input).
    public func callAsFunction(
        _ input: Tensor, _ hx: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(
            input, hx,
            calling: { [self] input, hx in
                singleStateStep(input, hx, file: file, line: line) { h, gi, gh in
                    let a = gi.chunk(3, dim: 1), b = gh.chunk(3, dim: 1)
                    let r = (a[0] + b[0]).sigmoid(), z = (a[1] + b[1]).sigmoid()
                    let n = (a[2] + r * b[2]).tanh()
                    return (1 - z) * n + z * h
                }
            }, file: file, line: line)
    }
    /// The next hidden state from a zero state.
    public override func forward(_ x: Tensor) -> Tensor { self(x, nil) }
}
