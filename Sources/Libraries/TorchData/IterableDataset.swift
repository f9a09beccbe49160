import Torch
import TorchBase

/// A stream-style dataset (PyTorch's `IterableDataset`): samples come from an iterator made anew
/// for each epoch, so there is no random access and no sampler.
///
/// ```swift
/// let lines = IterableDataset { epoch in (0..<100).lazy.map { Tensor([Double($0)]) }.makeIterator() }
/// for batch in IterableLoader(lines, batchSize: 10) { ... }
/// ```
public struct IterableDataset<Element> {
    let make: (_ epoch: Int) -> AnyIterator<Element>
    /// A stream whose epoch `e` is the sequence `make(e)` returns.
    ///
    /// ```swift
    /// let ds = IterableDataset<Int> { _ in (0..<10).makeIterator() }
    /// ```
    public init<I: IteratorProtocol>(_ make: @escaping (_ epoch: Int) -> I) where I.Element == Element {
        self.make = { AnyIterator(make($0)) }
    }
}

/// Batches of an iterable dataset, collated like `DataLoader`'s, in stream order.
public final class IterableLoader<Element, Batch>: Sequence {
    let dataset: IterableDataset<Element>
    /// The batch size and whether a short last batch is dropped.
    public let batchSize: Int, dropLast: Bool
    let collate: ([Element]) throws -> Batch
    public private(set) var epoch = 0

    /// Batches of the stream combined by `collate`.
    public init(
        _ dataset: IterableDataset<Element>, batchSize: Int, dropLast: Bool = false,
        collate: @escaping ([Element]) throws -> Batch
    ) {
        self.dataset = dataset; self.batchSize = batchSize; self.dropLast = dropLast; self.collate = collate
    }

    /// The next epoch's batches.
    public func makeIterator() -> AnyIterator<Batch> {
        let source = dataset.make(epoch)
        epoch += 1
        let (size, drop, collate) = (batchSize, dropLast, self.collate)
        return AnyIterator {
            var items: [Element] = []
            while items.count < size, let x = source.next() { items.append(x) }
            if items.isEmpty || (drop && items.count < size) { return nil }
            do { return try collate(items) } catch { fatalError("IterableLoader: collate failed: \(error)") }
        }
    }
}

extension IterableLoader where Element: Collatable, Batch == Element {
    /// Batches of a stream of tensors, stacked. `IterableLoader(ds, batchSize: 32)`
    public convenience init(_ dataset: IterableDataset<Element>, batchSize: Int, dropLast: Bool = false) {
        self.init(dataset, batchSize: batchSize, dropLast: dropLast, collate: { try Element.collate($0) })
    }
}
