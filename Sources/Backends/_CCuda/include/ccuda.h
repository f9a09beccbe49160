#ifndef CCUDA_H
#define CCUDA_H
// CUDA driver, NVRTC and cuBLAS, opened with dlopen at run time: nothing here needs CUDA at
// build time. Every call returns the library's status code (0 = success).
#include <stddef.h>
#include <stdint.h>

typedef uint64_t ccu_deviceptr;
typedef void *ccu_handle;   // CUcontext, CUmodule, CUfunction, CUstream, CUevent, cublasHandle_t

// Loads the libraries. Returns 0 when the driver is usable; otherwise writes why into `why`.
int ccu_load(char *why, int whyLen);
int ccu_nvrtc_loaded(void);
int ccu_cublas_loaded(void);

int ccu_init(void);
int ccu_device_count(int *n);
int ccu_device_name(int dev, char *name, int len);
int ccu_device_cc(int dev, int *major, int *minor);
int ccu_primary_ctx(int dev, ccu_handle *ctx);
int ccu_ctx_set_current(ccu_handle ctx);
// Makes ctx current on this thread unless it already is (a thread-local check, no driver call).
int ccu_ctx_ensure(ccu_handle ctx);
int ccu_mem_alloc(ccu_deviceptr *p, size_t bytes);
int ccu_mem_free(ccu_deviceptr p);
int ccu_mem_get_info(size_t *free_bytes, size_t *total_bytes);
int ccu_memcpy_htod(ccu_deviceptr dst, const void *src, size_t bytes, ccu_handle stream);
int ccu_memcpy_dtoh(void *dst, ccu_deviceptr src, size_t bytes, ccu_handle stream);
int ccu_memcpy_dtod(ccu_deviceptr dst, ccu_deviceptr src, size_t bytes, ccu_handle stream);
int ccu_memset_d8(ccu_deviceptr dst, unsigned char v, size_t bytes, ccu_handle stream);
int ccu_stream_create(ccu_handle *s);
int ccu_stream_sync(ccu_handle s);
int ccu_ctx_sync(void);
int ccu_mem_host_alloc(void **p, size_t bytes);
int ccu_mem_host_free(void *p);
int ccu_event_create(ccu_handle *e);
int ccu_event_record(ccu_handle e, ccu_handle stream);
int ccu_event_sync(ccu_handle e);
int ccu_event_elapsed(float *ms, ccu_handle start, ccu_handle end);
int ccu_module_load_data(ccu_handle *mod, const void *image);
int ccu_module_get_function(ccu_handle *fn, ccu_handle mod, const char *name);
int ccu_launch(ccu_handle fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
               unsigned shared, ccu_handle stream, void **params);
const char *ccu_error_string(int code);

// NVRTC: compiles `src` for sm_<arch>; on success *cubin/size hold a malloc'd image.
int ccu_nvrtc_compile(const char *src, const char *name, int arch, void **cubin, size_t *size, char *log, int logLen);

// cuBLAS
int ccu_cublas_create(ccu_handle *h);
int ccu_cublas_set_stream(ccu_handle h, ccu_handle stream);
int ccu_cublas_set_math_mode(ccu_handle h, int mode);
// Column-major strided-batched GEMM, computeType/dataTypes as cublasGemmStridedBatchedEx takes them.
int ccu_cublas_gemm_strided_batched(ccu_handle h, int transa, int transb, int m, int n, int k,
                                    const void *alpha, ccu_deviceptr A, int atype, int lda, long long strideA,
                                    ccu_deviceptr B, int btype, int ldb, long long strideB, const void *beta,
                                    ccu_deviceptr C, int ctype, int ldc, long long strideC, int batch,
                                    int computeType, int algo);
#endif
