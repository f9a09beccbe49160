import Torch
import TorchBase

/// A sample transform (torchvision's transforms), applied to one tensor.
///
/// ```swift
/// let t = Transform.compose([.randomCrop(28, padding: 4), .randomHorizontalFlip(),
///                            .normalize(mean: [0.286], std: [0.353])])
/// ```
public struct Transform {
    /// The function applied to each sample.
    public let apply: (Tensor) -> Tensor
    /// A transform applying `f`. `Transform { $0 / 255 }`
    public init(_ f: @escaping (Tensor) -> Tensor) { apply = f }
    /// `apply(x)`.
    public func callAsFunction(_ x: Tensor) -> Tensor { apply(x) }

    /// The transforms applied in order.
    /// `Transform.compose([.lambda { $0 / 255 }, .normalize(mean: [0.5], std: [0.5])])`
    public static func compose(_ ts: [Transform]) -> Transform { Transform { x in ts.reduce(x) { $1($0) } } }
    /// A transform from any function. `Transform.lambda { $0.flip([2]) }`
    public static func lambda(_ f: @escaping (Tensor) -> Tensor) -> Transform { Transform(f) }

    /// uint8 images [H, W] or [H, W, C] to float32 [C, H, W] in [0, 1] (float inputs keep their values).
    public static var toTensor: Transform {
        Transform { x in
            let f = x.dtype == .uint8 ? x.to(.float32) / 255 : x.to(.float32)
            return x.rank == 2 ? f.unsqueeze(0) : f.permute([2, 0, 1]).contiguous()
        }
    }

    /// `(x - mean[c]) / std[c]` per channel of a [C, H, W] tensor.
    public static func normalize(mean: [Double], std: [Double]) -> Transform {
        Transform { x in
            let m = Tensor(mean, dtype: x.dtype).view([mean.count, 1, 1])
            let s = Tensor(std, dtype: x.dtype).view([std.count, 1, 1])
            return (x - m) / s
        }
    }

    /// A random `size`×`size` crop of a [C, H, W] tensor after zero-padding each side by `padding`.
    public static func randomCrop(_ size: Int, padding: Int = 0) -> Transform {
        Transform { x in
            let p = padding > 0 ? x.pad([padding, padding, padding, padding]) : x
            let h = p.shape[1], w = p.shape[2]
            let g = SampleRandom.current
            let top = Tensor.randint(0, h - size + 1, [1], generator: g).item(Int.self)
            let left = Tensor.randint(0, w - size + 1, [1], generator: g).item(Int.self)
            return p[TensorIndex.all, top..<(top + size), left..<(left + size)].contiguous()
        }
    }

    /// Mirrors a [C, H, W] tensor left-right with probability `p`.
    public static func randomHorizontalFlip(_ p: Double = 0.5) -> Transform {
        Transform { x in
            Tensor.rand([1], dtype: .float64, generator: SampleRandom.current).item() < p ? x.flip([x.rank - 1]) : x
        }
    }
}

/// A dataset whose samples go through `transform` (applied in the loader's workers).
public struct MappedDataset<D: Dataset, T>: Dataset {
    /// The dataset transformed.
    public let base: D
    /// The function applied to each of its samples.
    public let transform: (D.Element) throws -> T
    /// `base` with `transform` applied to each sample on access. `MappedDataset(ds) { try augment($0) }`
    public init(_ base: D, _ transform: @escaping (D.Element) throws -> T) {
        self.base = base; self.transform = transform
    }
    /// The base dataset's size.
    public var count: Int { base.count }
    /// The transformed sample `index`.
    public func get(_ index: Int) throws -> T { try transform(base.get(index)) }
}

extension Dataset {
    /// This dataset with `transform` applied to each sample.
    public func map<T>(_ transform: @escaping (Element) throws -> T) -> MappedDataset<Self, T> {
        MappedDataset(self, transform)
    }
}
