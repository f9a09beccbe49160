/// How a tensor's elements sit in its storage: shape, strides (in elements) and offset.
/// Contiguity is computed once, when the layout is made.
///
/// ```swift
/// let l = Layout(shape: [2, 3])     // strides [3, 1], contiguous
/// l.transposed(0, 1).isContiguous   // false
/// ```
public struct Layout: Equatable, Sendable {
    /// The size of each dimension.
    public let shape: [Int]
    /// Elements between neighbours along each dimension.
    public let strides: [Int]
    /// The first element's index in the storage.
    public let offset: Int
    /// The number of elements.
    public let count: Int
    /// Whether the elements are row-major without gaps (size-1 dimensions may have any stride).
    public let isContiguous: Bool

    /// The contiguous layout of `shape`. `Layout(shape: [2, 3]).strides   // [3, 1]`
    @inlinable public init(shape: [Int]) {
        self.shape = shape
        self.strides = Layout.contiguousStrides(shape)
        self.offset = 0
        var n = 1
        for s in shape { n &*= s }
        self.count = n
        self.isContiguous = true
    }

    /// A layout with explicit strides and offset. `Layout(shape: [3], strides: [2], offset: 1)`
    public init(shape: [Int], strides: [Int], offset: Int = 0) {
        precondition(shape.count == strides.count, "Layout: shape \(shape) and strides \(strides) differ in rank")
        self.shape = shape
        self.strides = strides
        self.offset = offset
        var n = 1
        for s in shape { n &*= s }
        self.count = n
        self.isContiguous = Layout.computeContiguous(shape, strides)
    }

    /// The number of dimensions.
    @inlinable public var rank: Int { shape.count }

    /// The row-major strides of `shape`.
    @inlinable public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        var i = shape.count - 1
        while i >= 0 {
            strides[i] = acc
            acc &*= Swift.max(shape[i], 1)
            i -= 1
        }
        return strides
    }

    /// Contiguous in row-major order; size-1 dimensions may carry any stride (as in PyTorch).
    public static func computeContiguous(_ shape: [Int], _ strides: [Int]) -> Bool {
        if shape.contains(0) { return true }
        var expected = 1
        var i = shape.count - 1
        while i >= 0 {
            let s = shape[i]
            if s == 0 { return true }
            if s != 1 {
                if strides[i] != expected { return false }
                expected &*= s
            }
            i -= 1
        }
        return true
    }

    /// Smallest and largest storage offset an element of this layout touches (nil when empty).
    public var storageExtent: (min: Int, max: Int)? {
        if count == 0 { return nil }
        var lo = offset, hi = offset
        for (s, st) in zip(shape, strides) {
            if st >= 0 { hi += (s - 1) * st } else { lo += (s - 1) * st }
        }
        return (lo, hi)
    }

    /// True when no two elements share a storage offset (sizes sorted by stride each fit inside
    /// the next stride). Broadcast (stride 0) dimensions of size > 1 overlap.
    public var isNonOverlapping: Bool {
        var dims = (0..<rank).filter { shape[$0] > 1 }
        if dims.contains(where: { strides[$0] == 0 }) { return false }
        dims.sort { Swift.abs(strides[$0]) < Swift.abs(strides[$1]) }
        var extent = 1
        for d in dims {
            if Swift.abs(strides[d]) < extent { return false }
            extent = Swift.abs(strides[d]) * (shape[d] - 1) + extent
        }
        return true
    }

    /// True when the elements fill the storage range from `offset` exactly once each, in some
    /// order (contiguous, or a permutation of contiguous dimensions), with no negative stride.
    public var isDense: Bool {
        guard count > 0, strides.allSatisfy({ $0 >= 0 }), isNonOverlapping, let e = storageExtent else { return false }
        return e.min == offset && e.max - e.min + 1 == count
    }

    /// This layout with dimensions `a` and `b` swapped (a view).
    public func transposed(_ a: Int, _ b: Int) -> Layout {
        var sh = shape, st = strides
        sh.swapAt(a, b)
        st.swapAt(a, b)
        return Layout(shape: sh, strides: st, offset: offset)
    }

    /// This layout broadcast to `target` (stride 0 on expanded dimensions). The shapes must be compatible.
    public func broadcast(to target: [Int]) -> Layout {
        if shape == target { return self }
        let pad = target.count - shape.count
        var st = [Int](repeating: 0, count: target.count)
        for i in 0..<shape.count where shape[i] != 1 {
            st[i + pad] = strides[i]
        }
        return Layout(shape: target, strides: st, offset: offset)
    }
}

/// Row-major multi-index of linear position `linear` in `shape`.
@inlinable public func unravelIndex(_ linear: Int, _ shape: [Int]) -> [Int] {
    var idx = [Int](repeating: 0, count: shape.count)
    var rem = linear
    var i = shape.count - 1
    while i >= 0 {
        let s = shape[i]
        if s > 0 { idx[i] = rem % s; rem /= s }
        i -= 1
    }
    return idx
}

extension Array where Element == Int {
    /// Product of the elements (1 for an empty shape).
    @inlinable public var product: Int { reduce(1, &*) }
}
