import TorchBase

/// CUDA C source for the element-wise, reduction and indexing kernels, generated per op and
/// dtype and compiled by NVRTC at run time. Pure string building: tested without a GPU.
@_spi(Kernels) public enum KernelSource {
    /// The CUDA C type that stores `dtype` (half types are raw 16-bit words converted in code).
    public static func storageType(_ d: DType) -> String { CUDAType(d).name }

    /// Device functions every kernel may use: half conversions and geometry.
    public static let prelude = """
        struct Geo { int rank; long long shape[8]; long long st[4][8]; long long off[4]; };
        __device__ __forceinline__ void offsets(const Geo& g, long long i, long long* o, int k) {
            for (int j = 0; j < k; j++) o[j] = g.off[j];
            for (int d = g.rank - 1; d >= 0; d--) {
                long long s = g.shape[d]; long long c = i % s; i /= s;
                for (int j = 0; j < k; j++) o[j] += c * g.st[j][d];
            }
        }
        __device__ __forceinline__ float h2f(unsigned short h) {
            unsigned int s = (h & 0x8000u) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff, u;
            if (e == 0) { if (m == 0) u = s; else { float f = m * 5.9604644775390625e-8f; return s ? -f : f; } }
            else if (e == 31) u = s | 0x7f800000u | (m << 13);
            else u = s | ((e + 112) << 23) | (m << 13);
            return __uint_as_float(u);
        }
        __device__ __forceinline__ unsigned short f2h(float f) {
            unsigned int u = __float_as_uint(f), s = (u >> 16) & 0x8000u;
            unsigned int a = u & 0x7fffffffu;
            if (a > 0x7f800000u) return s | 0x7e00u;
            if (a >= 0x477ff000u) return s | 0x7c00u;
            if (a < 0x38800000u) { float v = __uint_as_float(a) * 16777216.0f;
                return s | (unsigned short)__float2int_rn(v); }
            unsigned int r = a + 0xfffu + ((a >> 13) & 1u) - 0x38000000u;
            return s | (unsigned short)(r >> 13);
        }
        __device__ __forceinline__ float b2f(unsigned short b) { return __uint_as_float(((unsigned int)b) << 16); }
        __device__ __forceinline__ unsigned short f2b(float f) {
            unsigned int u = __float_as_uint(f);
            if ((u & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((u >> 16) | 0x40u);
            return (unsigned short)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
        }
        """

    /// An expression converting `v` (stored as `from`) to a value of `to`'s storage type.
    public static func convert(_ v: String, from: DType, to: DType) -> String {
        if from == to { return v }
        // Through float for half types, through the natural C conversion otherwise.
        let asValue: String
        switch from {
        case .float16: asValue = "h2f(\(v))"
        case .bfloat16: asValue = "b2f(\(v))"
        case .bool: asValue = "(\(v) ? 1 : 0)"
        default: asValue = v
        }
        switch to {
        case .float16: return "f2h((float)(\(asValue)))"
        case .bfloat16: return "f2b((float)(\(asValue)))"
        case .bool: return "(\(asValue) != 0)"
        default:
            if from.isFloatingPoint && !to.isFloatingPoint {
                // Like the CPU (and C on x86): truncate, NaN and out of range to the minimum value.
                return "(\(storageType(to)))(long long)(\(asValue))"
            }
            return "(\(storageType(to)))(\(asValue))"
        }
    }

    static func isF32(_ d: DType) -> Bool { d == .float32 }

    static let ipow = """
        template <typename T> __device__ T pyremf(T x, T y) { T r = fmod(x, y);
            return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r; }
        template <typename T> __device__ T pyremi(T x, T y) { if (y == 0) return 0; T r = x % y;
            return (r != 0 && ((r < 0) != (y < 0))) ? (T)(r + y) : r; }
        template <typename T> __device__ T pyfloordiv(T a, T b) {
            if (b == 0) return a / b;
            T mod = fmod(a, b); T div = (a - mod) / b;
            if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
            if (div == 0) return copysign((T)0, a / b);
            T q = floor(div); if (div - q > (T)0.5) q += 1; return q;
        }
        template <typename T> __device__ T ipow(T a, T b) {
            if (b < 0) return a == 1 ? (T)1 : (a == (T)-1 ? ((b & 1) == 0 ? (T)1 : a) : (T)0);
            T r = 1; while (b > 0) { if (b & 1) r *= a; a *= a; b >>= 1; } return r;
        }
        """

    /// A map kernel over `k` operands (out first): `out = expr(x[, y[, z]])`, with a contiguous
    /// variant (`contiguous`) and a strided one driven by a `Geo`.
    public static func map(name: String, expr: String, outType: DType, inTypes: [DType], contiguous: Bool) -> String {
        let names = ["x", "y", "z"]
        var params = ["\(storageType(outType))* __restrict__ out"]
        for (i, t) in inTypes.enumerated() { params.append("const \(storageType(t))* __restrict__ in\(i)") }
        params.append("long long n")
        if !contiguous { params.append("Geo g") }
        var body = ""
        if contiguous {
            for (i, t) in inTypes.enumerated() { body += "        \(storageType(t)) \(names[i]) = in\(i)[i];\n" }
            body += "        out[i] = \(expr);\n"
        } else {
            body += "        long long o[4]; offsets(g, i, o, \(inTypes.count + 1));\n"
            for (i, t) in inTypes.enumerated() {
                body += "        \(storageType(t)) \(names[i]) = in\(i)[o[\(i + 1)]];\n"
            }
            body += "        out[o[0]] = \(expr);\n"
        }
        return prelude + ipow + """
            extern "C" __global__ void \(name)(\(params.joined(separator: ", "))) {
                for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
                    i += (long long)gridDim.x * blockDim.x) {
            \(body)    }
            }
            """
    }

    /// Row reduction: `out[r * chunks + c]` combines chunk c of row r of a contiguous [rows, n] input.
    public static func reduceRows(name: String, op: ReduceOp, _ d: DType) -> String {
        let T = storageType(d)
        let fl = d.isFloatingPoint
        let ident: String, combine: String
        switch op {
        case .sum: ident = "0"; combine = "a + b"
        case .prod: ident = "1"; combine = "a * b"
        case .max:
            ident = fl ? "-" + inf(d) : lowest(d);
            combine = fl ? "((a != a || b != b) ? a + b : (a > b ? a : b))" : "(a > b ? a : b)"
        case .min:
            ident = fl ? inf(d) : highest(d);
            combine = fl ? "((a != a || b != b) ? a + b : (a < b ? a : b))" : "(a < b ? a : b)"
        case .all: ident = "1"; combine = "(a != 0 && b != 0)"
        case .any: ident = "0"; combine = "(a != 0 || b != 0)"
        }
        return prelude + """
            __device__ __forceinline__ \(T) comb(\(T) a, \(T) b) { return (\(T))(\(combine)); }
            extern "C" __global__ void \(name)(const \(T)* __restrict__ in, \(T)* __restrict__ out, long long rows,
                long long n, long long chunks) {
                __shared__ \(T) sh[256];
                long long len = (n + chunks - 1) / chunks;
                for (long long b = blockIdx.x; b < rows * chunks; b += gridDim.x) {
                    long long r = b / chunks, c = b % chunks;
                    long long lo = c * len, hi = lo + len < n ? lo + len : n;
                    const \(T)* p = in + r * n;
                    \(T) a0 = (\(T))(\(ident)), a1 = a0, a2 = a0, a3 = a0;
                    long long j = lo + threadIdx.x;
                    // Four loads in flight per thread before they are combined.
                    for (; j + 3 * blockDim.x < hi; j += 4 * blockDim.x) {
                        a0 = comb(a0, p[j]); a1 = comb(a1, p[j + blockDim.x]);
                        a2 = comb(a2, p[j + 2 * blockDim.x]); a3 = comb(a3, p[j + 3 * blockDim.x]);
                    }
                    for (; j < hi; j += blockDim.x) a0 = comb(a0, p[j]);
                    \(T) acc = comb(comb(a0, a1), comb(a2, a3));
                    sh[threadIdx.x] = acc;
                    __syncthreads();
                    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
                        if (threadIdx.x < s) sh[threadIdx.x] = comb(sh[threadIdx.x], sh[threadIdx.x + s]);
                        __syncthreads();
                    }
                    if (threadIdx.x == 0) out[b] = sh[0];
                    __syncthreads();
                }
            }
            """
    }

    /// Softmax (or log-softmax) of each row of a contiguous [rows, n] input: one block per row,
    /// the row kept in shared memory when it fits (`cached`), so it is read from memory once.
    public static func softmaxRows(name: String, log: Bool, cached: Bool, _ d: DType) -> String {
        let T = storageType(d)
        let f = isF32(d) ? "f" : ""
        let load = cached ? "row[j]" : "p[j]"
        let finish = log ? "q[j] = (\(load) - m) - lsum;" : "q[j] = exp\(f)(\(load) - m) * inv;"
        return """
            __device__ __forceinline__ \(T) bmax(\(T) a, \(T) b) { return (a != a || b != b) ? a + b : (a > b ? a :
                b); }
            extern "C" __global__ void \(name)(const \(T)* __restrict__ in, \(T)* __restrict__ out, long long rows,
                long long n) {
                extern __shared__ unsigned char smem[];
                \(T)* row = (\(T)*)smem;
                __shared__ \(T) red[32];
                for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
                    const \(T)* p = in + r * n;
                    \(T)* q = out + r * n;
                    \(T) m = -\(inf(d));
                    for (long long j = threadIdx.x; j < n; j += blockDim.x) { \(T) v = p[j]; \(cached ?
                        "row[j] = v;" : "") m = bmax(m, v); }
                    for (int o = 16; o > 0; o >>= 1) m = bmax(m, __shfl_xor_sync(0xffffffff, m, o));
                    if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = m;
                    __syncthreads();
                    m = red[0];
                    for (int w = 1; w < (blockDim.x >> 5); w++) m = bmax(m, red[w]);
                    if (m == -\(inf(d))) m = 0;
                    __syncthreads();
                    \(T) s = 0;
                    for (long long j = threadIdx.x; j < n; j += blockDim.x) s += exp\(f)(\(load) - m);
                    for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffff, s, o);
                    if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = s;
                    __syncthreads();
                    s = 0;
                    for (int w = 0; w < (blockDim.x >> 5); w++) s += red[w];
                    \(T) inv = (\(T))1 / s, lsum = log\(f)(s);
                    for (long long j = threadIdx.x; j < n; j += blockDim.x) { \(finish) }
                    __syncthreads();
                }
            }
            """
    }

    /// Philox4x32-10 random numbers, the same stream as the CPU `Generator`: block `start + b`
    /// under `key` gives words 4b..4b+3. kind 0: float32 uniform from one word; 1: float64 uniform
    /// from two words; 2: float64 standard normals by Box-Muller from one block per pair.
    public static func philox(name: String, kind: Int) -> String {
        let body: String
        switch kind {
        case 0: body = "out[i] = (float)(w[i & 3] >> 8) * 5.9604644775390625e-08f;"
        case 1:
            body = """
                unsigned int hi = w[(i & 1) * 2], lo = w[(i & 1) * 2 + 1];
                unsigned long long bits = (((unsigned long long)hi << 21) ^
                    (unsigned long long)(lo >> 11)) & ((1ULL << 53) - 1);
                out[i] = (double)bits * 1.1102230246251565e-16;
                """
        default:
            body = """
                unsigned long long b0 = ((((unsigned long long)w[0]) << 21) ^
                    (unsigned long long)(w[1] >> 11)) & ((1ULL << 53) - 1);
                unsigned long long b1 = ((((unsigned long long)w[2]) << 21) ^
                    (unsigned long long)(w[3] >> 11)) & ((1ULL << 53) - 1);
                double u1 = 1.0 - (double)b0 * 1.1102230246251565e-16, u2 = (double)b1 * 1.1102230246251565e-16;
                double r = sqrt(-2.0 * log(u1)), t = 6.283185307179586 * u2;
                out[i] = (i & 1) ? r * sin(t) : r * cos(t);
                """
        }
        let (T, per) = kind == 0 ? ("float", 4) : (kind == 1 ? ("double", 2) : ("double", 2))
        return """
            extern "C" __global__ void \(name)(\(T)* __restrict__ out, long long n, unsigned long long key,
                unsigned long long start) {
                for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
                    i += (long long)gridDim.x * blockDim.x) {
                    unsigned long long ctr = start + (unsigned long long)(i / \(per));
                    unsigned int c0 = (unsigned int)ctr, c1 = (unsigned int)(ctr >> 32), c2 = 0, c3 = 0;
                    unsigned int k0 = (unsigned int)key, k1 = (unsigned int)(key >> 32);
                    for (int r = 0; r < 10; r++) {
                        unsigned int h0 = __umulhi(0xD2511F53u, c0), l0 = 0xD2511F53u * c0;
                        unsigned int h1 = __umulhi(0xCD9E8D57u, c2), l1 = 0xCD9E8D57u * c2;
                        unsigned int n0 = h1 ^ c1 ^ k0, n2 = h0 ^ c3 ^ k1;
                        c1 = l1; c3 = l0; c0 = n0; c2 = n2;
                        k0 += 0x9E3779B9u; k1 += 0xBB67AE85u;
                    }
                    unsigned int w[4] = {c0, c1, c2, c3};
                    \(body)
                }
            }
            """
    }

    static func inf(_ d: DType) -> String {
        d == .float32 ? "__int_as_float(0x7f800000)" : "__longlong_as_double(0x7ff0000000000000LL)"
    }

    static func lowest(_ d: DType) -> String {
        switch d {
        case .bool: return "0"
        case .uint8: return "0"
        case .int8: return "-128"
        case .int16: return "-32768"
        case .int32: return "(-2147483647 - 1)"
        default: return "(-9223372036854775807LL - 1)"
        }
    }

    static func highest(_ d: DType) -> String {
        switch d {
        case .bool: return "1"
        case .uint8: return "255"
        case .int8: return "127"
        case .int16: return "32767"
        case .int32: return "2147483647"
        default: return "9223372036854775807LL"
        }
    }

    /// Index of the first max (or min) of each row of a contiguous [rows, n] input; NaN wins.
    public static func argReduceRows(name: String, isMax: Bool, _ d: DType) -> String {
        let T = storageType(d)
        let better = isMax ? "v > best" : "v < best"
        let nan = d.isFloatingPoint ? "v != v" : "false"
        return """
            extern "C" __global__ void \(name)(const \(T)* __restrict__ in, \(T)* __restrict__ vals,
                long long* __restrict__ idx, long long rows, long long n) {
                for (long long r = (long long)blockIdx.x * blockDim.x + threadIdx.x; r < rows;
                    r += (long long)gridDim.x * blockDim.x) {
                    const \(T)* p = in + r * n;
                    \(T) best = p[0]; long long bi = 0;
                    bool done = \(d.isFloatingPoint ? "best != best" : "false");
                    for (long long j = 1; j < n && !done; j++) {
                        \(T) v = p[j];
                        if (\(nan)) { best = v; bi = j; done = true; }
                        else if (\(better)) { best = v; bi = j; }
                    }
                    vals[r] = best; idx[r] = bi;
                }
            }
            """
    }

    /// `out[i] = in[off[i]]` (gather) or `out[off[i]] += in[i]` (scatter-add, atomics).
    public static func indexKernel(name: String, scatterAdd: Bool, _ d: DType) -> String {
        let T = storageType(d)
        let body = scatterAdd ? "atomicAdd(&out[off[i]], in[i]);" : "out[i] = in[off[i]];"
        return """
            extern "C" __global__ void \(name)(\(T)* __restrict__ out, const \(T)* __restrict__ in,
                const long long* __restrict__ off, long long n) {
                for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
                    i += (long long)gridDim.x * blockDim.x) { \(body) }
            }
            """
    }
}
