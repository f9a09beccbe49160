import Torch
import TorchBase

/// CIFAR-10 from its binary batches (`data_batch_1.bin` ... `data_batch_5.bin`, `test_batch.bin`):
/// records of one label byte and 3×32×32 image bytes. Images come as float32 [N, 3, 32, 32] in
/// [0, 1], labels as int64 [N].
public struct CIFAR10 {
    /// Bytes per record in the binary batches: a label byte and 3×32×32 pixels.
    public static let recordBytes = 1 + 3 * 32 * 32
    /// The images [N, 3, 32, 32] as uint8.
    public let images: Tensor
    /// The labels [N] as int64 in 0..<10.
    public let labels: Tensor

    /// Reads the binary batches under `root` (the training batches or the test batch).
    ///
    /// ```swift
    /// let train = try CIFAR10(root: "cifar-10-batches-bin", train: true)
    /// ```
    public init(root: String, train: Bool) throws {
        let files = train ? (1...5).map { "\(root)/data_batch_\($0).bin" } : ["\(root)/test_batch.bin"]
        var labels: [Int64] = []
        var pixels: [UInt8] = []
        for f in files {
            let b = try IDX.readBytes(f)
            if b.isEmpty || b.count % CIFAR10.recordBytes != 0 {
                throw DataError(
                    path: f,
                    reason:
                        "size \(b.count) is not a whole number of \(CIFAR10.recordBytes)-byte records (truncated or "
                        + "corrupt)"
                )
            }
            let n = b.count / CIFAR10.recordBytes
            labels.reserveCapacity(labels.count + n)
            for r in 0..<n {
                let o = r * CIFAR10.recordBytes
                if b[o] > 9 { throw DataError(path: f, reason: "record \(r) has label \(b[o]), expected 0...9") }
                labels.append(Int64(b[o]))
                pixels += b[(o + 1)..<(o + CIFAR10.recordBytes)]
            }
        }
        self.labels = Tensor(shape: [labels.count], scalars: labels)
        images = Tensor(shape: [labels.count, 3, 32, 32], scalars: pixels).to(.float32) / 255
    }

    /// The number of images.
    public var count: Int { labels.shape[0] }
}
