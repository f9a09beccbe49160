import Torch
import TorchBase

/// Batches of (input, target) rows from two tensors, optionally shuffled with a seeded generator.
/// (A minimal loader; worker threads and samplers come with the data-loading issue.)
public struct TensorBatches: Sequence {
    public let inputs: Tensor, targets: Tensor
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let generator: Generator

    public init(_ inputs: Tensor, _ targets: Tensor, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                generator: Generator = .default) {
        self.inputs = inputs
        self.targets = targets
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.generator = generator
    }

    public var count: Int {
        let n = inputs.shape[0]
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize
    }

    public func makeIterator() -> AnyIterator<(Tensor, Tensor)> {
        let n = inputs.shape[0]
        let order = shuffle ? Tensor.randperm(n, generator: generator) : Tensor.arange(n)
        var start = 0
        let bs = batchSize, drop = dropLast, x = inputs, y = targets
        return AnyIterator {
            if start >= n || (drop && start + bs > n) { return nil }
            let idx = order.narrow(0, start: start, length: Swift.min(bs, n - start))
            start += bs
            return (x.indexSelect(0, idx), y.indexSelect(0, idx))
        }
    }
}
