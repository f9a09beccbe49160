// Vectorisable float32 normal sampling: Philox4x32-10 blocks (as Generator.philox in Swift),
// then Box-Muller in float32 with branch-free log and sin/cos polynomials. Each loop is
// branch-free so the compiler vectorises it in the "arch=x86-64-v3" clone (AVX2/FMA) and in
// the SSE2 default; the ifunc picks the clone at load time (as vmath.c).
#include "ctorch.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#define CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

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

// Writes n normals for Philox blocks counter, counter+1, … (four normals a block: two
// Box-Muller pairs from the block's four words, 24 bits each).
CLONES void ctorch_normal_f32(uint64_t key, uint64_t counter, float *out, long n) {
    uint32_t w0[N_BLOCKS], w1[N_BLOCKS], w2[N_BLOCKS], w3[N_BLOCKS];
    float buf[4 * N_BLOCKS];
    long blocks = (n + 3) / 4;
    for (long b0 = 0; b0 < blocks; b0 += N_BLOCKS) {
        long nb = blocks - b0 < N_BLOCKS ? blocks - b0 : N_BLOCKS;
        for (long i = 0; i < N_BLOCKS; i++) {
            uint64_t c = counter + (uint64_t)(b0 + i);
            uint32_t c0 = (uint32_t)c, c1 = (uint32_t)(c >> 32), c2 = 0, c3 = 0;
            uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
            for (int r = 0; r < 10; r++) {
                uint64_t p0 = (uint64_t)0xD2511F53u * c0;
                uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
                uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
                uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
                c1 = (uint32_t)p1;
                c3 = (uint32_t)p0;
                c0 = n0;
                c2 = n2;
                k0 += 0x9E3779B9u;
                k1 += 0xBB67AE85u;
            }
            w0[i] = c0; w1[i] = c1; w2[i] = c2; w3[i] = c3;
        }
        for (long i = 0; i < 2 * N_BLOCKS; i++) {
            uint32_t a = (i & 1) ? w2[i >> 1] : w0[i >> 1];
            uint32_t b = (i & 1) ? w3[i >> 1] : w1[i >> 1];
            float u1 = 1.0f - (float)(a >> 8) * 0x1p-24f;  // (0, 1]
            float u2 = (float)(b >> 8) * 0x1p-24f;         // [0, 1)
            float radius = sqrtf(-2.0f * log_pos(u1));
            // θ = 2π u2 as quarter turns k and a remainder f in [-π/4, π/4].
            float t = u2 * 4.0f;
            float kf = (t + 12582912.0f) - 12582912.0f;  // round to nearest
            int32_t k = (int32_t)kf;
            float f = (t - kf) * 1.57079632679489662f;
            float f2 = f * f;
            float sf = f + f * f2 * (-0.166666597127914f + f2 * (0.0083321608044f + f2 * -0.000195169128f));
            float cf = 1.0f + f2 * (-0.5f + f2 * (0.041666645557f + f2 * (-0.0013887316255f + f2 * 2.4433157e-05f)));
            int32_t q = k & 3;
            float c = (q & 1) ? sf : cf;
            float s = (q & 1) ? cf : sf;
            c = (q == 1 || q == 2) ? -c : c;
            s = (q >= 2) ? -s : s;
            buf[2 * i] = radius * c;
            buf[2 * i + 1] = radius * s;
        }
        long first = 4 * b0, count = n - first < 4 * nb ? n - first : 4 * nb;
        memcpy(out + first, buf, (size_t)count * sizeof(float));
    }
}
