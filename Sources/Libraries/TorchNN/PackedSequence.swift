import Torch
import TorchBase

// Packed sequences (`torch.nn.utils.rnn`): a batch of sequences of different lengths stored
// time step by time step, the sequences still running at each step together, longest first.
// Packing and unpacking are index_select gathers (so gradients flow through both), and the
// recurrent layers take a packed batch directly (Recurrent.runPacked).

/// A batch of variable-length sequences, packed (PyTorch's `PackedSequence`): `data` holds, step
/// after step, the rows of the sequences still running at that step (in decreasing length
/// order); `batchSizes[t]` is how many run at step t. `sortedIndices` maps that order to the
/// original batch (nil when the batch came sorted).
public struct PackedSequence {
    /// The packed rows [Σ lengths, *].
    public let data: Tensor
    /// The number of sequences at each time step (non-increasing).
    public let batchSizes: [Int]
    /// For each position in length order, the original batch index (nil: already sorted).
    public let sortedIndices: [Int]?
    /// For each original batch index, its position in length order (nil: already sorted).
    public let unsortedIndices: [Int]?

    /// The sequences' lengths, in the original batch order.
    public var lengths: [Int] {
        let n = batchSizes.first ?? 0
        var sorted = [Int](repeating: 0, count: n)
        for b in batchSizes { for i in 0..<b { sorted[i] += 1 } }
        guard let order = sortedIndices else { return sorted }
        var out = [Int](repeating: 0, count: n)
        for (pos, original) in order.enumerated() { out[original] = sorted[pos] }
        return out
    }

    /// The same packing over other rows (PyTorch's `packed._replace(data=...)`), e.g. an
    /// element-wise function of `data`.
    public func with(data: Tensor) -> PackedSequence {
        PackedSequence(
            data: data, batchSizes: batchSizes, sortedIndices: sortedIndices, unsortedIndices: unsortedIndices)
    }
}

/// Packs a padded batch (`torch.nn.utils.rnn.pack_padded_sequence`): `input` [T, B, *] (or
/// [B, T, *] with `batchFirst`) with each sequence's length. With `enforceSorted` the lengths
/// must not increase; otherwise the batch is ordered by length and the order is remembered.
///
/// ```swift
/// let packed = packPaddedSequence(padded, lengths: [5, 3, 2], batchFirst: true)
/// let (out, (h, c)) = lstm(packed)
/// let (unpacked, lengths) = padPackedSequence(out, batchFirst: true)
/// ```
public func packPaddedSequence(
    _ input: Tensor, lengths: [Int], batchFirst: Bool = false, enforceSorted: Bool = true,
    file: StaticString = #fileID, line: UInt = #line
) -> PackedSequence {
    let op = "pack_padded_sequence"
    if input.rank < 2 {
        torchFail(op, "expected a padded batch of at least 2 dimensions, got \(input.shape)", file: file, line: line)
    }
    let x = batchFirst ? input.transpose(0, 1) : input
    let (steps, batch) = (x.shape[0], x.shape[1])
    if lengths.count != batch {
        torchFail(
            op, "Expected `len(lengths)` to be equal to batch_size, but got \(lengths.count) (batch_size=\(batch))",
            file: file, line: line)
    }
    if lengths.contains(where: { $0 <= 0 }) {
        torchFail(
            op, "Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0",
            file: file, line: line)
    }
    var order = Array(0..<batch)
    if enforceSorted {
        if zip(lengths, lengths.dropFirst()).contains(where: { $0 < $1 }) {
            torchFail(
                op,
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass "
                    + "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this "
                    + "requirement if you do not need ONNX exportability.", file: file, line: line)
        }
    } else {
        order.sort { lengths[$0] > lengths[$1] || (lengths[$0] == lengths[$1] && $0 < $1) }
    }
    let longest = lengths.max() ?? 0
    if longest > steps {
        torchFail(
            op, "Expected sequence length to be larger than or equal to \(longest), but got \(steps)", file: file,
            line: line)
    }
    var rows: [Int64] = []
    var batchSizes: [Int] = []
    for t in 0..<longest {
        var count = 0
        for b in order where lengths[b] > t {
            rows.append(Int64(t * batch + b))
            count += 1
        }
        batchSizes.append(count)
    }
    let flat = x.reshape([steps * batch] + Array(x.shape.dropFirst(2)))
    let data = flat.indexSelect(0, Tensor(shape: [rows.count], scalars: rows).to(device: x.device))
    if enforceSorted {
        return PackedSequence(data: data, batchSizes: batchSizes, sortedIndices: nil, unsortedIndices: nil)
    }
    var unsorted = [Int](repeating: 0, count: batch)
    for (pos, b) in order.enumerated() { unsorted[b] = pos }
    return PackedSequence(data: data, batchSizes: batchSizes, sortedIndices: order, unsortedIndices: unsorted)
}

/// `packPaddedSequence` with the lengths as a tensor (PyTorch's usual spelling).
public func packPaddedSequence(
    _ input: Tensor, lengths: Tensor, batchFirst: Bool = false, enforceSorted: Bool = true,
    file: StaticString = #fileID, line: UInt = #line
) -> PackedSequence {
    packPaddedSequence(
        input, lengths: lengths.to(.int64).scalars.map { Int($0) }, batchFirst: batchFirst,
        enforceSorted: enforceSorted, file: file, line: line)
}

/// Unpacks to a padded batch in the original order, with the lengths as an int64 tensor
/// (`torch.nn.utils.rnn.pad_packed_sequence`); `totalLength` pads to that many steps.
public func padPackedSequence(
    _ sequence: PackedSequence, batchFirst: Bool = false, paddingValue: Double = 0, totalLength: Int? = nil,
    file: StaticString = #fileID, line: UInt = #line
) -> (Tensor, Tensor) {
    let lengths = sequence.lengths
    let batch = lengths.count
    let longest = sequence.batchSizes.count
    let steps = totalLength ?? longest
    if steps < longest {
        torchFail(
            "pad_packed_sequence",
            "Expected total_length to be at least the length of the longest sequence in input, but got "
                + "total_length=\(steps) and max sequence length being \(longest)", file: file, line: line)
    }
    let order = sequence.sortedIndices ?? Array(0..<batch)
    // For each padded position (t, b): its row in `data`, or the padding row after the data.
    let data = sequence.data
    let padRow = Int64(data.shape[0])
    var source = [Int64](repeating: padRow, count: steps * batch)
    var row: Int64 = 0
    for (t, size) in sequence.batchSizes.enumerated() {
        for pos in 0..<size {
            source[t * batch + order[pos]] = row
            row += 1
        }
    }
    let feature = Array(data.shape.dropFirst())
    let padding = Tensor.full([1] + feature, paddingValue, dtype: data.dtype, device: data.device)
    let table = Tensor.cat([data, padding], dim: 0)
    var padded = table.indexSelect(0, Tensor(shape: [source.count], scalars: source).to(device: data.device))
        .reshape([steps, batch] + feature)
    if batchFirst { padded = padded.transpose(0, 1) }
    return (padded, Tensor(shape: [batch], scalars: lengths.map { Int64($0) }))
}

/// Packs a list of sequences [Lᵢ, *] (`torch.nn.utils.rnn.pack_sequence`).
public func packSequence(
    _ sequences: [Tensor], enforceSorted: Bool = true, file: StaticString = #fileID, line: UInt = #line
) -> PackedSequence {
    let lengths = sequences.map { $0.shape.first ?? 0 }
    return packPaddedSequence(
        padSequence(sequences), lengths: lengths, enforceSorted: enforceSorted, file: file, line: line)
}
