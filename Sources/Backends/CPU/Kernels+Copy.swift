import TorchBase
#if canImport(Glibc)
    import Glibc
#endif

@inlinable func convert<S: TensorElement, D: TensorElement>(_ s: S, to: D.Type) -> D {
    if S.self == D.self { return unsafeBitCast(s, to: D.self) }
    if D.dtype == .bool { return D(fromInt64: s.asDouble != 0 || s.imagDouble != 0 ? 1 : 0) }
    if D.dtype.isComplex || S.dtype.isComplex { return D(real: s.asDouble, imag: s.imagDouble) }
    if D.dtype.isFloatingPoint || S.dtype.isFloatingPoint { return D(fromDouble: s.asDouble) }
    return D(fromInt64: s.asInt64)
}

/// Element-wise copy with conversion: `dst[i] = D(src[i])`, any layouts of one shape.
@_spi(Kernels) public enum CPUKernels {
    public static func copy(_ dst: KernelOperand, _ src: KernelOperand) {
        precondition(dst.layout.shape == src.layout.shape, "copy: shapes differ")
        if dst.dtype == src.dtype && dst.layout.isContiguous && src.layout.isContiguous {
            let bytes = dst.layout.count * dst.dtype.itemSize
            let d = dst.base + dst.layout.offset * dst.dtype.itemSize
            let s = src.base + src.layout.offset * src.dtype.itemSize
            if bytes >= 1 << 20 {
                Parallel.forRange(bytes, grain: 1 << 20) { r in
                    memcpy(d + r.lowerBound, s + r.lowerBound, r.count)
                }
            } else if bytes > 0 {
                memmove(d, s, bytes)
            }
            return
        }
        src.dtype.dispatchElement(CopyOuter(dst: dst, src: src))
    }

    struct CopyOuter: KernelVisitor {
        let dst: KernelOperand, src: KernelOperand
        func visitElement<S: TensorElement>(_: S.Type) { dst.dtype.dispatchElement(CopyInner<S>(dst: dst, src: src)) }
    }

    struct CopyInner<S: TensorElement>: KernelVisitor {
        let dst: KernelOperand, src: KernelOperand
        func visitElement<D: TensorElement>(_: D.Type) {
            let loop = StridedLoop(shape: dst.layout.shape, operands: [dst.layout, src.layout])
            let dp = dst.base.assumingMemoryBound(to: D.self)
            let sp = src.base.assumingMemoryBound(to: S.self)
            let sd = loop.innerStride(0), ss = loop.innerStride(1)
            if loop.shape.count >= 2 && loop.innerSize < 16 && loop.count > 0 {
                // A short innermost dim (an expanded or interleaved view: nearest upsampling's
                // [.., W, 2] from [.., W, 1]): iterate the two innermost dims here, so the loop's
                // per-row work is paid once per outer row, not once per two elements.
                copyShortRows(loop, dp, sp)
                return
            }
            loop.forEachRow { off, n in
                let d = dp + off[0], s = sp + off[1]
                if sd == 1 && ss == 1 {
                    for i in 0..<n { d[i] = convert(s[i], to: D.self) }
                } else if sd == 1 && ss == 0 {
                    let v = convert(s[0], to: D.self)
                    for i in 0..<n { d[i] = v }
                } else {
                    for i in 0..<n { d[i * sd] = convert(s[i * ss], to: D.self) }
                }
            }
        }
    }

    /// The copy of `CopyInner` for a coalesced iteration space whose innermost dim is short: the
    /// outer loop runs over all other dims, each of its rows copying `rows × inner` elements.
    @inline(__always)
    static func copyShortRows<S: TensorElement, D: TensorElement>(
        _ loop: StridedLoop, _ dp: UnsafeMutablePointer<D>, _ sp: UnsafeMutablePointer<S>
    ) {
        let rank = loop.shape.count, inner = loop.innerSize
        let sd0 = loop.innerStride(0), ss0 = loop.innerStride(1)
        let outerShape = Array(loop.shape.dropLast())
        let dOuter = Layout(
            shape: outerShape, strides: (0..<rank - 1).map { loop.strides[$0 * 2] }, offset: loop.bases[0])
        let sOuter = Layout(
            shape: outerShape, strides: (0..<rank - 1).map { loop.strides[$0 * 2 + 1] }, offset: loop.bases[1])
        let outer = StridedLoop(shape: outerShape, operands: [dOuter, sOuter])
        let sd1 = outer.innerStride(0), ss1 = outer.innerStride(1)
        Parallel.forRange(outer.count, grain: Swift.max(1, 32_768 / inner)) { r in
            outer.run(r) { off, n in
                let d = dp + off[0], s = sp + off[1]
                if ss0 == 0 && sd0 == 1 {
                    // Repeating each source element `inner` times (an expanded last dim).
                    for i in 0..<n {
                        let v = convert(s[i * ss1], to: D.self)
                        (d + i * sd1).update(repeating: v, count: inner)
                    }
                    return
                }
                for i in 0..<n {
                    let di = d + i * sd1, si = s + i * ss1
                    for j in 0..<inner { di[j * sd0] = convert(si[j * ss0], to: D.self) }
                }
            }
        }
    }

    /// Fills every element of `dst` with `value` converted to its dtype.
    public static func fill(_ dst: KernelOperand, _ value: Double, exactInt: Int64? = nil) {
        if value == 0 && value.sign == .plus && dst.layout.isContiguous {
            // Zeros of every dtype are all-zero bytes: one memset.
            let size = dst.dtype.itemSize
            (dst.base + dst.layout.offset * size).initializeMemory(
                as: UInt8.self, repeating: 0, count: dst.layout.count * size)
            return
        }
        dst.dtype.dispatchElement(Fill(dst: dst, value: value, exactInt: exactInt))
    }

    struct Fill: KernelVisitor {
        let dst: KernelOperand, value: Double, exactInt: Int64?
        func visitElement<D: TensorElement>(_: D.Type) {
            let v: D =
                exactInt.map { D.dtype.isFloatingPoint ? D(fromDouble: Double($0)) : D(fromInt64: $0) }
                ?? D(fromDouble: value)
            if dst.layout.isContiguous {
                let p = dst.base.assumingMemoryBound(to: D.self) + dst.layout.offset
                let n = dst.layout.count
                if n < 1 << 16 {
                    p.update(repeating: v, count: n)
                } else {
                    Parallel.forRange(n, grain: 1 << 16) { r in (p + r.lowerBound).update(repeating: v, count: r.count)
                    }
                }
                return
            }
            let loop = StridedLoop(shape: dst.layout.shape, operands: [dst.layout])
            let dp = dst.base.assumingMemoryBound(to: D.self)
            let sd = loop.innerStride(0)
            loop.forEachRow { off, n in
                let d = dp + off[0]
                if sd == 1 { d.update(repeating: v, count: n) } else { for i in 0..<n { d[i * sd] = v } }
            }
        }
    }
}
