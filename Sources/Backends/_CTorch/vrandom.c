// Vectorisable float32 normal sampling: Philox4x32-10 blocks (as Generator.philox in Swift),
// then Box-Muller in float32 with branch-free log and sin/cos polynomials. Each loop is
// branch-free, so the compiler vectorises each instruction set's copy of vrandom_body.h; the
// copy the selected capability names runs (Note [CPU capability] in vmath.c).
#include "ctorch.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float f_from_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t bits_from_f(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

// log(x) for normal x > 0: x = 2^e · m with m in [sqrt(1/2), sqrt(2)), log m = log((1+s)/(1-s))
// with s = (m-1)/(m+1), by the classic odd-series remainder (fdlibm's logf scheme); ~1 ulp.
static inline float log_pos(float x) {
    uint32_t u = bits_from_f(x) + (0x3f800000u - 0x3f3504f3u);
    int32_t e = (int32_t)(u >> 23) - 127;
    float m = f_from_bits((u & 0x007fffffu) + 0x3f3504f3u);
    float f = m - 1.0f;
    float s = f / (2.0f + f);
    float z = s * s, w = z * z;
    float t1 = w * (0.40000972152f + w * 0.24279078841f);
    float t2 = z * (0.66666662693f + w * 0.28498786688f);
    float hfsq = 0.5f * f * f;
    float ef = (float)e;
    return s * (hfsq + t1 + t2) + ef * 9.0580006145e-06f - hfsq + f + ef * 6.9313812256e-01f;
}

#define N_BLOCKS 64

#define CTORCH_BODY "vrandom_body.h"
#include "capabilities.h"

void ctorch_normal_f32(uint64_t key, uint64_t counter, float *out, long n) {
    switch (ctorch_capability()) {
#if defined(__x86_64__)
    case CTORCH_CAP_AVX512: normal_f32_avx512(key, counter, out, n); return;
    case CTORCH_CAP_AVX2: normal_f32_avx2(key, counter, out, n); return;
#endif
    default: normal_f32_default(key, counter, out, n); return;
    }
}
