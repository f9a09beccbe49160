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
// load serves T·L adjacent outputs. A register block holds R output channels × T vectors of
// sums (avx512: 8 × 3 zmm, 48 outputs; avx2 and SSE: 6 × 2 vectors), each weight broadcast once
// per tap and block; the columns between ow and wp are computed and dropped (2 of every 66 for a
// 3×3 filter on 64-wide rows). The sums run over channels then taps, im2col's order. Weights are
// packed [o / R][c][taps][R] once per call (zero for the channels past o). Work is split across
// threads by (sample, block of R output channels). Stop 33 measured the MNIST example's shapes
// (32→64 and 64→32 channels on 24-28 px planes) with 6 × 4 zmm at 70-85 GFLOP/s: a third of the
// blocks of 32 channels was padding, and each block's store divided per row segment.
#include "ctorch.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// The register block per vector width: output channels (R) × vectors of adjacent outputs (T).
// AVX-512: 8 × 3 zmm (24 sums, 11 loads per 24 FMAs; a block of 8 fits the usual channel counts,
// where 6 × 4 left 32 output channels in 6 blocks, one of them a third full); AVX2 and SSE: 6 × 2.
#define CONV_R(vbytes) ((vbytes) == 64 ? 8 : 6)
#define CONV_T(vbytes) ((vbytes) == 64 ? 3 : 2)
// The weight gradient's block: R output channels × 3 taps of vector sums (avx512: 6 × 3 zmm, 9
// loads per 18 FMAs; 16 registers: 3 × 3).
#define WG_R(vbytes) ((vbytes) == 64 ? 6 : 3)
#define CTORCH_BODY "vconv_body.h"
#include "capabilities.h"

typedef void (*conv_block_fn)(const float *, const float *, const float *, long, float *,
                              const ctorch_conv_geometry *);
static conv_block_fn pick_conv_block(long *block) {
#if defined(__x86_64__)
    switch (ctorch_capability()) {
    case CTORCH_CAP_AVX512: *block = CONV_R(64); return conv_direct_block_f32_avx512;
    case CTORCH_CAP_AVX2: *block = CONV_R(32); return conv_direct_block_f32_avx2;
    default: break;
    }
#endif
    *block = CONV_R(16);
    return conv_direct_block_f32_default;
}

long ctorch_conv_block(void) {
    long block;
    pick_conv_block(&block);
    return block;
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
    long R = ctorch_conv_block();
    long taps = g->kh * g->kw, blocks = (g->o + R - 1) / R;
    for (long b = 0; b < blocks; b++)
        for (long c = 0; c < g->c; c++)
            for (long t = 0; t < taps; t++)
                for (long r = 0; r < R; r++) {
                    long o = b * R + r;
                    wp[((b * g->c + c) * taps + t) * R + r] = o < g->o ? w[(o * g->c + c) * taps + t] : 0.0f;
                }
}

void ctorch_conv2d_direct_f32(const float *xp, const float *wp, const float *bias, float *y,
                              const ctorch_conv_geometry *g, long begin, long end) {
    long R;
    conv_block_fn f = pick_conv_block(&R);
    long taps = g->kh * g->kw, blocks = (g->o + R - 1) / R;
    for (long u = begin; u < end; u++) {
        long n = u / blocks, b = u % blocks, o0 = b * R;
        long nr = g->o - o0 < R ? g->o - o0 : R;
        f(xp + n * g->c * g->hp * g->wp, wp + b * g->c * taps * R, bias ? bias + o0 : 0, nr,
          y + (n * g->o + o0) * g->oh * g->ow, g);
    }
}

// Note [Direct convolution's weight gradient]
// The weight gradient of a stride-1 convolution, gW[o][c][ky][kx] = Σ_n Σ_{oy,ox} g[n][o][oy][ox] ·
// xp[n][c][oy + ky·dh][ox + kx·dw], was im2col of the input (kh·kw copies) and one product of
// shape [O, N·oh·ow] × [N·oh·ow, C·kh·kw], whose long inner dimension OpenBLAS runs at 62-71
// GFLOP/s on the MNIST example's second layer (64 × 288 × 36 864, every transpose tried, Emerald
// Rapids, one thread). Here the output gradient is laid out at the padded input's width (zeros in
// the columns past ow and after the last row), so that, as in the forward kernel, the product for
// tap (ky, kx) is a dot product of two flat runs: g[p] and xp[p + ky·dh·wp + kx·dw]. A register
// block of R output channels × 3 taps keeps R·3 vectors of sums; the runs are read with unaligned
// loads and each R + 3 loads feed 3·R multiply-adds. The sums stay vectors across samples (one
// load and store of the block's sums per sample, channel and tap group) and are added across
// lanes once. The zero gradient in the dropped columns multiplies input values that belong to
// no product there, so the caller checks that the input is finite first (an infinity there
// would make a NaN that the definition does not have); otherwise the composite runs.
// Units: (block of R output channels, range of input channels), each writing its own outputs.
typedef void (*wgrad_unit_fn)(const float *, const float *, float *, float *, const ctorch_conv_geometry *, long,
                              long, long, long, long);
static wgrad_unit_fn pick_wgrad_unit(long *block, long *lanes) {
#if defined(__x86_64__)
    switch (ctorch_capability()) {
    case CTORCH_CAP_AVX512: *block = WG_R(64); *lanes = 16; return conv_wgrad_unit_f32_avx512;
    case CTORCH_CAP_AVX2: *block = WG_R(32); *lanes = 8; return conv_wgrad_unit_f32_avx2;
    default: break;
    }
#endif
    *block = WG_R(16);
    *lanes = 4;
    return conv_wgrad_unit_f32_default;
}

long ctorch_conv_wgrad_block(void) {
    long block, lanes;
    pick_wgrad_unit(&block, &lanes);
    return block;
}

long ctorch_conv_wgrad_channels(const ctorch_conv_geometry *g) {
    long per = g->c / 4;
    return per < 1 ? 1 : (per > 16 ? 16 : per);
}

void ctorch_conv2d_pad_grad_f32(const float *gy, float *gp, const ctorch_conv_geometry *g, long P, long oR,
                                long begin, long end) {
    for (long q = begin; q < end; q++) {
        long n = q / oR, o = q % oR;
        float *dst = gp + q * P;
        memset(dst, 0, sizeof(float) * (size_t)P);
        if (o >= g->o) continue;
        const float *src = gy + (n * g->o + o) * g->oh * g->ow;
        for (long r = 0; r < g->oh; r++) memcpy(dst + r * g->wp, src + r * g->ow, sizeof(float) * (size_t)g->ow);
    }
}

int ctorch_all_finite_f32(const float *x, long n) {
    unsigned bad = 0;
    for (long i = 0; i < n; i++) {
        unsigned u;
        memcpy(&u, x + i, 4);
        bad |= (u & 0x7f800000u) == 0x7f800000u;
    }
    return bad == 0;
}

void ctorch_conv2d_weight_grad_f32(const float *xp, const float *gp, float *gw, const ctorch_conv_geometry *g,
                                   long P, long begin, long end) {
    long R, L;
    wgrad_unit_fn f = pick_wgrad_unit(&R, &L);
    long blocks = (g->o + R - 1) / R, oR = blocks * R, per = ctorch_conv_wgrad_channels(g);
    long ranges = (g->c + per - 1) / per, taps = g->kh * g->kw, groups = (taps + 2) / 3;
    float *part = aligned_alloc(64, sizeof(float) * (size_t)(per * groups * R * 3 * L));
    if (part == NULL) {
        // No silent partial result: the caller's gradient would be left unwritten.
        fputs("SwiftTorch: out of memory for the convolution's weight-gradient sums\n", stderr);
        abort();
    }
    for (long u = begin; u < end; u++) {
        long b = u / ranges, c0 = (u % ranges) * per, c1 = c0 + per < g->c ? c0 + per : g->c;
        f(xp, gp, gw, part, g, P, oR, b, c0, c1);
    }
    free(part);
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
