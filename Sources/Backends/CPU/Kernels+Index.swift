import TorchBase

extension CPUKernels {
    /// Element offsets (relative to the storage base) of every element of `layout`, row-major.
    public static func elementOffsets(_ layout: Layout) -> [Int] {
        var out = [Int](repeating: 0, count: layout.count)
        if layout.count == 0 { return out }
        let loop = StridedLoop(shape: layout.shape, operands: [layout])
        let st = loop.innerStride(0)
        out.withUnsafeMutableBufferPointer { buf in
            var pos = 0
            loop.run(0..<loop.count) { off, n in
                let o = off[0]
                for i in 0..<n { buf[pos + i] = o + i * st }
                pos += n
            }
        }
        return out
    }

    /// `dst[i] = src[offsets[i]]` for a contiguous `dst` (elements of `itemSize` bytes).
    public static func gatherElements(
        dst: UnsafeMutableRawPointer, src: UnsafeRawPointer, offsets: [Int], itemSize: Int
    ) {
        func run<T>(_: T.Type) {
            let d = dst.assumingMemoryBound(to: T.self), s = src.assumingMemoryBound(to: T.self)
            offsets.withUnsafeBufferPointer { o in
                Parallel.forRange(o.count) { r in for i in r { d[i] = s[o[i]] } }
            }
        }
        switch itemSize {
        case 1: run(UInt8.self)
        case 2: run(UInt16.self)
        case 4: run(UInt32.self)
        case 8: run(UInt64.self)
        default: run(SIMD2<UInt64>.self)
        }
    }

    /// `dst[offsets[i]] = src[i]` (the last write wins for repeated offsets), `src` contiguous.
    public static func scatterElements(
        dst: UnsafeMutableRawPointer, src: UnsafeRawPointer, offsets: [Int], itemSize: Int
    ) {
        func run<T>(_: T.Type) {
            let d = dst.assumingMemoryBound(to: T.self), s = src.assumingMemoryBound(to: T.self)
            for (i, o) in offsets.enumerated() { d[o] = s[i] }
        }
        switch itemSize {
        case 1: run(UInt8.self)
        case 2: run(UInt16.self)
        case 4: run(UInt32.self)
        case 8: run(UInt64.self)
        default: run(SIMD2<UInt64>.self)
        }
    }

    /// `dst[offsets[i]] += src[i]` in order (deterministic), both of native dtype `dtype`.
    public static func scatterAdd(dst: UnsafeMutableRawPointer, src: UnsafeRawPointer, offsets: [Int], dtype: DType) {
        if dtype.isComplex {
            // Complex elements: their two parts, added as reals.
            let parts = offsets.flatMap { [2 * $0, 2 * $0 + 1] }
            scatterAdd(dst: dst, src: src, offsets: parts, dtype: dtype.realPart)
            return
        }
        struct V: KernelVisitor {
            let dst: UnsafeMutableRawPointer, src: UnsafeRawPointer, offsets: [Int]
            func visitNative<T: NativeScalar>(_: T.Type) {
                let d = dst.assumingMemoryBound(to: T.self), s = src.assumingMemoryBound(to: T.self)
                for (i, o) in offsets.enumerated() { d[o] = T.add(d[o], s[i]) }
            }
        }
        dtype.dispatchNative(V(dst: dst, src: src, offsets: offsets))
    }
}
