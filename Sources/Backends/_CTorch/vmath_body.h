// The bodies of vmath.c's kernels, compiled once per instruction set: vmath.c includes this file
// three times with NAME(x) giving each copy its suffix (_default, _avx2, _avx512) and TARGET the
// instruction set the compiler may use (Note [CPU capability] in vmath.c). Every loop is
// branch-free, so each copy is vectorised for its own vector width. No include guard, on purpose.

TARGET static void NAME(exp_f32)(const float *x, float *y, long n) {
    // In place (y == x) too: each element is read before it is written, so the vectoriser may
    // ignore the overlap it cannot rule out (it would otherwise run the scalar loop).
    _Pragma("clang loop vectorize(assume_safety)")
    for (long i = 0; i < n; i++) y[i] = exp_core(x[i]);
}

TARGET static void NAME(sigmoid_f32)(const float *x, float *y, long n) {
    _Pragma("clang loop vectorize(assume_safety)")
    for (long i = 0; i < n; i++) y[i] = 1.0f / (1.0f + exp_core(-x[i]));
}

// tanh by a rational approximation x * P(x^2) / Q(x^2) on [-7.9, 7.9] (saturated beyond),
// accurate to a few ulp.
TARGET static void NAME(tanh_f32)(const float *x, float *y, long n) {
    const float clampv = 7.90531110763549805f;
    _Pragma("clang loop vectorize(assume_safety)")
    for (long i = 0; i < n; i++) {
        float v = x[i];
        float c = v > clampv ? clampv : v;
        c = c < -clampv ? -clampv : c;
        float x2 = c * c;
        float p = -2.76076847742355e-16f;
        p = p * x2 + 2.00018790482477e-13f;
        p = p * x2 + -8.60467152213735e-11f;
        p = p * x2 + 5.12229709037114e-08f;
        p = p * x2 + 1.48572235717979e-05f;
        p = p * x2 + 6.37261928875436e-04f;
        p = p * x2 + 4.89352455891786e-03f;
        p = p * c;
        float q = 1.19825839466702e-06f;
        q = q * x2 + 1.18534705686654e-04f;
        q = q * x2 + 2.26843463243900e-03f;
        q = q * x2 + 4.89352518554385e-03f;
        float r = p / q;
        float a = v < 0 ? -v : v;
        r = a < 0.0004f ? v : r;     // tanh(x) = x to float precision
        r = v != v ? v : r;
        y[i] = r;
    }
}

// Four independent 8-wide accumulators: vectorised, and pairwise-like accuracy for long rows.
TARGET static float NAME(sum_f32)(const float *x, long n) {
    v8f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        v8f t0, t1, t2, t3;
        memcpy(&t0, x + i, 32); memcpy(&t1, x + i + 8, 32);
        memcpy(&t2, x + i + 16, 32); memcpy(&t3, x + i + 24, 32);
        a0 += t0; a1 += t1; a2 += t2; a3 += t3;
    }
    v8f a = (a0 + a1) + (a2 + a3);
    float s = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    for (; i < n; i++) s += x[i];
    return s;
}

TARGET static double NAME(sum_f64)(const double *x, long n) {
    v4d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        v4d t0, t1, t2, t3;
        memcpy(&t0, x + i, 32); memcpy(&t1, x + i + 4, 32);
        memcpy(&t2, x + i + 8, 32); memcpy(&t3, x + i + 12, 32);
        a0 += t0; a1 += t1; a2 += t2; a3 += t3;
    }
    v4d a = (a0 + a1) + (a2 + a3);
    double s = (a[0] + a[1]) + (a[2] + a[3]);
    for (; i < n; i++) s += x[i];
    return s;
}

// FMA throughput: 12 independent chains of vector multiply-adds (enough to cover the latency of
// two FMA ports), `iters` rounds; returns the floating-point operations done (2 per lane per
// FMA). The vector is as wide as the instruction set's (4, 8 or 16 floats).
TARGET static double NAME(fma_peak)(long iters) {
    typedef float vf __attribute__((vector_size(VBYTES)));
    enum { LANES = VBYTES / 4 };
    vf a = {0}, b = {0}, acc[12];
    for (int l = 0; l < LANES; l++) { a[l] = 0.999999f; b[l] = 1e-7f; }
    for (int c = 0; c < 12; c++) acc[c] = a * (float)(c + 1);
    for (long i = 0; i < iters; i++) {
        for (int c = 0; c < 12; c++) acc[c] = acc[c] * a + b;
    }
    vf s = acc[0];
    for (int c = 1; c < 12; c++) s += acc[c];
    volatile float sink = s[0];
    (void)sink;
    return 2.0 * 12.0 * LANES * (double)iters;
}

// The largest (smallest when `lowest`) of n floats, NaN when any is NaN (16 lanes a step, then
// the tail). Inlined into row_max_f32/row_min_f32 with `lowest` a constant, so no branch remains.
TARGET static inline __attribute__((always_inline)) float NAME(row_extreme_f32)(const float *x, long n, int lowest) {
    typedef int v8i __attribute__((vector_size(32)));
    const float start = lowest ? __builtin_inff() : -__builtin_inff();
    v8f m0 = {start, start, start, start, start, start, start, start}, m1 = m0;
    v8i bad = {0};
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        v8f t0, t1;
        memcpy(&t0, x + i, 32); memcpy(&t1, x + i + 8, 32);
        m0 = lowest ? __builtin_elementwise_min(m0, t0) : __builtin_elementwise_max(m0, t0);
        m1 = lowest ? __builtin_elementwise_min(m1, t1) : __builtin_elementwise_max(m1, t1);
        bad |= (t0 != t0) | (t1 != t1);
    }
    float m = start;
    int nan = 0;
#define CTORCH_BETTER(a, b) (lowest ? (a) < (b) : (a) > (b))
    for (int l = 0; l < 8; l++) {
        m = CTORCH_BETTER(m0[l], m) ? m0[l] : m;
        m = CTORCH_BETTER(m1[l], m) ? m1[l] : m;
        nan |= bad[l];
    }
    for (; i < n; i++) {
        m = CTORCH_BETTER(x[i], m) ? x[i] : m;
        nan |= x[i] != x[i];
    }
#undef CTORCH_BETTER
    return nan ? __builtin_nanf("") : m;
}
TARGET static float NAME(row_max_f32)(const float *x, long n) { return NAME(row_extreme_f32)(x, n, 0); }
TARGET static float NAME(row_min_f32)(const float *x, long n) { return NAME(row_extreme_f32)(x, n, 1); }

// Softmax (or log-softmax) of one row of n floats: the maximum (a NaN makes the row NaN), then
// exp(x - max) stored, summed (sum_f32's order) and scaled. Log-softmax sums the exponentials of
// 256-element chunks in a buffer, so that x is intact for the last pass even in place (y == x).
TARGET static void NAME(softmax_row_f32)(const float *x, float *y, long n, int log_softmax) {
    float m = NAME(row_max_f32)(x, n);
    if (m == -__builtin_inff()) m = 0;  // an all -inf row: exp(-inf) = 0, as PyTorch (then 0/0)
    if (log_softmax) {
        float buf[256], s = 0;
        for (long c = 0; c < n; c += 256) {
            long len = n - c < 256 ? n - c : 256;
            for (long i = 0; i < len; i++) buf[i] = exp_core(x[c + i] - m);
            s += NAME(sum_f32)(buf, len);
        }
        float shift = m + __builtin_logf(s);
        _Pragma("clang loop vectorize(assume_safety)")
        for (long i = 0; i < n; i++) y[i] = x[i] - shift;
        return;
    }
    _Pragma("clang loop vectorize(assume_safety)")
    for (long i = 0; i < n; i++) y[i] = exp_core(x[i] - m);
    float inv = 1.0f / NAME(sum_f32)(y, n);
    _Pragma("clang loop vectorize(assume_safety)")
    for (long i = 0; i < n; i++) y[i] *= inv;
}

// Layer norm of one row of n floats: mean (sum_f32's order), the biased variance as the mean of
// squared deviations (a second pass, 8 lanes), then y = (x - mean) · rstd (· w + b); writes the
// row's mean and 1/sqrt(var + eps) (PyTorch's native_layer_norm outputs). In place too.
TARGET static void NAME(layer_norm_row_f32)(const float *x, float *y, long n, const float *w, const float *b,
                                            float eps, float *mean_out, float *rstd_out) {
    float mean = NAME(sum_f32)(x, n) / (float)n;
    v8f a0 = {0}, a1 = {0};
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        v8f t0, t1;
        memcpy(&t0, x + i, 32); memcpy(&t1, x + i + 8, 32);
        t0 -= mean; t1 -= mean;
        a0 += t0 * t0; a1 += t1 * t1;
    }
    v8f a = a0 + a1;
    float ss = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    for (; i < n; i++) ss += (x[i] - mean) * (x[i] - mean);
    float rstd = 1.0f / __builtin_sqrtf(ss / (float)n + eps);
    *mean_out = mean;
    *rstd_out = rstd;
    if (w && b) {
        _Pragma("clang loop vectorize(assume_safety)")
        for (long j = 0; j < n; j++) y[j] = (x[j] - mean) * rstd * w[j] + b[j];
    } else if (w) {
        _Pragma("clang loop vectorize(assume_safety)")
        for (long j = 0; j < n; j++) y[j] = (x[j] - mean) * rstd * w[j];
    } else if (b) {
        _Pragma("clang loop vectorize(assume_safety)")
        for (long j = 0; j < n; j++) y[j] = (x[j] - mean) * rstd + b[j];
    } else {
        _Pragma("clang loop vectorize(assume_safety)")
        for (long j = 0; j < n; j++) y[j] = (x[j] - mean) * rstd;
    }
}

// 8 (lanes == 1) or 32 (lanes == 4) adjacent stride-1 outputs of a depthwise convolution from a
// padded plane `p` of width pw_: the sum of all taps held in `lanes` independent registers.
#define DEPTHWISE_BLOCK(lanes)                                                                                         \
    do {                                                                                                               \
        v8f acc[lanes];                                                                                                \
        for (int l = 0; l < lanes; l++) acc[l] = (v8f){bias, bias, bias, bias, bias, bias, bias, bias};                \
        for (long i = 0; i < g->kh; i++) {                                                                             \
            const float *in = p + (oy * g->sh + i * g->dh) * pw_ + ox;                                                 \
            const float *ki = k + i * g->kw;                                                                           \
            for (long j = 0; j < g->kw; j++) {                                                                         \
                float kv = ki[j];                                                                                      \
                for (int l = 0; l < lanes; l++) {                                                                      \
                    v8f v;                                                                                             \
                    memcpy(&v, in + j * g->dw + 8 * l, 32);                                                            \
                    acc[l] += kv * v;                                                                                  \
                }                                                                                                      \
            }                                                                                                          \
        }                                                                                                              \
        memcpy(row + ox, acc, 32 * lanes);                                                                             \
    } while (0)

// One output plane of a depthwise convolution (Note [Depthwise convolution]) from its input plane
// `p`, already zero-padded to width pw_. With stride 1 each output row is done in blocks of 32
// columns (8 when narrower) with the sum of all taps held in registers, the last block overlapping
// the one before it (each column is computed whole, so writing one twice is harmless); strided
// rows go one column at a time.
TARGET static void NAME(depthwise_plane_f32)(const float *p, long pw_, const float *k, float bias, float *y,
                                             const ctorch_depthwise_geometry *g) {
    for (long oy = 0; oy < g->oh; oy++) {
        float *row = y + oy * g->ow;
        long ox = 0;
        if (g->sw == 1 && g->ow >= 32) {
            for (; ox < g->ow; ox += 32) {
                if (ox + 32 > g->ow) ox = g->ow - 32;
                DEPTHWISE_BLOCK(4);
            }
        } else if (g->sw == 1 && g->ow >= 8) {
            for (; ox < g->ow; ox += 8) {
                if (ox + 8 > g->ow) ox = g->ow - 8;
                DEPTHWISE_BLOCK(1);
            }
        }
        for (; ox < g->ow; ox++) {
            float acc = bias;
            for (long i = 0; i < g->kh; i++) {
                const float *in = p + (oy * g->sh + i * g->dh) * pw_ + ox * g->sw;
                for (long j = 0; j < g->kw; j++) acc += k[i * g->kw + j] * in[j * g->dw];
            }
            row[ox] = acc;
        }
    }
}

// Square root and its reciprocal, IEEE-exact (sqrt instructions; -fno-math-errno lets the loop
// vectorise, where Swift's squareRoot() on a generic float calls sqrtf for errno).
TARGET static void NAME(sqrt_f32)(const float *x, float *y, long n) {
    _Pragma("clang loop vectorize(assume_safety)")
    for (long i = 0; i < n; i++) y[i] = __builtin_sqrtf(x[i]);
}
TARGET static void NAME(rsqrt_f32)(const float *x, float *y, long n) {
    _Pragma("clang loop vectorize(assume_safety)")
    for (long i = 0; i < n; i++) y[i] = 1.0f / __builtin_sqrtf(x[i]);
}

// One plane of a separable 2-D resampling (Note [Direct 2-D resampling]): every source row an output
// row needs is resampled along the width once into `rows` (ih rows of ow floats, `done` marks them),
// then each output row is the weighted sum of its source rows' resampled copies, in tap order.
TARGET static void NAME(resample_plane_f32)(const float *x, float *y, const ctorch_resample_geometry *g, float *rows,
                                            unsigned char *done) {
    long tx = g->tx, ty = g->ty, ow = g->ow;
    for (long i = 0; i < g->ih; i++) done[i] = 0;
    for (long oy = 0; oy < g->oh; oy++) {
        for (long k = 0; k < ty; k++) {
            long r = g->yi[oy * ty + k];
            if (done[r]) continue;
            done[r] = 1;
            const float *src = x + r * g->iw;
            float *h = rows + r * ow;
            for (long ox = 0; ox < ow; ox++) {
                const long *xi = g->xi + ox * tx;
                const float *wx = g->wx + ox * tx;
                float acc = wx[0] * src[xi[0]];
                for (long j = 1; j < tx; j++) acc += wx[j] * src[xi[j]];
                h[ox] = acc;
            }
        }
        float *out = y + oy * ow;
        const long *yi = g->yi + oy * ty;
        const float *wy = g->wy + oy * ty;
        const float *h0 = rows + yi[0] * ow;
        float w0 = wy[0];
        for (long ox = 0; ox < ow; ox++) out[ox] = w0 * h0[ox];
        for (long k = 1; k < ty; k++) {
            const float *hk = rows + yi[k] * ow;
            float wk = wy[k];
            for (long ox = 0; ox < ow; ox++) out[ox] += wk * hk[ox];
        }
    }
}
