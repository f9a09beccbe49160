import Torch
import TorchBase
import TorchData

/// Each rank's share of a dataset (PyTorch's `DistributedSampler`): one permutation per epoch,
/// drawn from `seed + epoch` so every rank draws the same one, padded by repeating its head to a
/// multiple of the ranks (or cut, with `dropLast`), and dealt out `rank, rank + numReplicas, ...`.
/// Forgetting `setEpoch` would repeat one order every epoch: a shuffling sampler asked twice for
/// the same epoch traps and says so.
///
/// ```swift
/// let sampler = DistributedSampler(count: train.count)
/// let loader = DataLoader(train, batchSize: 64, sampler: sampler)
/// for epoch in 0..<epochs { sampler.setEpoch(epoch); for batch in loader { ... } }
/// ```
public final class DistributedSampler: Sampler, @unchecked Sendable {
    /// The dataset size, the number of ranks and this rank.
    public let count: Int, numReplicas: Int, rank: Int
    /// Whether each epoch is a new permutation, its seed, and whether the tail is dropped.
    public let shuffle: Bool, seed: UInt64, dropLast: Bool
    /// The epoch `setEpoch` last set.
    public private(set) var epoch = 0
    private var served: Int?

    /// A sampler over `count` items for `rank` of `numReplicas` (by default the default group's).
    public init(
        count: Int, numReplicas: Int? = nil, rank: Int? = nil, shuffle: Bool = true, seed: UInt64 = 0,
        dropLast: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) {
        let n = numReplicas ?? Distributed.worldSize, r = rank ?? Distributed.rank
        if r < 0 || r >= n {
            torchFail(
                "DistributedSampler", "Invalid rank \(r), rank should be in the interval [0, \(n - 1)]", file: file,
                line: line)
        }
        (self.count, self.numReplicas, self.rank) = (count, n, r)
        (self.shuffle, self.seed, self.dropLast) = (shuffle, seed, dropLast)
    }

    /// Indices this rank takes per epoch.
    public var numSamples: Int {
        dropLast && count % numReplicas != 0
            ? (count - numReplicas + numReplicas - 1) / numReplicas : (count + numReplicas - 1) / numReplicas
    }

    /// `numSamples`: the loader counts batches without drawing an epoch.
    public var indexCount: Int? { numSamples }

    /// The epoch whose permutation the next `indices` draws (call before each epoch).
    public func setEpoch(_ epoch: Int) { self.epoch = epoch }

    /// This rank's indices for the epoch set last (the loader's generator is not used).
    public func indices(generator: Generator) -> [Int] {
        if shuffle && served == epoch {
            torchFail(
                "DistributedSampler",
                "epoch \(epoch) was already drawn: call sampler.setEpoch(epoch) before each epoch, or every epoch "
                    + "repeats the same order", file: #fileID, line: #line)
        }
        served = epoch
        var all =
            shuffle
            ? Tensor.randperm(count, generator: Generator(seed: seed &+ UInt64(epoch))).toArray(Int.self)
            : Array(0..<count)
        let total = numSamples * numReplicas
        if dropLast {
            all = Array(all.prefix(total))
        } else if total > all.count && !all.isEmpty {
            let head = all
            while all.count < total { all += head.prefix(total - all.count) }
        }
        return stride(from: rank, to: total, by: numReplicas).map { all[$0] }
    }
}
