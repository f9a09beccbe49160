// Vectorisable float32 kernels, one copy per instruction set, and the choice among them.
//
// Note [CPU capability]
// The CPU's features are read once with CPUID (and XGETBV, for the registers the OS saves):
// AVX2+FMA, AVX-512 F/DQ/BW/VL, AVX-512 BF16/VNNI and AMX are recorded. From them one capability
// is chosen, the best of "default" (x86-64's SSE2), "avx2" (AVX2+FMA) and "avx512" (F, DQ, BW, VL
// with the OS saving ZMM state), unless SWIFTTORCH_CPU_CAPABILITY (or PyTorch's
// ATEN_CPU_CAPABILITY) asks for a lower one; asking for one the CPU lacks keeps the best it has,
// with a line on standard error. Each kernel is compiled three times from one body
// (vmath_body.h, vrandom_body.h, included with NAME(x) and TARGET defined), and its public entry
// point calls the copy of the chosen capability: one switch on a global, no ifunc, so a test can
// switch paths at run time and compare each with the default path. The copies differ only in
// the instructions the compiler may use: sums keep one 8-lane accumulation order on every path
// (the same bits everywhere); element-wise kernels contract multiply-adds into FMA on the avx2 and
// avx512 paths (identical to each other, within an ulp or two of the default path).
// Until stop 28 GCC-style target_clones chose between SSE2 and AVX2 through an ifunc at load
// time, which no test could force and which had no AVX-512 copy.
#include "ctorch.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

static inline __attribute__((always_inline)) float bits_to_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline __attribute__((always_inline)) uint32_t float_to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

// exp(x) = 2^n * e^r with r = x - n ln2 in [-ln2/2, ln2/2]; degree-6 polynomial for e^r.
// Max error about 1 ulp over the finite range; overflow gives inf, underflow gives 0, NaN stays NaN.
static inline __attribute__((always_inline)) float exp_core(float x) {
    const float hi = 88.7228394f, lo = -103.972084f;
    float xc = x > hi ? hi : x;
    xc = xc < lo ? lo : xc;
    float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round to nearest (|v| < 2^22)
    float r = xc - n * 0.693145751953125f;
    r = r - n * 1.428606765330187045e-06f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    // Scale by 2^n in two steps so that n down to -149 and up to 128 stay representable.
    int32_t ni = (int32_t)n;
    int32_t n1 = ni / 2, n2 = ni - n1;
    float s1 = bits_to_float((uint32_t)(n1 + 127) << 23);
    float s2 = bits_to_float((uint32_t)(n2 + 127) << 23);
    float y = p * s1 * s2;
    y = x > hi ? __builtin_inff() : y;
    y = x < lo ? 0.0f : y;
    y = x != x ? x : y;
    return y;
}

typedef float v8f __attribute__((vector_size(32)));
typedef double v4d __attribute__((vector_size(32)));

#define CTORCH_BODY "vmath_body.h"
#include "capabilities.h"

// MARK: features and the chosen capability

static uint64_t detected_features(void) {
    uint64_t f = 0;
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return 0;
    unsigned max_leaf = a;
    __get_cpuid(1, &a, &b, &c, &d);
    int osxsave = (c >> 27) & 1, fma = (c >> 12) & 1, avx = (c >> 28) & 1;
    uint64_t xcr0 = 0;
    if (osxsave) {
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        xcr0 = ((uint64_t)hi << 32) | lo;
    }
    int ymm = (xcr0 & 0x6) == 0x6, zmm = ymm && (xcr0 & 0xE0) == 0xE0, tiles = (xcr0 & 0x60000) == 0x60000;
    if (avx && ymm) f |= CTORCH_FEATURE_AVX;
    if (fma && ymm) f |= CTORCH_FEATURE_FMA;
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if (((b >> 5) & 1) && ymm) f |= CTORCH_FEATURE_AVX2;
        if (zmm) {
            if ((b >> 16) & 1) f |= CTORCH_FEATURE_AVX512F;
            if ((b >> 17) & 1) f |= CTORCH_FEATURE_AVX512DQ;
            if ((b >> 30) & 1) f |= CTORCH_FEATURE_AVX512BW;
            if ((b >> 31) & 1) f |= CTORCH_FEATURE_AVX512VL;
            if ((c >> 11) & 1) f |= CTORCH_FEATURE_AVX512VNNI;
        }
        if (tiles) {
            if ((d >> 24) & 1) f |= CTORCH_FEATURE_AMX_TILE;
            if ((d >> 22) & 1) f |= CTORCH_FEATURE_AMX_BF16;
            if ((d >> 25) & 1) f |= CTORCH_FEATURE_AMX_INT8;
        }
        unsigned sub = a;
        if (sub >= 1 && zmm) {
            __cpuid_count(7, 1, a, b, c, d);
            if ((a >> 5) & 1) f |= CTORCH_FEATURE_AVX512BF16;
        }
    }
#endif
    return f;
}

uint64_t ctorch_cpu_features(void) {
    static uint64_t cached = UINT64_MAX;
    if (cached == UINT64_MAX) cached = detected_features();
    return cached;
}

int ctorch_best_capability(void) {
    uint64_t f = ctorch_cpu_features();
    uint64_t avx512 = CTORCH_FEATURE_AVX512F | CTORCH_FEATURE_AVX512DQ | CTORCH_FEATURE_AVX512BW |
                      CTORCH_FEATURE_AVX512VL | CTORCH_FEATURE_AVX2 | CTORCH_FEATURE_FMA;
    uint64_t avx2 = CTORCH_FEATURE_AVX2 | CTORCH_FEATURE_FMA;
    if ((f & avx512) == avx512) return CTORCH_CAP_AVX512;
    if ((f & avx2) == avx2) return CTORCH_CAP_AVX2;
    return CTORCH_CAP_DEFAULT;
}

static int parse_capability(const char *s) {
    if (!s) return -1;
    char low[16] = {0};
    for (int i = 0; i < 15 && s[i]; i++) low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    if (!strcmp(low, "default")) return CTORCH_CAP_DEFAULT;
    if (!strcmp(low, "avx2")) return CTORCH_CAP_AVX2;
    if (!strcmp(low, "avx512")) return CTORCH_CAP_AVX512;
    return -1;
}

static int current_capability = -1;

int ctorch_capability(void) {
    int c = __atomic_load_n(&current_capability, __ATOMIC_RELAXED);
    if (c >= 0) return c;
    int best = ctorch_best_capability(), chosen = best;
    const char *names[] = {"SWIFTTORCH_CPU_CAPABILITY", "ATEN_CPU_CAPABILITY"};
    for (int i = 0; i < 2; i++) {
        const char *v = getenv(names[i]);
        if (!v || !*v) continue;
        int asked = parse_capability(v);
        if (asked < 0) {
            fprintf(stderr, "SwiftTorch: %s=%s is not one of default, avx2, avx512; using the best this CPU has\n",
                    names[i], v);
        } else if (asked > best) {
            fprintf(stderr, "SwiftTorch: %s=%s but this CPU lacks it; using the best it has\n", names[i], v);
        } else {
            chosen = asked;
        }
        break;
    }
    __atomic_store_n(&current_capability, chosen, __ATOMIC_RELAXED);
    return chosen;
}

int ctorch_set_capability(int capability) {
    if (capability < CTORCH_CAP_DEFAULT || capability > ctorch_best_capability()) return -1;
    __atomic_store_n(&current_capability, capability, __ATOMIC_RELAXED);
    return 0;
}

// MARK: the public entry points

#if defined(__x86_64__)
#define DISPATCH(call)                                                                                                 \
    switch (ctorch_capability()) {                                                                                     \
    case CTORCH_CAP_AVX512: return call##_avx512;                                                                      \
    case CTORCH_CAP_AVX2: return call##_avx2;                                                                          \
    default: return call##_default;                                                                                    \
    }
#else
#define DISPATCH(call) return call##_default;
#endif

typedef void (*unary_f32)(const float *, float *, long);
static unary_f32 pick_exp(void) { DISPATCH(exp_f32) }
static unary_f32 pick_tanh(void) { DISPATCH(tanh_f32) }
static unary_f32 pick_sigmoid(void) { DISPATCH(sigmoid_f32) }
typedef float (*sum_f32_fn)(const float *, long);
typedef double (*sum_f64_fn)(const double *, long);
typedef double (*peak_fn)(long);
static sum_f32_fn pick_sum_f32(void) { DISPATCH(sum_f32) }
static sum_f64_fn pick_sum_f64(void) { DISPATCH(sum_f64) }
static peak_fn pick_peak(void) { DISPATCH(fma_peak) }

static unary_f32 pick_sqrt(void) { DISPATCH(sqrt_f32) }
static unary_f32 pick_rsqrt(void) { DISPATCH(rsqrt_f32) }
void ctorch_sqrt_f32(const float *x, float *y, long n) { pick_sqrt()(x, y, n); }
void ctorch_rsqrt_f32(const float *x, float *y, long n) { pick_rsqrt()(x, y, n); }
static sum_f32_fn pick_max_f32(void) { DISPATCH(row_max_f32) }
static sum_f32_fn pick_min_f32(void) { DISPATCH(row_min_f32) }
float ctorch_max_f32(const float *x, long n) { return pick_max_f32()(x, n); }
float ctorch_min_f32(const float *x, long n) { return pick_min_f32()(x, n); }
void ctorch_exp_f32(const float *x, float *y, long n) { pick_exp()(x, y, n); }
void ctorch_tanh_f32(const float *x, float *y, long n) { pick_tanh()(x, y, n); }
void ctorch_sigmoid_f32(const float *x, float *y, long n) { pick_sigmoid()(x, y, n); }
float ctorch_sum_f32(const float *x, long n) { return pick_sum_f32()(x, n); }
double ctorch_sum_f64(const double *x, long n) { return pick_sum_f64()(x, n); }
double ctorch_fma_peak(long iters) { return pick_peak()(iters); }
typedef void (*softmax_fn)(const float *, float *, long, int);
static softmax_fn pick_softmax(void) { DISPATCH(softmax_row_f32) }
typedef void (*layer_norm_fn)(const float *, float *, long, const float *, const float *, float, float *, float *);
static layer_norm_fn pick_layer_norm(void) { DISPATCH(layer_norm_row_f32) }
void ctorch_layer_norm_rows_f32(const float *x, float *y, long rows, long n, const float *w, const float *b, float eps,
                                float *mean, float *rstd) {
    layer_norm_fn f = pick_layer_norm();
    for (long r = 0; r < rows; r++) f(x + r * n, y + r * n, n, w, b, eps, mean + r, rstd + r);
}
void ctorch_softmax_rows_f32(const float *x, float *y, long rows, long n, int log_softmax) {
    softmax_fn f = pick_softmax();
    for (long r = 0; r < rows; r++) f(x + r * n, y + r * n, n, log_softmax);
}

typedef void (*resample_fn)(const float *, float *, const ctorch_resample_geometry *, float *, unsigned char *);
static resample_fn pick_resample(void) { DISPATCH(resample_plane_f32) }
void ctorch_resample2d_f32(const float *x, float *y, const ctorch_resample_geometry *g, long begin, long end) {
    resample_fn f = pick_resample();
    float *rows = malloc(sizeof(float) * (size_t)(g->ih * g->ow + 1));
    unsigned char *done = malloc((size_t)g->ih + 1);
    if (!rows || !done) abort();
    for (long p = begin; p < end; p++) f(x + p * g->ih * g->iw, y + p * g->oh * g->ow, g, rows, done);
    free(rows);
    free(done);
}

typedef void (*depthwise_fn)(const float *, long, const float *, float, float *, const ctorch_depthwise_geometry *);
static depthwise_fn pick_depthwise(void) { DISPATCH(depthwise_plane_f32) }
// Each input plane is copied once into a zero-padded buffer (one pass over the input, against
// kh·kw multiply-adds per output), so that the kernel reads every tap without a bounds check.
void ctorch_depthwise_conv2d_f32(const float *x, const float *w, const float *bias, float *y,
                                 const ctorch_depthwise_geometry *g, long begin, long end) {
    depthwise_fn f = pick_depthwise();
    long o = g->c * g->mult, in_plane = g->h * g->w, out_plane = g->oh * g->ow, taps = g->kh * g->kw;
    long ph = g->h + 2 * g->ph, pw = g->w + 2 * g->pw;
    float *pad = malloc(sizeof(float) * (size_t)(ph * pw + 32));
    if (!pad) abort();
    memset(pad, 0, sizeof(float) * (size_t)(ph * pw + 32));
    long padded_channel = -1;
    for (long p = begin; p < end; p++) {
        long sample = p / o, oc = p % o, channel = sample * g->c + oc / g->mult;
        if (channel != padded_channel) {  // consecutive planes of one input channel share the copy
            const float *src = x + channel * in_plane;
            for (long r = 0; r < g->h; r++)
                memcpy(pad + (r + g->ph) * pw + g->pw, src + r * g->w, sizeof(float) * (size_t)g->w);
            padded_channel = channel;
        }
        f(pad, pw, w + oc * taps, bias ? bias[oc] : 0.0f, y + p * out_plane, g);
    }
    free(pad);
}
