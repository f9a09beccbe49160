import Torch
import TorchBase

/// A map-style dataset (PyTorch's `Dataset`): random access to `count` samples.
///
/// ```swift
/// let ds = TensorDataset(images, labels)
/// let (x, y) = try ds[3]   // as [Tensor]
/// ```
public protocol Dataset {
    associatedtype Element
    var count: Int { get }
    /// Sample `index` (0..<count). Throwing is how a sample reports that it cannot be loaded.
    func get(_ index: Int) throws -> Element
}

/// Samples that are the rows of equally long tensors.
public struct TensorDataset: Dataset {
    /// The tensors, indexed together along their first dimension.
    public let tensors: [Tensor]
    /// Samples `i` of all `tensors` (equal first dimensions). `TensorDataset(x, y)`
    public init(_ tensors: Tensor..., file: StaticString = #fileID, line: UInt = #line) {
        self.tensors = tensors
        if let n = tensors.first?.shape.first, tensors.contains(where: { $0.shape.first != n }) {
            torchFail(
                "TensorDataset", "Size mismatch between tensors: \(tensors.map { $0.shape })", file: file, line: line)
        }
    }
    /// The first dimension's size.
    public var count: Int { tensors.first?.shape.first ?? 0 }
    /// Row `index` of every tensor.
    public func get(_ index: Int) throws -> [Tensor] { tensors.map { $0[index] } }
}

/// Several datasets one after another.
public struct ConcatDataset<D: Dataset>: Dataset {
    /// The datasets, in order.
    public let datasets: [D]
    let offsets: [Int]
    /// The datasets one after the other. `ConcatDataset([a, b])`
    public init(_ datasets: [D]) {
        self.datasets = datasets
        var o = [0]
        for d in datasets { o.append(o.last! + d.count) }
        offsets = o
    }
    /// The total number of samples.
    public var count: Int { offsets.last! }
    /// Sample `index` of the dataset it falls in.
    public func get(_ index: Int) throws -> D.Element {
        guard index >= 0 && index < count else { throw DatasetError.indexOutOfRange(index, count) }
        var k = 0
        while offsets[k + 1] <= index { k += 1 }
        return try datasets[k].get(index - offsets[k])
    }
}

/// The samples of `dataset` at `indices`.
public struct Subset<D: Dataset>: Dataset {
    /// The dataset sampled from.
    public let dataset: D
    /// The indices into it.
    public let indices: [Int]
    /// The samples of `dataset` at `indices`. `Subset(ds, indices: Array(0..<100))`
    public init(_ dataset: D, indices: [Int]) { self.dataset = dataset; self.indices = indices }
    /// The number of indices.
    public var count: Int { indices.count }
    /// Sample `indices[index]` of the dataset.
    public func get(_ index: Int) throws -> D.Element { try dataset.get(indices[index]) }
}

/// Why a dataset could not produce a sample.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case indexOutOfRange(Int, Int)
    case badLengths(String)
    /// The error in words.
    public var description: String {
        switch self {
        case let .indexOutOfRange(i, n): return "index \(i) is out of range for a dataset of \(n) samples"
        case let .badLengths(s): return s
        }
    }
}

/// Splits `dataset` into non-overlapping random subsets of the given lengths (they must add up
/// to its size), reproducibly for a seeded generator.
public func randomSplit<D: Dataset>(_ dataset: D, lengths: [Int], generator: Generator = .default) throws -> [Subset<D>]
{
    if lengths.reduce(0, +) != dataset.count || lengths.contains(where: { $0 < 0 }) {
        throw DatasetError.badLengths(
            "Sum of input lengths \(lengths) does not equal the length of the input dataset (\(dataset.count))!")
    }
    let perm = Tensor.randperm(dataset.count, generator: generator).toArray(Int.self)
    var start = 0
    return lengths.map { n in
        defer { start += n }
        return Subset(dataset, indices: Array(perm[start..<(start + n)]))
    }
}

// MARK: samplers

/// The order in which a loader visits sample indices, drawn anew each epoch.
public protocol Sampler {
    /// Indices for one epoch; `generator` is the loader's, seeded per epoch.
    func indices(generator: Generator) -> [Int]
    /// How many indices an epoch has, when known without drawing them (so that counting the
    /// batches draws nothing); nil by default.
    var indexCount: Int? { get }
}

extension Sampler {
    /// Unknown: counting draws an epoch's indices.
    public var indexCount: Int? { nil }
}

/// Indices 0, 1, 2, ... in order (`torch.utils.data.SequentialSampler`). `SequentialSampler(count: 10)`
public struct SequentialSampler: Sampler {
    /// The number of indices.
    public let count: Int
    /// The indices `0..<count`.
    public init(count: Int) { self.count = count }
    /// `0..<count` (the generator is unused).
    public func indices(generator: Generator) -> [Int] { Array(0..<count) }
}

/// A random permutation, or `numSamples` draws with replacement.
public struct RandomSampler: Sampler {
    /// The dataset size, whether to draw with replacement, and how many to draw (nil: `count`).
    public let count: Int, replacement: Bool, numSamples: Int?
    /// A random permutation (or draws with replacement). `RandomSampler(count: 60_000)`
    public init(count: Int, replacement: Bool = false, numSamples: Int? = nil) {
        self.count = count; self.replacement = replacement; self.numSamples = numSamples
    }
    /// This epoch's indices from `generator`.
    public func indices(generator: Generator) -> [Int] {
        if replacement {
            return Tensor.randint(0, count, [numSamples ?? count], generator: generator).toArray(Int.self)
        }
        let p = Tensor.randperm(count, generator: generator).toArray(Int.self)
        return numSamples.map { Array(p.prefix($0)) } ?? p
    }
}

/// A random permutation of the given indices.
public struct SubsetRandomSampler: Sampler {
    /// The indices to shuffle.
    public let subset: [Int]
    /// A random permutation of `indices`. `SubsetRandomSampler([0, 2, 4])`
    public init(_ indices: [Int]) { subset = indices }
    /// This epoch's permutation from `generator`.
    public func indices(generator: Generator) -> [Int] {
        Tensor.randperm(subset.count, generator: generator).toArray(Int.self).map { subset[$0] }
    }
}

/// `numSamples` indices drawn with probabilities proportional to `weights`.
public struct WeightedRandomSampler: Sampler {
    /// The per-index weights, how many to draw and whether with replacement.
    public let weights: [Double], numSamples: Int, replacement: Bool
    /// Draws indices with probability proportional to `weights`.
    ///
    /// ```swift
    /// let s = WeightedRandomSampler(weights: [0.1, 0.9], numSamples: 100)
    /// ```
    public init(weights: [Double], numSamples: Int, replacement: Bool = true) {
        self.weights = weights; self.numSamples = numSamples; self.replacement = replacement
    }
    /// This epoch's draws from `generator`.
    public func indices(generator: Generator) -> [Int] {
        Tensor(weights, dtype: .float64).multinomial(numSamples, replacement: replacement, generator: generator)
            .toArray(Int.self)
    }
}

/// Groups a sampler's indices into batches.
public struct BatchSampler {
    /// The sampler, the batch size and whether a short last batch is dropped.
    public let sampler: Sampler, batchSize: Int, dropLast: Bool
    /// Groups `sampler`'s indices into batches of `batchSize`.
    /// `BatchSampler(SequentialSampler(count: 10), batchSize: 4)`
    public init(_ sampler: Sampler, batchSize: Int, dropLast: Bool = false) {
        precondition(batchSize > 0, "BatchSampler: batchSize should be a positive integer, got \(batchSize)")
        self.sampler = sampler; self.batchSize = batchSize; self.dropLast = dropLast
    }
    /// The number of batches per epoch.
    public func count(generator: Generator) -> Int {
        guard let n = sampler.indexCount else { return batches(generator: generator).count }
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize
    }

    /// This epoch's batches of indices.
    public func batches(generator: Generator) -> [[Int]] {
        let idx = sampler.indices(generator: generator)
        var out: [[Int]] = []
        var i = 0
        while i < idx.count {
            let end = Swift.min(i + batchSize, idx.count)
            if end - i == batchSize || !dropLast { out.append(Array(idx[i..<end])) }
            i = end
        }
        return out
    }
}
