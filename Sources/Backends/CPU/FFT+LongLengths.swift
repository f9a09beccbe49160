import TorchBase

#if canImport(Glibc)
    import Glibc
#endif

// The two algorithms of Note [CPU FFT] for long lengths and large prime factors: Bailey's
// four-step split and Bluestein's chirp-z convolution, each built on the Stockham plans.

/// The four-step algorithm for a long transform, n = n1·n2 (Bailey): n2 transforms of length n1
/// over the columns of the n1×n2 matrix x, a twiddle exp(∓2πi·j2·k1/n), n1 transforms of length
/// n2 over the rows, and a transpose; each short transform runs in cache and the rows run in
/// parallel, where one Stockham pass per radix would stream the whole sequence through memory.
final class FourStep<T: FloatScalar>: @unchecked Sendable {
    /// The shortest length planned this way.
    static var threshold: Int { 1 << 17 }
    let n1: Int, n2: Int
    let columns: FFTPlan<T>, rows: FFTPlan<T>
    /// exp(dir·2πi·e/n) = high[e / n2] · low[e % n2]: the twiddle of exponent e from two short tables.
    let high: [Cx<T>], low: [Cx<T>]

    /// The factor pair closest to √n whose factors both have plans of their own (no Bluestein).
    static func split(_ n: Int) -> (Int, Int)? {
        var best: (Int, Int)? = nil
        var a = 2
        while a * a <= n {
            if n % a == 0, FFTPlan<T>.factors(a).allSatisfy({ $0 <= 31 }),
                FFTPlan<T>.factors(n / a).allSatisfy({ $0 <= 31 })
            {
                best = (a, n / a)
            }
            a += 1
        }
        guard let b = best, b.0 >= 16 else { return nil }
        return b
    }

    init(n1: Int, n2: Int, inverse: Bool) {
        self.n1 = n1
        self.n2 = n2
        columns = FFTPlans.plan(T.self, n: n1, inverse: inverse)
        rows = FFTPlans.plan(T.self, n: n2, inverse: inverse)
        let n = Double(n1 * n2), d: Double = inverse ? 1 : -1
        high = (0..<(n1 + 1)).map { h in
            let a = d * 2 * Double.pi * Double(h * n2) / n
            return Cx(T(cos(a)), T(sin(a)))
        }
        low = (0..<n2).map { l in
            let a = d * 2 * Double.pi * Double(l) / n
            return Cx(T(cos(a)), T(sin(a)))
        }
    }

    /// `dst` (cols×rows) = transpose of `src` (rows×cols), in cache-sized tiles.
    static func transpose(
        _ src: UnsafeMutablePointer<Cx<T>>, _ dst: UnsafeMutablePointer<Cx<T>>, rows: Int, cols: Int
    ) {
        let tile = 32
        Parallel.forRange((rows + tile - 1) / tile, grain: 4) { r in
            for bi in r {
                let i0 = bi * tile, i1 = Swift.min(i0 + tile, rows)
                var j0 = 0
                while j0 < cols {
                    let j1 = Swift.min(j0 + tile, cols)
                    for i in i0..<i1 {
                        let s = src + i * cols
                        for j in j0..<j1 { dst[j * rows + i] = s[j] }
                    }
                    j0 = j1
                }
            }
        }
    }

    func run(_ x: UnsafeMutablePointer<Cx<T>>, scratch: UnsafeMutablePointer<Cx<T>>) {
        let n = n1 * n2
        // Columns of x (n1×n2) become the rows of scratch (n2×n1).
        FourStep.transpose(x, scratch, rows: n1, cols: n2)
        Parallel.forRange(n2, grain: Swift.max(1, 4096 / n1)) { r in
            let work = UnsafeMutablePointer<Cx<T>>.allocate(capacity: n1)
            defer { work.deallocate() }
            high.withUnsafeBufferPointer { hi in
                low.withUnsafeBufferPointer { lo in
                    for j2 in r {
                        let row = scratch + j2 * n1
                        columns.run(row, scratch: work)
                        // Twiddle exp(dir·2πi·j2·k1/n), its exponent j2·k1 mod n kept as
                        // (h, l) with e = h·n2 + l and stepped without division.
                        let dh = j2 / n2, dl = j2 % n2
                        var h = 0, l = 0
                        for k1 in 0..<n1 {
                            row[k1] = cmul(row[k1], cmul(hi[h], lo[l]))
                            h += dh
                            l += dl
                            if l >= n2 { l -= n2; h += 1 }
                            if h >= n1 { h -= n1 }
                        }
                    }
                }
            }
        }
        FourStep.transpose(scratch, x, rows: n2, cols: n1)
        Parallel.forRange(n1, grain: Swift.max(1, 4096 / n2)) { r in
            let work = UnsafeMutablePointer<Cx<T>>.allocate(capacity: n2)
            defer { work.deallocate() }
            for k1 in r { rows.run(x + k1 * n2, scratch: work) }
        }
        // X[k1 + n1·k2] = C[k1][k2].
        FourStep.transpose(x, scratch, rows: n1, cols: n2)
        x.update(from: scratch, count: n)
    }
}

/// Bluestein's algorithm for a length with a large prime factor (Note [CPU FFT]).
final class Bluestein<T: FloatScalar>: @unchecked Sendable {
    let n: Int, size: Int
    /// exp(±πi k²/n) for k in 0..<n.
    let chirp: [Cx<T>]
    /// The transform of the conjugate chirp, divided by `size`.
    let kernel: [Cx<T>]
    let forward: FFTPlan<T>, backward: FFTPlan<T>

    init(n: Int, inverse: Bool) {
        self.n = n
        var m = 2 * n - 1
        while !FFTPlan<T>.factors(m).allSatisfy({ $0 <= 5 }) { m += 1 }
        size = m
        let d: Double = inverse ? 1 : -1
        var c = [Cx<T>](repeating: .zero, count: n)
        var cd = [Cx<Double>](repeating: .zero, count: n)
        for k in 0..<n {
            // k² mod 2n keeps the angle exact for large k.
            let k2 = (k * k) % (2 * n)
            let a = d * Double.pi * Double(k2) / Double(n)
            cd[k] = Cx(cos(a), sin(a))
            c[k] = Cx(T(cd[k].x), T(cd[k].y))
        }
        chirp = c
        let fwd = FFTPlan<T>(n: m, inverse: false)
        forward = fwd
        backward = FFTPlan(n: m, inverse: true)
        var b = [Cx<T>](repeating: .zero, count: m)
        let scale = 1 / Double(m)
        for k in 0..<n {
            let v = Cx(T(cd[k].x * scale), T(-cd[k].y * scale))
            b[k] = v
            if k > 0 { b[m - k] = v }
        }
        let scratch = UnsafeMutablePointer<Cx<T>>.allocate(capacity: m)
        defer { scratch.deallocate() }
        b.withUnsafeMutableBufferPointer { fwd.run($0.baseAddress!, scratch: scratch) }
        kernel = b
    }

    func run(_ x: UnsafeMutablePointer<Cx<T>>) {
        let a = UnsafeMutablePointer<Cx<T>>.allocate(capacity: 2 * size)
        defer { a.deallocate() }
        let scratch = a + size
        for k in 0..<n { a[k] = cmul(x[k], chirp[k]) }
        (a + n).update(repeating: .zero, count: size - n)
        forward.run(a, scratch: scratch)
        for k in 0..<size { a[k] = cmul(a[k], kernel[k]) }
        backward.run(a, scratch: scratch)
        for k in 0..<n { x[k] = cmul(a[k], chirp[k]) }
    }
}
