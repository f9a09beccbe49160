// Vectorisable float32 kernels. Each loop body is branch-free so the compiler turns it into
// AVX2/FMA code in the "arch=x86-64-v3" clone and SSE2 code in the default one; the ifunc
// picks the clone at load time, so the binary runs on any x86-64.
#include "ctorch.h"
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#define CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

static inline float bits_to_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t float_to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

// exp(x) = 2^n * e^r with r = x - n ln2 in [-ln2/2, ln2/2]; degree-6 polynomial for e^r.
// Max error about 1 ulp over the finite range; overflow gives inf, underflow gives 0, NaN stays NaN.
static inline float exp_core(float x) {
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

CLONES void ctorch_exp_f32(const float *x, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] = exp_core(x[i]);
}

CLONES void ctorch_sigmoid_f32(const float *x, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] = 1.0f / (1.0f + exp_core(-x[i]));
}

// tanh by a rational approximation x * P(x^2) / Q(x^2) on [-7.9, 7.9] (saturated beyond),
// accurate to a few ulp.
CLONES void ctorch_tanh_f32(const float *x, float *y, long n) {
    const float clampv = 7.90531110763549805f;
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

typedef float v8f __attribute__((vector_size(32)));
typedef double v4d __attribute__((vector_size(32)));

// Four independent 8-wide accumulators: vectorised, and pairwise-like accuracy for long rows.
CLONES float ctorch_sum_f32(const float *x, long n) {
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

CLONES double ctorch_sum_f64(const double *x, long n) {
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
