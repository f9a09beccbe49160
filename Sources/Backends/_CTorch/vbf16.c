// bfloat16 matrix multiply on AMX tiles.
//
// Note [bfloat16 GEMM]
// PyTorch multiplies bfloat16 matrices in float32 and rounds the result once. Converting both
// operands to float32 and calling SGEMM does the same with two extra passes at float32's speed.
// On CPUs with AMX-BF16 (Sapphire Rapids and later Xeons) one TDPBF16PS multiplies a 16 x 32
// bfloat16 tile by a 32 x 16 one into 16 x 16 float32 sums. Both operands are packed as bfloat16
// pairs along k (one 32-bit element a pair, zeros past k, k rounded up to 32), each 16 x 16 tile of
// pairs 1 KiB in one piece: A [rows / 16][pairs / 16][16][16], B per panel of 64 columns
// [pairs / 16][4 groups of 16 columns][16][16] (the layout TDPBF16PS reads). A block of C is 32 x 32:
// four sum tiles, two A and two B tiles, the whole k in the tiles; then beta·C is added in float32
// and each sum rounded to bfloat16 once (VCVTNEPS2BF16, to nearest even) straight into C. The
// products are exact in float32 and summed in float32 (denormal inputs and results flushed to
// zero, as PyTorch's oneDNN kernels on such CPUs). Linux grants the tile state per process
// (arch_prctl ARCH_REQ_XCOMP_PERM), asked once; each call configures and releases its thread's tiles.
// Measured on an Emerald Rapids Xeon (2 cores, best of 5): 4096^3 at 587 GFLOP/s on one thread and
// 1 135 on two, against 141 and 205 through float32 copies and SGEMM; 1024^3 at 258 and 548 against
// 94 and 215. PyTorch's oneDNN reaches about 970 on 2048^3 on one thread here.
// AVX-512 BF16's VDPBF16PS was tried first with a 6 x 64 register block: 60 GFLOP/s against
// SGEMM's 100 at the same time on this CPU (no faster than float32 FMA here), so the CPUs without
// AMX take the float32 route. Products with k < 64 or under 2^20 multiply-adds take it too (the
// packing and padding cost more than they save).
#include "ctorch.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>
#define AMX_TARGET                                                                                                     \
    __attribute__((target("amx-tile,amx-bf16,avx,avx2,fma,avx512f,avx512dq,avx512bw,avx512vl,avx512bf16")))

int ctorch_amx_enable(void) {
    // Linux grants the tile data state per process on request (ARCH_REQ_XCOMP_PERM, XTILEDATA).
    static int state = 0;  // 0: not asked, 1: granted, -1: refused
    int s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
    if (s != 0) return s > 0;
    long r = syscall(SYS_arch_prctl, 0x1023, 18);
    s = r == 0 ? 1 : -1;
    __atomic_store_n(&state, s, __ATOMIC_RELEASE);
    return s > 0;
}

static long round_up(long x, long to) { return (x + to - 1) / to * to; }

// A's pair p of row i: tile-contiguous, [i / 16][p / 16][i % 16][p % 16], so that a 16 x 16 tile of
// pairs is 1 KiB in one piece (rows 64 bytes apart).
static inline long a_offset(long i, long p, long kpp) {
    return (((i / 16) * (kpp / 16) + p / 16) * 16 + i % 16) * 16 + p % 16;
}

AMX_TARGET void ctorch_bf16_pack_a(const uint16_t *a, long lda_row, long lda_col, long m, long k, uint32_t *pa,
                                   long row_begin, long row_end) {
    long kp = (k + 1) / 2, kpp = round_up(kp, CTORCH_BF16_PAIRS);
    for (long i = row_begin; i < row_end; i++) {
        const uint16_t *row = a + i * lda_row;
        long p = 0;
        if (i < m && lda_col == 1) {
            // Contiguous rows: a pair is the 32 bits at row + 2p already; 16 pairs a copy.
            for (; p + 16 <= kp && 2 * (p + 16) <= k; p += 16) memcpy(pa + a_offset(i, p, kpp), row + 2 * p, 64);
        }
        for (; p < kpp; p++) {
            uint32_t lo = 0, hi = 0;
            if (i < m && p < kp) {
                lo = row[(2 * p) * lda_col];
                hi = 2 * p + 1 < k ? row[(2 * p + 1) * lda_col] : 0;
            }
            pa[a_offset(i, p, kpp)] = lo | (hi << 16);
        }
    }
}

// B's columns [j0, j0 + 64) as pairs, tile-contiguous: [p / 16][column group of 16][p % 16][16]
// (zeros past k and n).
AMX_TARGET static void pack_b(const uint16_t *b, long ldb_row, long ldb_col, long k, long n, long j0, long kpp,
                              uint32_t *pb) {
    int full = j0 + 64 <= n;
    for (long p = 0; p < kpp; p++) {
        long k0 = 2 * p;
        const uint16_t *r0 = b + k0 * ldb_row, *r1 = r0 + ldb_row;
        uint32_t *tile_row = pb + ((p / 16) * 4 * 16 + p % 16) * 16;  // column group g at + g * 256
        if (full && k0 + 1 < k && ldb_col == 1) {
            // Rows of B contiguous: 16 columns of both rows interleaved a step.
            for (long g = 0; g < 4; g++) {
                __m512i lo = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(r0 + j0 + 16 * g)));
                __m512i hi = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(r1 + j0 + 16 * g)));
                _mm512_storeu_si512(tile_row + g * 256, _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16)));
            }
            continue;
        }
        if (full && k0 + 1 < k && ldb_row == 1) {
            // Columns of B contiguous (B = Wᵀ): a pair is the 32 bits at column + k0.
            for (long j = 0; j < 64; j++) {
                uint32_t v;
                memcpy(&v, b + (j0 + j) * ldb_col + k0, 4);
                tile_row[(j / 16) * 256 + j % 16] = v;
            }
            continue;
        }
        for (long j = 0; j < 64; j++) {
            long col = j0 + j;
            uint32_t lo = (col < n && k0 < k) ? r0[col * ldb_col] : 0;
            uint32_t hi = (col < n && k0 + 1 < k) ? r1[col * ldb_col] : 0;
            tile_row[(j / 16) * 256 + j % 16] = lo | (hi << 16);
        }
    }
}

typedef struct {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} tile_config;

// A 32 x 32 block of C: tiles 0-3 the sums (16 x 16 float32 each), 4-5 A's two 16-row strips,
// 6-7 B's two 16-column groups, 16 pairs of k a step; then beta·C added in float32 and each sum
// rounded to bfloat16 once (VCVTNEPS2BF16: to nearest even).
AMX_TARGET static void block_32x32(const uint32_t *pa, long kpp, const uint32_t *pb, uint16_t *c, long ldc, long rows,
                                   long cols, float beta) {
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    long strip = kpp * 16;  // A's next 16 rows
    for (long q = 0; q < kpp / 16; q++) {
        _tile_loadd(4, pa + q * 256, 64);
        _tile_loadd(5, pa + strip + q * 256, 64);
        _tile_loadd(6, pb + q * 1024, 64);
        _tile_loadd(7, pb + q * 1024 + 256, 64);
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(1, 4, 7);
        _tile_dpbf16ps(2, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
    }
    float out[32][32];
    _tile_stored(0, &out[0][0], 128);
    _tile_stored(1, &out[0][16], 128);
    _tile_stored(2, &out[16][0], 128);
    _tile_stored(3, &out[16][16], 128);
    for (long r = 0; r < rows; r++) {
        uint16_t *cr = c + r * ldc;
        for (long h = 0; h < 2; h++) {
            long left = cols - 16 * h;
            if (left <= 0) break;
            __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
            __m512 v = _mm512_loadu_ps(&out[r][16 * h]);
            if (beta != 0.0f) {
                __m256i old = _mm256_maskz_loadu_epi16(mask, cr + 16 * h);
                __m512 f = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(old), 16));
                v = _mm512_fmadd_ps(_mm512_set1_ps(beta), f, v);
            }
            __m256i packed = (__m256i)_mm512_cvtneps_pbh(v);
            _mm256_mask_storeu_epi16(cr + 16 * h, mask, packed);
        }
    }
}

AMX_TARGET void ctorch_bf16_gemm_panels(const uint32_t *pa, long m, long k, const uint16_t *b, long ldb_row,
                                        long ldb_col, long n, uint16_t *c, long ldc, float beta, long panel_begin,
                                        long panel_end) {
    long kpp = round_up((k + 1) / 2, CTORCH_BF16_PAIRS);
    tile_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.palette = 1;
    for (int t = 0; t < 8; t++) {
        cfg.rows[t] = 16;
        cfg.colsb[t] = 64;
    }
    _tile_loadconfig(&cfg);
    uint32_t *pb = malloc(sizeof(uint32_t) * (size_t)(kpp * 64));
    if (!pb) abort();
    for (long panel = panel_begin; panel < panel_end; panel++) {
        long j0 = panel * 64;
        pack_b(b, ldb_row, ldb_col, k, n, j0, kpp, pb);
        for (long i = 0; i < m; i += 32) {
            long rows = m - i < 32 ? m - i : 32;
            for (long h = 0; h < 2; h++) {
                long cols = n - (j0 + 32 * h);
                if (cols <= 0) break;
                if (cols > 32) cols = 32;
                block_32x32(pa + i * kpp, kpp, pb + 512 * h, c + i * ldc + j0 + 32 * h, ldc, rows, cols, beta);
            }
        }
    }
    free(pb);
    _tile_release();
}
#else
int ctorch_amx_enable(void) { return 0; }
void ctorch_bf16_pack_a(const uint16_t *a, long lda_row, long lda_col, long m, long k, uint32_t *pa, long row_begin,
                        long row_end) {
    abort();
}
void ctorch_bf16_gemm_panels(const uint32_t *pa, long m, long k, const uint16_t *b, long ldb_row, long ldb_col, long n,
                             uint16_t *c, long ldc, float beta, long panel_begin, long panel_end) {
    abort();
}
#endif
