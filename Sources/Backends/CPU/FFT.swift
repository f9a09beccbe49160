import Synchronization
import TorchBase

#if canImport(Glibc)
    import Glibc
#endif

// Note [CPU FFT]: a mixed-radix Stockham FFT of our own (Debian's FFTW is GPL and its kissfft is
// float32-only and shared-only). A length n = r₁·r₂·…·r_k is transformed in k passes, each a
// radix-r butterfly over the whole sequence that writes its output already in natural order
// (Stockham's autosort, decimation in frequency): pass i reads x[q + s(p + k·m)] and writes
// y[q + s(r·p + j)], with s the product of the radices before it and m = len / r, multiplying
// output j by the twiddle w^(p·j). Radices 4, 2, 3 and 5 have hand-written butterflies; other
// primes up to 31 use a generic O(r²) butterfly, and a length with a larger prime factor goes
// through Bluestein's chirp-z algorithm (a cyclic convolution of 2,3,5-smooth length M ≥ 2n − 1).
// Real transforms of even length run as a complex transform of half the length with a split
// step (Numerical Recipes' `realft`). Plans (radices, twiddles computed in double precision) are
// cached per length, direction and precision.

typealias Cx<T: SIMDScalar> = SIMD2<T>

@inline(__always) func cmul<T: FloatScalar>(_ a: Cx<T>, _ b: Cx<T>) -> Cx<T> {
    Cx(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x)
}

/// `a · (dir·i)`: a quarter turn, counter-clockwise for dir = 1.
@inline(__always) func turn<T: FloatScalar>(_ a: Cx<T>, _ dir: T) -> Cx<T> { Cx(-dir * a.y, dir * a.x) }

/// Four complex values in one vector (interleaved parts), for the butterflies whose twiddle is
/// shared by consecutive q: loads and stores need no alignment.
enum Lanes<T: FloatScalar> {
    typealias V = SIMD8<T>
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Cx<T>>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }
    @inline(__always) static func store(_ p: UnsafeMutablePointer<Cx<T>>, _ v: V) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }
    /// (x, y) → (y, x) in each complex value.
    @inline(__always) static func swapPairs(_ v: V) -> V { V(v[1], v[0], v[3], v[2], v[5], v[4], v[7], v[6]) }
    /// The broadcast parts of twiddle w, laid out for `mul`.
    @inline(__always) static func twiddle(_ w: Cx<T>) -> (V, V) {
        (V(repeating: w.x), V(-w.y, w.y, -w.y, w.y, -w.y, w.y, -w.y, w.y))
    }
    /// a·w with w given by `twiddle`.
    @inline(__always) static func mul(_ a: V, _ re: V, _ im: V) -> V { a * re + swapPairs(a) * im }
    /// The factor that makes swapPairs(a)·rotation(dir) = a·(dir·i).
    @inline(__always) static func rotation(_ dir: T) -> V { V(-dir, dir, -dir, dir, -dir, dir, -dir, dir) }
}

/// One planned complex transform length and direction (Note [CPU FFT]).
final class FFTPlan<T: FloatScalar>: @unchecked Sendable {
    let n: Int
    /// +1 for the inverse (exp(+2πi…)), -1 for the forward transform.
    let dir: T
    let radices: [Int]
    /// Per pass: w^(p·j) for p in 0..<m, j in 1..<r, at p·(r−1) + j − 1.
    let twiddles: [[Cx<T>]]
    /// Per pass with a generic radix: the r-th roots of unity.
    let roots: [[Cx<T>]]
    let bluestein: Bluestein<T>?
    /// For a large length: the four-step split n = n1·n2 (Note [CPU FFT]).
    let fourStep: FourStep<T>?
    /// exp(dir·2πik/(2n)) for k < n: the split step of a real transform of 2n points run
    /// through this plan.
    let realTwiddles: [Cx<T>]

    init(n: Int, inverse: Bool) {
        self.n = n
        dir = inverse ? 1 : -1
        let d: Double = inverse ? 1 : -1
        realTwiddles = (0..<n).map { k in
            let a = d * Double.pi * Double(k) / Double(n)
            return Cx(T(cos(a)), T(sin(a)))
        }
        if let big = FFTPlan.factors(n).last, big > 31 {
            radices = []
            twiddles = []
            roots = []
            fourStep = nil
            bluestein = Bluestein(n: n, inverse: inverse)
            return
        }
        bluestein = nil
        if n >= FourStep<T>.threshold, let (n1, n2) = FourStep<T>.split(n) {
            radices = []
            twiddles = []
            roots = []
            fourStep = FourStep(n1: n1, n2: n2, inverse: inverse)
            return
        }
        fourStep = nil
        radices = FFTPlan.radices(n)
        var tw: [[Cx<T>]] = [], rt: [[Cx<T>]] = []
        var len = n
        for r in radices {
            let m = len / r
            var t = [Cx<T>](repeating: .zero, count: m * (r - 1))
            for p in 0..<m {
                for j in 1..<r {
                    let a = d * 2 * Double.pi * Double(p * j) / Double(len)
                    t[p * (r - 1) + j - 1] = Cx(T(cos(a)), T(sin(a)))
                }
            }
            tw.append(t)
            rt.append(
                (0..<r).map { k in
                    let a = d * 2 * Double.pi * Double(k) / Double(r); return Cx(T(cos(a)), T(sin(a)))
                })
            len = m
        }
        twiddles = tw
        roots = rt
    }

    /// The prime factors of n, ascending.
    static func factors(_ n: Int) -> [Int] {
        var out: [Int] = [], v = n, p = 2
        while p * p <= v {
            while v % p == 0 { out.append(p); v /= p }
            p += 1
        }
        if v > 1 { out.append(v) }
        return out
    }

    /// The radices: as many 4s as fit, then a 2, then the odd primes.
    static func radices(_ n: Int) -> [Int] {
        var f = factors(n)
        let twos = f.filter { $0 == 2 }.count
        f.removeAll { $0 == 2 }
        return [Int](repeating: 4, count: twos / 2) + (twos % 2 == 1 ? [2] : []) + f
    }

    /// Transforms `x` (n complex values) in place, with `scratch` of n values.
    func run(_ x: UnsafeMutablePointer<Cx<T>>, scratch: UnsafeMutablePointer<Cx<T>>) {
        if n <= 1 { return }
        if let b = bluestein {
            b.run(x)
            return
        }
        if let f = fourStep {
            f.run(x, scratch: scratch)
            return
        }
        var src = x, dst = scratch
        var len = n, s = 1
        for (i, r) in radices.enumerated() {
            let m = len / r
            twiddles[i].withUnsafeBufferPointer { tw in
                switch r {
                case 4: pass4(src, dst, m: m, s: s, tw: tw.baseAddress!)
                case 2: pass2(src, dst, m: m, s: s, tw: tw.baseAddress!)
                case 3: pass3(src, dst, m: m, s: s, tw: tw.baseAddress!)
                case 5: pass5(src, dst, m: m, s: s, tw: tw.baseAddress!)
                default: passGeneric(src, dst, r: r, m: m, s: s, tw: tw.baseAddress!, roots: roots[i])
                }
            }
            swap(&src, &dst)
            len = m
            s *= r
        }
        if src != x { x.update(from: src, count: n) }
    }

    @inline(__always) func pass2(
        _ x: UnsafeMutablePointer<Cx<T>>, _ y: UnsafeMutablePointer<Cx<T>>, m: Int, s: Int,
        tw: UnsafePointer<Cx<T>>
    ) {
        for p in 0..<m {
            let w = tw[p]
            let xi = x + s * p, yo = y + s * 2 * p
            for q in 0..<s {
                let a = xi[q], b = xi[q + s * m]
                yo[q] = a + b
                yo[q + s] = cmul(a - b, w)
            }
        }
    }

    @inline(__always) func pass4(
        _ x: UnsafeMutablePointer<Cx<T>>, _ y: UnsafeMutablePointer<Cx<T>>, m: Int, s: Int,
        tw: UnsafePointer<Cx<T>>
    ) {
        let sm = s * m
        for p in 0..<m {
            let w1 = tw[3 * p], w2 = tw[3 * p + 1], w3 = tw[3 * p + 2]
            let xi = x + s * p, yo = y + s * 4 * p
            var q = 0
            if s >= 4 {
                // Four butterflies at once: the twiddles are the same for every q of this p.
                let (r1, i1) = Lanes<T>.twiddle(w1), (r2, i2) = Lanes<T>.twiddle(w2), (r3, i3) = Lanes<T>.twiddle(w3)
                let rot = Lanes<T>.rotation(dir)
                while q + 4 <= s {
                    let a0 = Lanes.load(xi + q), a1 = Lanes.load(xi + q + sm)
                    let a2 = Lanes.load(xi + q + 2 * sm), a3 = Lanes.load(xi + q + 3 * sm)
                    let t0 = a0 + a2, t1 = a0 - a2, t2 = a1 + a3, t3 = Lanes.swapPairs(a1 - a3) * rot
                    Lanes.store(yo + q, t0 + t2)
                    if p == 0 {
                        // Twiddles of 1: no product (which would turn an infinity into NaN).
                        Lanes.store(yo + q + s, t1 + t3)
                        Lanes.store(yo + q + 2 * s, t0 - t2)
                        Lanes.store(yo + q + 3 * s, t1 - t3)
                    } else {
                        Lanes.store(yo + q + s, Lanes.mul(t1 + t3, r1, i1))
                        Lanes.store(yo + q + 2 * s, Lanes.mul(t0 - t2, r2, i2))
                        Lanes.store(yo + q + 3 * s, Lanes.mul(t1 - t3, r3, i3))
                    }
                    q += 4
                }
            }
            while q < s {
                let a0 = xi[q], a1 = xi[q + sm], a2 = xi[q + 2 * sm], a3 = xi[q + 3 * sm]
                let t0 = a0 + a2, t1 = a0 - a2, t2 = a1 + a3, t3 = turn(a1 - a3, dir)
                yo[q] = t0 + t2
                if p == 0 {
                    yo[q + s] = t1 + t3
                    yo[q + 2 * s] = t0 - t2
                    yo[q + 3 * s] = t1 - t3
                    q += 1
                    continue
                }
                yo[q + s] = cmul(t1 + t3, w1)
                yo[q + 2 * s] = cmul(t0 - t2, w2)
                yo[q + 3 * s] = cmul(t1 - t3, w3)
                q += 1
            }
        }
    }

    @inline(__always) func pass3(
        _ x: UnsafeMutablePointer<Cx<T>>, _ y: UnsafeMutablePointer<Cx<T>>, m: Int, s: Int,
        tw: UnsafePointer<Cx<T>>
    ) {
        let sm = s * m
        let half: T = 0.5, sin60 = T(0.86602540378443864676) * dir
        for p in 0..<m {
            let w1 = tw[2 * p], w2 = tw[2 * p + 1]
            let xi = x + s * p, yo = y + s * 3 * p
            for q in 0..<s {
                let a0 = xi[q], a1 = xi[q + sm], a2 = xi[q + 2 * sm]
                let t1 = a1 + a2
                let t2 = a0 - t1 * half
                let d = a1 - a2
                let t3 = Cx(-sin60 * d.y, sin60 * d.x)
                yo[q] = a0 + t1
                yo[q + s] = cmul(t2 + t3, w1)
                yo[q + 2 * s] = cmul(t2 - t3, w2)
            }
        }
    }

    @inline(__always) func pass5(
        _ x: UnsafeMutablePointer<Cx<T>>, _ y: UnsafeMutablePointer<Cx<T>>, m: Int, s: Int,
        tw: UnsafePointer<Cx<T>>
    ) {
        let sm = s * m
        let c1 = T(0.30901699437494742410), c2 = T(-0.80901699437494742410)
        let s1 = T(0.95105651629515357212) * dir, s2 = T(0.58778525229247312917) * dir
        for p in 0..<m {
            let xi = x + s * p, yo = y + s * 5 * p
            let tp = tw + 4 * p
            for q in 0..<s {
                let a0 = xi[q], a1 = xi[q + sm], a2 = xi[q + 2 * sm], a3 = xi[q + 3 * sm], a4 = xi[q + 4 * sm]
                let b1 = a1 + a4, b2 = a2 + a3, d1 = a1 - a4, d2 = a2 - a3
                let r1 = a0 + b1 * c1 + b2 * c2, r2 = a0 + b1 * c2 + b2 * c1
                let u1 = d1 * s1 + d2 * s2, u2 = d1 * s2 - d2 * s1
                let i1 = Cx(-u1.y, u1.x), i2 = Cx(-u2.y, u2.x)
                yo[q] = a0 + b1 + b2
                yo[q + s] = cmul(r1 + i1, tp[0])
                yo[q + 2 * s] = cmul(r2 + i2, tp[1])
                yo[q + 3 * s] = cmul(r2 - i2, tp[2])
                yo[q + 4 * s] = cmul(r1 - i1, tp[3])
            }
        }
    }

    func passGeneric(
        _ x: UnsafeMutablePointer<Cx<T>>, _ y: UnsafeMutablePointer<Cx<T>>, r: Int, m: Int, s: Int,
        tw: UnsafePointer<Cx<T>>, roots: [Cx<T>]
    ) {
        let sm = s * m
        var a = [Cx<T>](repeating: .zero, count: r)
        for p in 0..<m {
            let xi = x + s * p, yo = y + s * r * p
            for q in 0..<s {
                for k in 0..<r { a[k] = xi[q + k * sm] }
                for j in 0..<r {
                    var acc = a[0]
                    for k in 1..<r { acc += cmul(a[k], roots[(j * k) % r]) }
                    yo[q + j * s] = j == 0 ? acc : cmul(acc, tw[p * (r - 1) + j - 1])
                }
            }
        }
    }
}

/// The plan cache: one plan per length, direction and precision.
enum FFTPlans {
    static let float = Mutex<[Int: FFTPlan<Float>]>([:])
    static let double = Mutex<[Int: FFTPlan<Double>]>([:])

    /// The cached plan, made outside the lock (a plan's own sub-plans come from this cache too).
    static func plan<T: FloatScalar>(_: T.Type, n: Int, inverse: Bool) -> FFTPlan<T> {
        let key = inverse ? -n : n
        if T.self == Float.self {
            return unsafeDowncast(lookup(float, key) { FFTPlan<Float>(n: n, inverse: inverse) }, to: FFTPlan<T>.self)
        }
        return unsafeDowncast(lookup(double, key) { FFTPlan<Double>(n: n, inverse: inverse) }, to: FFTPlan<T>.self)
    }

    /// The entry `key` of `cache`, made by `make` when missing (the first one stored wins a race).
    private static func lookup<P>(_ cache: borrowing Mutex<[Int: P]>, _ key: Int, _ make: () -> P) -> P {
        if let p = cache.withLock({ $0[key] }) { return p }
        let made = make()
        return cache.withLock { c in
            if let p = c[key] { return p }
            c[key] = made
            return made
        }
    }
}

extension CPUKernels {
    /// One FFT over each row of contiguous operands (`Backend.fft`, Note [CPU FFT]): `n` is the
    /// transform length; real and complex row lengths follow from `kind`.
    package static func fft(_ kind: FFTKind, _ out: KernelOperand, _ x: KernelOperand, rows: Int, n: Int) {
        let real = kind == .realForward ? x.dtype : (kind == .realInverse ? out.dtype : x.dtype.realPart)
        if real == .float32 {
            fftRows(Float.self, kind, out, x, rows: rows, n: n)
        } else {
            fftRows(Double.self, kind, out, x, rows: rows, n: n)
        }
    }

    static func fftRows<T: FloatScalar>(
        _: T.Type, _ kind: FFTKind, _ out: KernelOperand, _ x: KernelOperand, rows: Int, n: Int
    ) {
        let xs = (x.base + x.layout.offset * x.dtype.itemSize)
        let os = (out.base + out.layout.offset * out.dtype.itemSize)
        let half = n / 2 + 1
        let evenReal = n % 2 == 0 && n >= 2 && (kind == .realForward || kind == .realInverse)
        let len = evenReal ? n / 2 : n
        let plan = FFTPlans.plan(T.self, n: len, inverse: kind == .inverse || kind == .realInverse)
        // The split step's twiddles exp(∓2πik/n), k < n/2, kept with the half-length plan.
        let split = plan.realTwiddles
        let grain = Swift.max(1, 16_384 / Swift.max(n, 1))
        Parallel.forRange(rows, grain: grain) { r in
            let buf = UnsafeMutablePointer<Cx<T>>.allocate(capacity: 2 * len)
            defer { buf.deallocate() }
            let scratch = buf + len
            for row in r {
                switch kind {
                case .forward, .inverse:
                    let src = xs.assumingMemoryBound(to: Cx<T>.self) + row * n
                    let dst = os.assumingMemoryBound(to: Cx<T>.self) + row * n
                    dst.update(from: src, count: n)
                    plan.run(dst, scratch: buf)
                case .realForward:
                    let src = xs.assumingMemoryBound(to: T.self) + row * n
                    let dst = os.assumingMemoryBound(to: Cx<T>.self) + row * half
                    if evenReal {
                        // z_k = x_2k + i·x_2k+1, then the split step.
                        buf.update(from: UnsafeRawPointer(src).assumingMemoryBound(to: Cx<T>.self), count: len)
                        plan.run(buf, scratch: scratch)
                        realSplit(buf, dst, h: len, split: split)
                    } else {
                        for k in 0..<n { buf[k] = Cx(src[k], 0) }
                        plan.run(buf, scratch: scratch)
                        dst.update(from: buf, count: half)
                    }
                case .realInverse:
                    let src = xs.assumingMemoryBound(to: Cx<T>.self) + row * half
                    let dst = os.assumingMemoryBound(to: T.self) + row * n
                    if evenReal {
                        realMerge(src, buf, h: len, split: split)
                        plan.run(buf, scratch: scratch)
                        UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Cx<T>.self).update(from: buf, count: len)
                    } else {
                        // The Hermitian extension, bin 0 taken as real.
                        buf[0] = Cx(src[0].x, 0)
                        for k in 1..<half {
                            buf[k] = src[k]
                            if n - k >= half { buf[n - k] = Cx(src[k].x, -src[k].y) }
                        }
                        plan.run(buf, scratch: scratch)
                        for k in 0..<n { dst[k] = buf[k].x }
                    }
                }
            }
        }
    }

    /// The half spectrum X[0...h] of 2h reals from Z = FFT_h(x_even + i·x_odd).
    @inline(__always) static func realSplit<T: FloatScalar>(
        _ z: UnsafeMutablePointer<Cx<T>>, _ out: UnsafeMutablePointer<Cx<T>>, h: Int, split: [Cx<T>]
    ) {
        let half: T = 0.5
        let z0 = z[0]
        out[0] = Cx(z0.x + z0.y, 0)
        out[h] = Cx(z0.x - z0.y, 0)
        if h < 2 { return }
        for k in 1..<h {
            let a = z[k], b = z[h - k]
            let bc = Cx(b.x, -b.y)
            let e = (a + bc) * half
            let d = (a - bc) * half
            // O_k = d / i = (d.y, -d.x)
            let o = Cx(d.y, -d.x)
            out[k] = e + cmul(split[k], o)
        }
    }

    /// Z[k] = (X_k + conj X_{h−k}) + i·(X_k − conj X_{h−k})·exp(2πik/n) for the inverse of 2h reals;
    /// bins 0 and h are read as real.
    @inline(__always) static func realMerge<T: FloatScalar>(
        _ x: UnsafeMutablePointer<Cx<T>>, _ z: UnsafeMutablePointer<Cx<T>>, h: Int, split: [Cx<T>]
    ) {
        let x0 = x[0].x, xh = x[h].x
        z[0] = Cx(x0 + xh, x0 - xh)
        if h < 2 { return }
        for k in 1..<h {
            let a = x[k], b = x[h - k]
            let bc = Cx(b.x, -b.y)
            let e = a + bc
            let o = cmul(a - bc, split[k])
            z[k] = e + Cx(-o.y, o.x)
        }
    }
}
