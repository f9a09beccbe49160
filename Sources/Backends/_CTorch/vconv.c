// Direct 2-D convolution of float32 tensors with stride 1, one copy per instruction set (Note [CPU
// capability] in vmath.c).
//
// Note [Direct convolution]
// A stride-1 convolution as im2col + GEMM writes kh·kw copies of the input (9 for a 3×3 filter)
// and then streams them through BLAS, whose packing reads them again; on shapes like
// super-resolution's 3×3 64→64 layer OpenBLAS runs at about half of its large-square speed (M = 64
// output channels). The direct kernel reads the input where it lies: each sample is copied once
// into a zero-padded buffer [c, hp, wp], and with stride 1 the output at flat position
// p = oy·wp + ox is Σ_c Σ_taps w · xp[c][p + ky·dh·wp + kx·dw]: for each tap one unaligned vector
// load serves T·L adjacent outputs. A register block holds CTORCH_CONV_BLOCK (6) output channels ×
// T vectors (avx512: 4 zmm, 64 outputs; avx2 and SSE: 2 vectors) of sums, each weight broadcast
// once per tap and block; the columns between ow and wp are computed and dropped (2 of every
// 66 for a 3×3 filter on 64-wide rows). The sums run over channels then taps, im2col's order.
// Weights are packed [o / 6][c][taps][6] once per call (zero for the channels past o). Work is
// split across threads by (sample, block of 6 output channels).
#include "ctorch.h"
#include <string.h>

#define CTORCH_BODY "vconv_body.h"
#include "capabilities.h"

typedef void (*conv_block_fn)(const float *, const float *, const float *, long, float *,
                              const ctorch_conv_geometry *);
static conv_block_fn pick_conv_block(void) {
#if defined(__x86_64__)
    switch (ctorch_capability()) {
    case CTORCH_CAP_AVX512: return conv_direct_block_f32_avx512;
    case CTORCH_CAP_AVX2: return conv_direct_block_f32_avx2;
    default: return conv_direct_block_f32_default;
    }
#else
    return conv_direct_block_f32_default;
#endif
}

void ctorch_conv2d_pad_f32(const float *x, float *xp, const ctorch_conv_geometry *g, long begin, long end) {
    long pr = g->wp - g->w - g->pl, pb = g->hp - g->h - g->pt;
    for (long q = begin; q < end; q++) {
        const float *src = x + q * g->h * g->w;
        float *dst = xp + q * g->hp * g->wp;
        memset(dst, 0, sizeof(float) * (size_t)(g->pt * g->wp));
        for (long r = 0; r < g->h; r++) {
            float *row = dst + (g->pt + r) * g->wp;
            memset(row, 0, sizeof(float) * (size_t)g->pl);
            memcpy(row + g->pl, src + r * g->w, sizeof(float) * (size_t)g->w);
            memset(row + g->pl + g->w, 0, sizeof(float) * (size_t)pr);
        }
        memset(dst + (g->pt + g->h) * g->wp, 0, sizeof(float) * (size_t)(pb * g->wp));
    }
}

void ctorch_conv2d_pack_f32(const float *w, float *wp, const ctorch_conv_geometry *g) {
    long taps = g->kh * g->kw, blocks = (g->o + CTORCH_CONV_BLOCK - 1) / CTORCH_CONV_BLOCK;
    for (long b = 0; b < blocks; b++)
        for (long c = 0; c < g->c; c++)
            for (long t = 0; t < taps; t++)
                for (long r = 0; r < CTORCH_CONV_BLOCK; r++) {
                    long o = b * CTORCH_CONV_BLOCK + r;
                    wp[((b * g->c + c) * taps + t) * CTORCH_CONV_BLOCK + r] =
                        o < g->o ? w[(o * g->c + c) * taps + t] : 0.0f;
                }
}

void ctorch_conv2d_direct_f32(const float *xp, const float *wp, const float *bias, float *y,
                              const ctorch_conv_geometry *g, long begin, long end) {
    conv_block_fn f = pick_conv_block();
    long taps = g->kh * g->kw, blocks = (g->o + CTORCH_CONV_BLOCK - 1) / CTORCH_CONV_BLOCK;
    for (long u = begin; u < end; u++) {
        long n = u / blocks, b = u % blocks, o0 = b * CTORCH_CONV_BLOCK;
        long nr = g->o - o0 < CTORCH_CONV_BLOCK ? g->o - o0 : CTORCH_CONV_BLOCK;
        f(xp + n * g->c * g->hp * g->wp, wp + b * g->c * taps * CTORCH_CONV_BLOCK, bias ? bias + o0 : 0, nr,
          y + (n * g->o + o0) * g->oh * g->ow, g);
    }
}

// Max pooling's indices: the first maximum of each window, NaN counting as the maximum. Written
// as selects, but the compiler makes the general loop's selects branches, mispredicted about half
// the time on random data (2x2 windows of the MNIST example's [64, 64, 24, 24] activations: 12-15
// ms on one thread of an Emerald Rapids Xeon); 2x2 windows with stride 2, the common case, are
// one straight-line body per output over the two rows (4-6 ms there, the same indices).
#define TAKES(v, bv) (((v) > (bv)) | (((v) != (v)) & ((bv) == (bv))))
static void max_pool_2x2_plane(const float *xp, long *o, long first, const ctorch_pool_geometry *g) {
    long w = g->w, ow = g->ow;
    for (long oy = 0; oy < g->oh; oy++) {
        const float *r0 = xp + 2 * oy * w, *r1 = r0 + w;
        long k0 = first + 2 * oy * w;
        long *orow = o + oy * ow;
        for (long ox = 0; ox < ow; ox++) {
            float a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], d = r1[2 * ox + 1];
            long best = k0 + 2 * ox;
            float bv = a;
            int t = TAKES(b, bv);
            best = t ? k0 + 2 * ox + 1 : best;
            bv = t ? b : bv;
            t = TAKES(c, bv);
            best = t ? k0 + w + 2 * ox : best;
            bv = t ? c : bv;
            t = TAKES(d, bv);
            orow[ox] = t ? k0 + w + 2 * ox + 1 : best;
        }
    }
}

void ctorch_max_pool2d_indices_f32(const float *x, long *idx, const ctorch_pool_geometry *g, long begin, long end) {
    long plane = g->h * g->w;
    int two = g->kh == 2 && g->kw == 2 && g->sh == 2 && g->sw == 2 && g->dh == 1 && g->dw == 1;
    for (long p = begin; p < end; p++) {
        const float *xp = x + p * plane;
        long *o = idx + p * g->oh * g->ow;
        if (two) {
            max_pool_2x2_plane(xp, o, p * plane, g);
            continue;
        }
        for (long oy = 0; oy < g->oh; oy++) {
            for (long ox = 0; ox < g->ow; ox++) {
                long y0 = oy * g->sh, x0 = ox * g->sw, best = y0 * g->w + x0;
                float bv = xp[best];
                for (long i = 0; i < g->kh; i++) {
                    long row = (y0 + i * g->dh) * g->w + x0;
                    for (long j = 0; j < g->kw; j++) {
                        long k = row + j * g->dw;
                        float v = xp[k];
                        int take = TAKES(v, bv);
                        best = take ? k : best;
                        bv = take ? v : bv;
                    }
                }
                *o++ = p * plane + best;
            }
        }
    }
}
