#ifndef CTORCH_H
#define CTORCH_H
#include <stddef.h>
#include <stdint.h>

// CBLAS, as OpenBLAS exports it (declared here so no header path is needed at build time).
enum CTORCH_CBLAS_ORDER { CTorchRowMajor = 101, CTorchColMajor = 102 };
enum CTORCH_CBLAS_TRANSPOSE { CTorchNoTrans = 111, CTorchTrans = 112 };

void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
                 const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
void cblas_dgemm(int order, int transA, int transB, int m, int n, int k, double alpha,
                 const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc);
void cblas_cgemm(int order, int transA, int transB, int m, int n, int k, const void *alpha, const void *a, int lda,
                 const void *b, int ldb, const void *beta, void *c, int ldc);
void cblas_zgemm(int order, int transA, int transB, int m, int n, int k, const void *alpha, const void *a, int lda,
                 const void *b, int ldb, const void *beta, void *c, int ldc);
void cblas_sgemv(int order, int trans, int m, int n, float alpha, const float *a, int lda,
                 const float *x, int incx, float beta, float *y, int incy);
void cblas_dgemv(int order, int trans, int m, int n, double alpha, const double *a, int lda,
                 const double *x, int incx, double beta, double *y, int incy);
void cblas_saxpy(int n, float alpha, const float *x, int incx, float *y, int incy);
void cblas_daxpy(int n, double alpha, const double *x, int incx, double *y, int incy);
void openblas_set_num_threads(int n);
// Stops OpenBLAS's worker threads (they spin for a while after a threaded call otherwise).
void blas_thread_shutdown_(void);
int openblas_get_num_threads(void);
// The name of the kernels OpenBLAS chose for this CPU ("Zen", "Haswell", "SkylakeX", ...).
char *openblas_get_corename(void);
// Makes OpenBLAS run the kernels of core `name` ("SkylakeX") from now on, as OPENBLAS_CORETYPE
// would have at start-up; 0 when this OpenBLAS cannot switch (not a DYNAMIC_ARCH build).
int ctorch_openblas_force_core(const char *name);

// CPU features (CPUID and XGETBV, read once) and the capability whose kernels run (vmath.c,
// Note [CPU capability]).
#define CTORCH_FEATURE_AVX (1ull << 0)
#define CTORCH_FEATURE_FMA (1ull << 1)
#define CTORCH_FEATURE_AVX2 (1ull << 2)
#define CTORCH_FEATURE_AVX512F (1ull << 3)
#define CTORCH_FEATURE_AVX512DQ (1ull << 4)
#define CTORCH_FEATURE_AVX512BW (1ull << 5)
#define CTORCH_FEATURE_AVX512VL (1ull << 6)
#define CTORCH_FEATURE_AVX512VNNI (1ull << 7)
#define CTORCH_FEATURE_AVX512BF16 (1ull << 8)
#define CTORCH_FEATURE_AMX_TILE (1ull << 9)
#define CTORCH_FEATURE_AMX_BF16 (1ull << 10)
#define CTORCH_FEATURE_AMX_INT8 (1ull << 11)
#define CTORCH_CAP_DEFAULT 0
#define CTORCH_CAP_AVX2 1
#define CTORCH_CAP_AVX512 2
#define CTORCH_TARGET_AVX2 "avx,avx2,fma"
#define CTORCH_TARGET_AVX512 "avx,avx2,fma,avx512f,avx512dq,avx512bw,avx512vl"
uint64_t ctorch_cpu_features(void);
// The best capability this CPU and OS support, and the one in use (chosen on first use).
int ctorch_best_capability(void);
int ctorch_capability(void);
// Switches the kernels' path; -1 (and no change) when the CPU lacks it.
int ctorch_set_capability(int capability);
// One thread's multiply-add throughput on the chosen path: runs `iters` rounds of 12 vector FMAs
// and returns the floating-point operations done.
double ctorch_fma_peak(long iters);

// Vectorised float32 transcendental kernels over contiguous arrays (n elements).
void ctorch_exp_f32(const float *x, float *y, long n);
void ctorch_tanh_f32(const float *x, float *y, long n);
void ctorch_sigmoid_f32(const float *x, float *y, long n);
void ctorch_sqrt_f32(const float *x, float *y, long n);
void ctorch_rsqrt_f32(const float *x, float *y, long n);

// Softmax (log_softmax != 0: log-softmax) of each of `rows` contiguous rows of n floats.
void ctorch_softmax_rows_f32(const float *x, float *y, long rows, long n, int log_softmax);

// Layer norm of each of `rows` contiguous rows of n floats, with optional per-column weight and bias
// (NULL: none); writes each row's mean and 1/sqrt(var + eps).
void ctorch_layer_norm_rows_f32(const float *x, float *y, long rows, long n, const float *w, const float *b, float eps,
                                float *mean, float *rstd);

// The geometry of a depthwise 2-D convolution: input [n, c, h, w], output [n, c·mult, oh, ow], one
// [kh, kw] filter per output channel, stride, zero padding and dilation per dimension.
typedef struct {
    long n, c, h, w, mult, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
} ctorch_depthwise_geometry;

// Output planes [begin, end) (plane p: sample p / (c·mult), channel p % (c·mult)) of a depthwise
// convolution of contiguous float32 x with contiguous weights [c·mult, kh, kw] and optional bias.
void ctorch_depthwise_conv2d_f32(const float *x, const float *w, const float *bias, float *y,
                                 const ctorch_depthwise_geometry *g, long begin, long end);

// A stride-1 2-D convolution (vconv.c, Note [Direct convolution]): input [n, c, h, w], weights
// [o, c, kh, kw], dilation, zero padding pt (top) and pl (left), the padded input [hp, wp] and
// the output [n, o, oh, ow] (oh = hp - dh·(kh - 1), ow = wp - dw·(kw - 1)).
typedef struct {
    long n, c, h, w, o, kh, kw, dh, dw, pt, pl, hp, wp, oh, ow;
} ctorch_conv_geometry;
// The most filter taps, and the floats a padded input buffer needs past its last plane (at least
// the widest block of adjacent outputs).
#define CTORCH_CONV_MAX_TAPS 256
#define CTORCH_CONV_SLACK 64
// Output channels per register block on the chosen capability (8 on avx512, 6 otherwise).
long ctorch_conv_block(void);

// Planes [begin, end) of n·c of contiguous x copied into the zero-padded [n·c, hp, wp] buffer xp.
void ctorch_conv2d_pad_f32(const float *x, float *xp, const ctorch_conv_geometry *g, long begin, long end);
// Weights [o, c, kh, kw] packed into [ceil(o / B), c, kh·kw, B] (zeros past o), B = ctorch_conv_block().
void ctorch_conv2d_pack_f32(const float *w, float *wp, const ctorch_conv_geometry *g);
// Work units [begin, end) (unit u: sample u / ceil(o / B), output channels B·(u % ceil(o / B)) on)
// of the convolution of the padded input xp (CTORCH_CONV_SLACK zero floats after it) with the
// packed weights into contiguous y, plus the optional bias [o].
void ctorch_conv2d_direct_f32(const float *xp, const float *wp, const float *bias, float *y,
                              const ctorch_conv_geometry *g, long begin, long end);
// The weight gradient (vconv.c, Note [Direct convolution's weight gradient]): output channels
// per block B = ctorch_conv_wgrad_block(), input channels per unit ctorch_conv_wgrad_channels(g).
long ctorch_conv_wgrad_block(void);
long ctorch_conv_wgrad_channels(const ctorch_conv_geometry *g);
// Planes [begin, end) of n·oR (oR = B·ceil(o / B)) of the output gradient gy [n, o, oh, ow] laid
// out at the padded width: gp [n, oR, P], P ≥ oh·wp a multiple of 16, zeros elsewhere.
void ctorch_conv2d_pad_grad_f32(const float *gy, float *gp, const ctorch_conv_geometry *g, long P, long oR,
                                long begin, long end);
// Whether n floats are all finite.
int ctorch_all_finite_f32(const float *x, long n);
// Units [begin, end) of ceil(o / B) · ceil(c / channels) of gw [o, c, kh, kw] from the padded,
// finite input xp (zeros for 16 + (kw - 1)·dw floats after it) and gp.
void ctorch_conv2d_weight_grad_f32(const float *xp, const float *gp, float *gw, const ctorch_conv_geometry *g,
                                   long P, long begin, long end);

// A 2-D max pooling window over planes [h, w] (already padded), giving [oh, ow] per plane.
typedef struct {
    long h, w, kh, kw, sh, sw, dh, dw, oh, ow;
} ctorch_pool_geometry;
// For planes [begin, end) of contiguous float32 x, the linear index (into x) of the first maximum
// of each window, NaN counting as the maximum (PyTorch's max_pool2d indices).
void ctorch_max_pool2d_indices_f32(const float *x, long *idx, const ctorch_pool_geometry *g, long begin, long end);

// bfloat16 matrix multiply on AMX tiles (vbf16.c, Note [bfloat16 GEMM]); x86-64 CPUs with AMX-BF16
// only, after ctorch_amx_enable() returned 1 (the caller checks). A [m, k] (strides in elements)
// packed as bfloat16 pairs along k into pa [m rounded up to CTORCH_BF16_ROWS][(k + 1) / 2 rounded up
// to CTORCH_BF16_PAIRS]; rows [row_begin, row_end) of it (rows past m are zeros).
#define CTORCH_BF16_ROWS 32
#define CTORCH_BF16_PAIRS 16
int ctorch_amx_enable(void);
void ctorch_bf16_pack_a(const uint16_t *a, long lda_row, long lda_col, long m, long k, uint32_t *pa, long row_begin,
                        long row_end);
// bfloat16 C[m, n] (row stride ldc) = A · B + beta · C, summed in float32 and rounded once, over the
// column panels [panel_begin, panel_end) of 64 columns each, B [k, n] with strides in elements; m rows
// of the packed A from pa on (pa at a multiple of 32 rows).
void ctorch_bf16_gemm_panels(const uint32_t *pa, long m, long k, const uint16_t *b, long ldb_row, long ldb_col, long n,
                             uint16_t *c, long ldc, float beta, long panel_begin, long panel_end);

// A separable 2-D resampling of [planes, ih, iw] into [planes, oh, ow]: output (oy, ox) is
// Σ_k wy[oy·ty + k] · (Σ_j wx[ox·tx + j] · x[yi[oy·ty + k], xi[ox·tx + j]]), the width blended first.
typedef struct {
    long ih, iw, oh, ow, ty, tx;
    const long *yi, *xi;
    const float *wy, *wx;
} ctorch_resample_geometry;

// Planes [begin, end) of a separable 2-D resampling of contiguous float32 x into contiguous y.
void ctorch_resample2d_f32(const float *x, float *y, const ctorch_resample_geometry *g, long begin, long end);

// Sum of n contiguous floats / doubles with several vector accumulators.
float ctorch_sum_f32(const float *x, long n);
// n standard normal floats from Philox blocks counter, counter + 1, … (vrandom.c).
void ctorch_normal_f32(uint64_t key, uint64_t counter, float *out, long n);
double ctorch_sum_f64(const double *x, long n);
// The largest / smallest of n > 0 contiguous floats, NaN when any is NaN.
float ctorch_max_f32(const float *x, long n);
float ctorch_min_f32(const float *x, long n);

// Names the calling thread (threads otherwise inherit their creator's name).
void ctorch_set_thread_name(const char *name);
// Fixes glibc's mmap threshold at `bytes` (no effect elsewhere).
void ctorch_set_mmap_threshold(long bytes);

// LAPACK (Fortran calling convention), as OpenBLAS exports it: column-major matrices, every
// argument by pointer.
void sgetrf_(const int *m, const int *n, float *a, const int *lda, int *ipiv, int *info);
void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
void sgetrs_(const char *trans, const int *n, const int *nrhs, const float *a, const int *lda, const int *ipiv,
             float *b, const int *ldb, int *info);
void dgetrs_(const char *trans, const int *n, const int *nrhs, const double *a, const int *lda, const int *ipiv,
             double *b, const int *ldb, int *info);
void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info);
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda, float *w, float *work,
             const int *lwork, int *iwork, const int *liwork, int *info);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w, double *work,
             const int *lwork, int *iwork, const int *liwork, int *info);
void sgeev_(const char *jobvl, const char *jobvr, const int *n, float *a, const int *lda, float *wr, float *wi,
            float *vl, const int *ldvl, float *vr, const int *ldvr, float *work, const int *lwork, int *info);
void dgeev_(const char *jobvl, const char *jobvr, const int *n, double *a, const int *lda, double *wr, double *wi,
            double *vl, const int *ldvl, double *vr, const int *ldvr, double *work, const int *lwork, int *info);
void sgesdd_(const char *jobz, const int *m, const int *n, float *a, const int *lda, float *s, float *u,
             const int *ldu, float *vt, const int *ldvt, float *work, const int *lwork, int *iwork, int *info);
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s, double *u,
             const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork, int *iwork, int *info);

void sgeqrf_(const int *m, const int *n, float *a, const int *lda, float *tau, float *work, const int *lwork,
             int *info);
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work, const int *lwork,
             int *info);
void sorgqr_(const int *m, const int *n, const int *k, float *a, const int *lda, const float *tau, float *work,
             const int *lwork, int *info);
void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda, const double *tau, double *work,
             const int *lwork, int *info);
void ssytrf_(const char *uplo, const int *n, float *a, const int *lda, int *ipiv, float *work, const int *lwork,
             int *info);
void dsytrf_(const char *uplo, const int *n, double *a, const int *lda, int *ipiv, double *work, const int *lwork,
             int *info);
void sgels_(const char *trans, const int *m, const int *n, const int *nrhs, float *a, const int *lda, float *b,
            const int *ldb, float *work, const int *lwork, int *info);
void dgels_(const char *trans, const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b,
            const int *ldb, double *work, const int *lwork, int *info);
void sgelsy_(const int *m, const int *n, const int *nrhs, float *a, const int *lda, float *b, const int *ldb,
             int *jpvt, const float *rcond, int *rank, float *work, const int *lwork, int *info);
void dgelsy_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b, const int *ldb,
             int *jpvt, const double *rcond, int *rank, double *work, const int *lwork, int *info);
void sgelsd_(const int *m, const int *n, const int *nrhs, float *a, const int *lda, float *b, const int *ldb, float *s,
             const float *rcond, int *rank, float *work, const int *lwork, int *iwork, int *info);
void dgelsd_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b, const int *ldb,
             double *s, const double *rcond, int *rank, double *work, const int *lwork, int *iwork, int *info);
void sgelss_(const int *m, const int *n, const int *nrhs, float *a, const int *lda, float *b, const int *ldb, float *s,
             const float *rcond, int *rank, float *work, const int *lwork, int *info);
void dgelss_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b, const int *ldb,
             double *s, const double *rcond, int *rank, double *work, const int *lwork, int *info);

// The complex routines (c: complex64, z: complex128). Every float array, complex or real, is
// untyped here so that the two precisions share one Swift signature (Note [Complex LAPACK]).
#define CTORCH_CX_LAPACK(P) \
void P##getrf_(const int *m, const int *n, void *a, const int *lda, int *ipiv, int *info); \
void P##getrs_(const char *trans, const int *n, const int *nrhs, const void *a, const int *lda, const int *ipiv, \
               void *b, const int *ldb, int *info); \
void P##potrf_(const char *uplo, const int *n, void *a, const int *lda, int *info); \
void P##heevd_(const char *jobz, const char *uplo, const int *n, void *a, const int *lda, void *w, void *work, \
               const int *lwork, void *rwork, const int *lrwork, int *iwork, const int *liwork, int *info); \
void P##geev_(const char *jobvl, const char *jobvr, const int *n, void *a, const int *lda, void *w, void *vl, \
              const int *ldvl, void *vr, const int *ldvr, void *work, const int *lwork, void *rwork, int *info); \
void P##gesdd_(const char *jobz, const int *m, const int *n, void *a, const int *lda, void *s, void *u, \
               const int *ldu, void *vt, const int *ldvt, void *work, const int *lwork, void *rwork, int *iwork, \
               int *info); \
void P##geqrf_(const int *m, const int *n, void *a, const int *lda, void *tau, void *work, const int *lwork, \
               int *info); \
void P##ungqr_(const int *m, const int *n, const int *k, void *a, const int *lda, const void *tau, void *work, \
               const int *lwork, int *info); \
void P##sytrf_(const char *uplo, const int *n, void *a, const int *lda, int *ipiv, void *work, const int *lwork, \
               int *info); \
void P##hetrf_(const char *uplo, const int *n, void *a, const int *lda, int *ipiv, void *work, const int *lwork, \
               int *info); \
void P##gels_(const char *trans, const int *m, const int *n, const int *nrhs, void *a, const int *lda, void *b, \
              const int *ldb, void *work, const int *lwork, int *info); \
void P##gelsy_(const int *m, const int *n, const int *nrhs, void *a, const int *lda, void *b, const int *ldb, \
               int *jpvt, const void *rcond, int *rank, void *work, const int *lwork, void *rwork, int *info); \
void P##gelsd_(const int *m, const int *n, const int *nrhs, void *a, const int *lda, void *b, const int *ldb, \
               void *s, const void *rcond, int *rank, void *work, const int *lwork, void *rwork, int *iwork, \
               int *info); \
void P##gelss_(const int *m, const int *n, const int *nrhs, void *a, const int *lda, void *b, const int *ldb, \
               void *s, const void *rcond, int *rank, void *work, const int *lwork, void *rwork, int *info);
CTORCH_CX_LAPACK(c)
CTORCH_CX_LAPACK(z)
#undef CTORCH_CX_LAPACK

#endif
