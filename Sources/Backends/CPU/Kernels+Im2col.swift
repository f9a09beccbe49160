import TorchBase
import _CTorch

/// Dedicated 2-D im2col/col2im loops for contiguous float32/float64 [N, C, H, W] tensors: the
/// window views' strided copies spend most of their time on short rows (the output width), so
/// these walk the rows directly, one channel per task.
extension CPUKernels {
    /// cols[(c·kh + i)·kw + j][n][oy][ox] = x[n][c][oy·sh + i·dh][ox·sw + j·dw].
    public static func im2col2d(_ dtype: DType, x: UnsafeRawPointer, cols: UnsafeMutableRawPointer, _ g: Window2D) {
        dtype.dispatchFloat(Im2col(x: x, cols: cols, g: g))
    }

    struct Im2col: KernelVisitor {
        let x: UnsafeRawPointer, cols: UnsafeMutableRawPointer, g: Window2D
        func visitFloat<T: FloatScalar>(_: T.Type) {
            CPUKernels.im2col2d(x.assumingMemoryBound(to: T.self), cols.assumingMemoryBound(to: T.self), g)
        }
    }

    struct Col2im: KernelVisitor {
        let cols: UnsafeRawPointer, out: UnsafeMutableRawPointer, g: Window2D
        func visitFloat<T: FloatScalar>(_: T.Type) {
            CPUKernels.col2im2d(cols.assumingMemoryBound(to: T.self), out.assumingMemoryBound(to: T.self), g)
        }
    }

    struct PoolIndices: KernelVisitor {
        let x: UnsafeRawPointer, idx: UnsafeMutablePointer<Int>, g: Window2D
        func visitFloat<T: FloatScalar>(_: T.Type) {
            CPUKernels.maxPool2dIndices(x.assumingMemoryBound(to: T.self), idx, g)
        }
    }

    /// out[n][c][oy·sh + i·dh][ox·sw + j·dw] += cols[(c·kh + i)·kw + j][n][oy][ox], `out` zeroed here.
    public static func col2im2d(_ dtype: DType, cols: UnsafeRawPointer, out: UnsafeMutableRawPointer, _ g: Window2D) {
        dtype.dispatchFloat(Col2im(cols: cols, out: out, g: g))
    }

    @inline(__always)
    static func im2col2d<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ cols: UnsafeMutablePointer<T>, _ g: Window2D)
    {
        let plane = g.h * g.w, l = g.oh * g.ow
        // One task per column row (channel, kernel offset): rows never overlap.
        Parallel.forRange(g.c * g.kh * g.kw, grain: Swift.max(1, 16_384 / Swift.max(g.n * l, 1))) { r in
            for row in r {
                let c = row / (g.kh * g.kw), i = row / g.kw % g.kh, j = row % g.kw
                var dst = cols + row * g.n * l
                for n in 0..<g.n {
                    let src = x + (n * g.c + c) * plane + i * g.dh * g.w + j * g.dw
                    for oy in 0..<g.oh {
                        let line = src + oy * g.sh * g.w
                        if g.sw == 1 {
                            dst.update(from: line, count: g.ow)
                        } else {
                            for ox in 0..<g.ow { dst[ox] = line[ox * g.sw] }
                        }
                        dst += g.ow
                    }
                }
            }
        }
    }

    @inline(__always)
    static func col2im2d<T: BinaryFloatingPoint>(
        _ cols: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ g: Window2D
    ) {
        let plane = g.h * g.w, l = g.oh * g.ow
        Parallel.forRange(g.c, grain: Swift.max(1, 16_384 / Swift.max(g.n * l * g.kh * g.kw, 1))) { r in
            for c in r {
                for n in 0..<g.n { (out + (n * g.c + c) * plane).update(repeating: 0, count: plane) }
                for i in 0..<g.kh {
                    for j in 0..<g.kw {
                        var src = cols + ((c * g.kh + i) * g.kw + j) * g.n * l
                        for n in 0..<g.n {
                            let dst = out + (n * g.c + c) * plane + i * g.dh * g.w + j * g.dw
                            for oy in 0..<g.oh {
                                let row = dst + oy * g.sh * g.w
                                for ox in 0..<g.ow { row[ox * g.sw] += src[ox] }
                                src += g.ow
                            }
                        }
                    }
                }
            }
        }
    }
}

extension CPUKernels {
    /// For each output of a 2-D max pooling of a contiguous [N, C, H, W] tensor, the linear index
    /// (into that tensor) of the first maximum of its window, NaN counting as the maximum (as
    /// PyTorch's max_pool2d picks its indices).
    public static func maxPool2dIndices(_ dtype: DType, x: UnsafeRawPointer, _ g: Window2D) -> [Int] {
        var out = [Int](repeating: 0, count: g.n * g.c * g.oh * g.ow)
        out.withUnsafeMutableBufferPointer { idx in
            let p = idx.baseAddress!
            if dtype == .float32 {
                // float32: the C loops (vconv.c), with a straight-line body for 2x2 windows.
                var pg = ctorch_pool_geometry(
                    h: g.h, w: g.w, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, dh: g.dh, dw: g.dw, oh: g.oh, ow: g.ow)
                let src = x.assumingMemoryBound(to: Float.self)
                let work = Swift.max(g.oh * g.ow * g.kh * g.kw, 1)
                withUnsafePointer(to: &pg) { gp in
                    p.withMemoryRebound(to: CLong.self, capacity: g.n * g.c * g.oh * g.ow) { ip in
                        Parallel.forRange(g.n * g.c, grain: Swift.max(1, 16_384 / work)) { r in
                            ctorch_max_pool2d_indices_f32(src, ip, gp, r.lowerBound, r.upperBound)
                        }
                    }
                }
            } else {
                dtype.dispatchFloat(PoolIndices(x: x, idx: p, g: g))
            }
        }
        return out
    }

    @inline(__always)
    static func maxPool2dIndices<T: BinaryFloatingPoint>(
        _ x: UnsafePointer<T>, _ idx: UnsafeMutablePointer<Int>, _ g: Window2D
    ) {
        let planes = g.n * g.c, outPlane = g.oh * g.ow
        Parallel.forRange(planes, grain: Swift.max(1, 8192 / Swift.max(outPlane * g.kh * g.kw, 1))) { r in
            // The common windows with their sizes as constants, so that the window loops unroll.
            switch (g.kh, g.kw, g.dh, g.dw) {
            case (2, 2, 1, 1): poolPlanes(x, idx, g, r, kh: 2, kw: 2, dh: 1, dw: 1)
            case (3, 3, 1, 1): poolPlanes(x, idx, g, r, kh: 3, kw: 3, dh: 1, dw: 1)
            default: poolPlanes(x, idx, g, r, kh: g.kh, kw: g.kw, dh: g.dh, dw: g.dw)
            }
        }
    }

    /// The first maximum of each window of planes `r`, NaN counting as the maximum (float64 here;
    /// float32 runs vconv.c's loops). Written as a select, not a branch: with random data a branch
    /// is mispredicted half the time (the MNIST example's 2x2 pooling: 6 ms → 0.7 ms on 2 threads
    /// of a Zen 3); on an Emerald Rapids Xeon the compiler still made branches of it (12-15 ms).
    @inline(__always)
    static func poolPlanes<T: BinaryFloatingPoint>(
        _ x: UnsafePointer<T>, _ idx: UnsafeMutablePointer<Int>, _ g: Window2D, _ r: Range<Int>, kh: Int, kw: Int,
        dh: Int, dw: Int
    ) {
        let plane = g.h * g.w, outPlane = g.oh * g.ow
        for pl in r {
            let base = pl * plane
            var o = idx + pl * outPlane
            for oy in 0..<g.oh {
                for ox in 0..<g.ow {
                    let y0 = oy * g.sh, x0 = ox * g.sw
                    var best = base + y0 * g.w + x0
                    var bestValue = x[best]
                    for i in 0..<kh {
                        let row = base + (y0 + i * dh) * g.w + x0
                        for j in 0..<kw {
                            let k = row + j * dw
                            let v = x[k]
                            // Bitwise on the comparisons: `||` would be compiled to a branch.
                            let greater = unsafeBitCast(v > bestValue, to: UInt8.self)
                            let newNaN = unsafeBitCast(v != v, to: UInt8.self)
                            let oldNumber = unsafeBitCast(bestValue == bestValue, to: UInt8.self)
                            let take = (greater | (newNaN & oldNumber)) != 0
                            best = take ? k : best
                            bestValue = take ? v : bestValue
                        }
                    }
                    o.pointee = best
                    o += 1
                }
            }
        }
    }
}
