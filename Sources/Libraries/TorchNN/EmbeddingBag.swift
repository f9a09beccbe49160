import Torch
import TorchBase

/// How `embeddingBag` reduces the embeddings of a bag (`mode=`).
public enum EmbeddingBagMode: String, Sendable {
    case sum, mean, max
}

/// Sums, means or maxima of bags of embeddings without materialising the [bags, length, dim]
/// lookup (`torch.nn.functional.embedding_bag`). A 2-D `input` [B, N] holds B bags of N indices;
/// a 1-D `input` holds the bags back to back, `offsets` [B] giving where each starts (the last
/// one also ending it with `includeLastOffset`). Entries equal to `paddingIdx` are left out (and
/// not counted by the mean); an empty bag gives zeros. `perSampleWeights` (same shape as
/// `input`) scales each embedding, in `.sum` mode only. With `sparse` the gradient of a leaf
/// `weight` is a `SparseTensor` in `weight.sparseGrad` (one row per entry counted, Note [Sparse
/// gradients]); `.max` refuses it, as PyTorch does.
///
/// ```swift
/// let w = Tensor.randn([10, 3])
/// embeddingBag(Tensor([1, 2, 4, 5, 4, 3]), w, offsets: Tensor([0, 2]), mode: .sum)   // [2, 3]
/// ```
public func embeddingBag(
    _ input: Tensor, _ weight: Tensor, offsets: Tensor? = nil, mode: EmbeddingBagMode = .mean,
    perSampleWeights: Tensor? = nil, includeLastOffset: Bool = false, paddingIdx: Int? = nil, sparse: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let op = "embedding_bag"
    if sparse && mode == .max { torchFail(op, "max mode does not support sparse weights", file: file, line: line) }
    if perSampleWeights != nil && mode != .sum {
        torchFail(
            op,
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' "
                + "(got mode='\(mode.rawValue)'). Please open a feature request on GitHub.", file: file, line: line)
    }
    let n = input.count
    var bounds: [(Int, Int)] = []
    switch input.rank {
    case 2:
        if offsets != nil {
            torchFail(
                op,
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length "
                    + "sequences. However, found offsets of type Tensor", file: file, line: line)
        }
        let (b, len) = (input.shape[0], input.shape[1])
        bounds = (0..<b).map { ($0 * len, ($0 + 1) * len) }
    case 1:
        guard let offsets, offsets.rank == 1 else {
            torchFail(
                op, "offsets has to be a 1D Tensor but got \(offsets.map { "a \($0.rank)-D Tensor" } ?? "None")",
                file: file, line: line)
        }
        let o = offsets.toArray(Int64.self).map { Int($0) }
        if let first = o.first, first != 0 {
            torchFail(
                op,
                "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. "
                    + "However, got \(first)", file: file, line: line)
        }
        if let last = o.last, last > n {
            torchFail(
                op, "offsets[-1] can not be greater than input's length \(n) but got offsets[-1] of \(last)",
                file: file, line: line)
        }
        let starts = includeLastOffset ? Array(o.dropLast()) : o
        bounds = starts.indices.map { i in (starts[i], i + 1 < o.count ? o[i + 1] : n) }
    default:
        torchFail(
            op, "input has to be 1D or 2D Tensor, but got Tensor of dimension \(input.rank)", file: file, line: line)
    }
    let indices = input.reshape([-1]).toArray(Int64.self)
    let rowsCount = weight.shape[0]
    if let bad = indices.firstIndex(where: { $0 < 0 || $0 >= rowsCount }) {
        torchFail(
            op, "embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be \(indices[bad])",
            file: file, line: line)
    }
    // The entries that count (padding left out), their rows, and the bag of each.
    var members: [Int] = [], bagOf: [Int] = [], sizes = [Int](repeating: 0, count: bounds.count)
    for (b, (s, e)) in bounds.enumerated() {
        for i in s..<Swift.max(s, e) where paddingIdx.map({ indices[i] != Int64($0) }) ?? true {
            members.append(i)
            bagOf.append(b)
            sizes[b] += 1
        }
    }
    let dim = weight.shape[1]
    let flat = input.reshape([-1])
    let memberIndex = Tensor(shape: [members.count], scalars: members.map { Int64($0) })
    let memberRows = flat.indexSelect(0, memberIndex)
    var rows =
        sparse && weight.isLeaf && weight.requiresGrad && Torch.isGradEnabled
        ? sparseEmbedding(memberRows, weight, paddingIdx: nil, file: file, line: line)
        : weight.indexSelect(0, memberRows)
    if let w = perSampleWeights { rows = rows * w.reshape([-1]).indexSelect(0, memberIndex).unsqueeze(1) }
    let zeros = Tensor.zeros([bounds.count, dim], dtype: rows.dtype, device: weight.device)
    switch mode {
    case .sum, .mean:
        let sums = zeros.indexAdd(0, Tensor(shape: [bagOf.count], scalars: bagOf.map { Int64($0) }), rows)
        guard mode == .mean else { return sums }
        let counts = Tensor(
            shape: [bounds.count, 1], scalars: sizes.map { Double(Swift.max($0, 1)) }, dtype: sums.dtype)
        return sums / counts
    case .max:
        // An empty bag is zero, still connected to the weight (an empty sum) as PyTorch's output is.
        let empty = (zeros.narrow(0, start: 0, length: 0).sum() + rows.narrow(0, start: 0, length: 0).sum())
            .expand([dim])
        var start = 0
        let bags = sizes.map { size -> Tensor in
            defer { start += size }
            if size == 0 { return empty }
            return rows.narrow(0, start: start, length: size).amax(dims: [0])
        }
        return bags.isEmpty ? zeros : Tensor.stack(bags)
    }
}

/// Bags of embeddings reduced by sum, mean or max (`torch.nn.EmbeddingBag`).
///
/// ```swift
/// let bag = EmbeddingBag(10, 3, mode: .sum)
/// bag(Tensor([1, 2, 4, 5, 4, 3]), offsets: Tensor([0, 2]))   // [2, 3]
/// ```
public final class EmbeddingBag: Module {
    /// The table [numEmbeddings, dim], standard-normal initialised (the padding row zero).
    public var weight: Tensor { tensor("weight") }
    public let mode: EmbeddingBagMode
    public let paddingIdx: Int?, includeLastOffset: Bool
    /// Whether the weight's gradient is sparse (`weight.sparseGrad`), PyTorch's `sparse=True`.
    public let sparse: Bool

    /// A table of `numEmbeddings` vectors of size `dim`, reduced over bags by `mode`.
    public init(
        _ numEmbeddings: Int, _ dim: Int, mode: EmbeddingBagMode = .mean, includeLastOffset: Bool = false,
        paddingIdx: Int? = nil, sparse: Bool = false, dtype: DType = .float32
    ) {
        let w = Tensor.randn([numEmbeddings, dim], dtype: dtype)
        if let p = paddingIdx { w[p] = Tensor(0.0, dtype: dtype) }
        self.mode = mode
        self.paddingIdx = paddingIdx
        self.includeLastOffset = includeLastOffset
        self.sparse = sparse
        super.init()
        registerParameter("weight", w)
    }

    /// The reduced bags: [B, dim].
    public func callAsFunction(
        _ input: Tensor, offsets: Tensor? = nil, perSampleWeights: Tensor? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withParametrizationCache {
            embeddingBag(
                input, weight, offsets: offsets, mode: mode, perSampleWeights: perSampleWeights,
                includeLastOffset: includeLastOffset, paddingIdx: paddingIdx, sparse: sparse, file: file, line: line)
        }
    }

    /// The bags of a 2-D input (one bag per row).
    public override func forward(_ x: Tensor) -> Tensor { self(x, offsets: nil) }
}
