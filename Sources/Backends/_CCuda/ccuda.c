// Run-time loading of the CUDA libraries (see ccuda.h). Candidate paths plus environment
// overrides (SWIFTTORCH_LIBCUDA, SWIFTTORCH_LIBNVRTC, SWIFTTORCH_LIBCUBLAS).
#include "ccuda.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*fn_i)(void);
static void *h_cuda, *h_nvrtc, *h_cublas;

#define DECL(name, sig) static int (*p_##name) sig;
DECL(cuInit, (unsigned))
DECL(cuDeviceGetCount, (int *))
DECL(cuDeviceGet, (int *, int))
DECL(cuDeviceGetName, (char *, int, int))
DECL(cuDeviceGetAttribute, (int *, int, int))
DECL(cuDevicePrimaryCtxRetain, (void **, int))
DECL(cuCtxSetCurrent, (void *))
DECL(cuMemAlloc_v2, (uint64_t *, size_t))
DECL(cuMemFree_v2, (uint64_t))
DECL(cuMemGetInfo_v2, (size_t *, size_t *))
DECL(cuMemcpyHtoDAsync_v2, (uint64_t, const void *, size_t, void *))
DECL(cuMemcpyDtoHAsync_v2, (void *, uint64_t, size_t, void *))
DECL(cuMemcpyDtoDAsync_v2, (uint64_t, uint64_t, size_t, void *))
DECL(cuMemsetD8Async, (uint64_t, unsigned char, size_t, void *))
DECL(cuStreamCreate, (void **, unsigned))
DECL(cuStreamSynchronize, (void *))
DECL(cuCtxSynchronize, (void))
DECL(cuMemHostAlloc, (void **, size_t, unsigned))
DECL(cuMemFreeHost, (void *))
DECL(cuEventCreate, (void **, unsigned))
DECL(cuEventRecord, (void *, void *))
DECL(cuEventSynchronize, (void *))
DECL(cuEventElapsedTime, (float *, void *, void *))
DECL(cuModuleLoadData, (void **, const void *))
DECL(cuModuleGetFunction, (void **, void *, const char *))
DECL(cuLaunchKernel, (void *, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void *, void **, void **))
DECL(cuGetErrorString, (int, const char **))
DECL(nvrtcCreateProgram, (void **, const char *, const char *, int, const char *const *, const char *const *))
DECL(nvrtcCompileProgram, (void *, int, const char *const *))
DECL(nvrtcGetCUBINSize, (void *, size_t *))
DECL(nvrtcGetCUBIN, (void *, char *))
DECL(nvrtcGetProgramLogSize, (void *, size_t *))
DECL(nvrtcGetProgramLog, (void *, char *))
DECL(nvrtcDestroyProgram, (void **))
DECL(cublasCreate_v2, (void **))
DECL(cublasSetStream_v2, (void *, void *))
DECL(cublasSetMathMode, (void *, int))
DECL(cublasGemmStridedBatchedEx, (void *, int, int, int, int, int, const void *, const void *, int, int, long long,
                                  const void *, int, int, long long, const void *, void *, int, int, long long, int, int, int))

static void *open_first(const char *env, const char *const *candidates) {
    const char *o = getenv(env);
    if (o && *o) { void *h = dlopen(o, RTLD_NOW | RTLD_GLOBAL); if (h) return h; }
    for (int i = 0; candidates[i]; i++) {
        void *h = dlopen(candidates[i], RTLD_NOW | RTLD_GLOBAL);
        if (h) return h;
    }
    return NULL;
}

#define LOAD(h, name) p_##name = (void *)dlsym(h, #name)

int ccu_load(char *why, int whyLen) {
    if (h_cuda) return 0;
    static const char *cuda[] = {"libcuda.so.1", "libcuda.so", "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
                                 "/usr/local/nvidia/lib64/libcuda.so.1", NULL};
    static const char *nvrtc[] = {"libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12",
                                  "/usr/local/cuda-13.0/targets/x86_64-linux/lib/libnvrtc.so",
                                  "/usr/local/cuda/lib64/libnvrtc.so", "/usr/local/cuda/lib64/libnvrtc.so.13", NULL};
    static const char *cublas[] = {"libcublas.so", "libcublas.so.13", "libcublas.so.12",
                                   "/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublas.so",
                                   "/usr/local/cuda/lib64/libcublas.so", "/usr/local/cuda/lib64/libcublas.so.13", NULL};
    void *h = open_first("SWIFTTORCH_LIBCUDA", cuda);
    if (!h) { snprintf(why, whyLen, "libcuda.so.1 not found (no NVIDIA driver): %s", dlerror()); return -1; }
    LOAD(h, cuInit); LOAD(h, cuDeviceGetCount); LOAD(h, cuDeviceGet); LOAD(h, cuDeviceGetName);
    LOAD(h, cuDeviceGetAttribute); LOAD(h, cuDevicePrimaryCtxRetain); LOAD(h, cuCtxSetCurrent);
    LOAD(h, cuMemAlloc_v2); LOAD(h, cuMemFree_v2); LOAD(h, cuMemGetInfo_v2); LOAD(h, cuMemcpyHtoDAsync_v2);
    LOAD(h, cuMemcpyDtoHAsync_v2); LOAD(h, cuMemcpyDtoDAsync_v2); LOAD(h, cuMemsetD8Async); LOAD(h, cuStreamCreate);
    LOAD(h, cuStreamSynchronize); LOAD(h, cuCtxSynchronize); LOAD(h, cuMemHostAlloc); LOAD(h, cuMemFreeHost);
    LOAD(h, cuEventCreate); LOAD(h, cuEventRecord); LOAD(h, cuEventSynchronize); LOAD(h, cuEventElapsedTime);
    LOAD(h, cuModuleLoadData); LOAD(h, cuModuleGetFunction); LOAD(h, cuLaunchKernel); LOAD(h, cuGetErrorString);
    if (!p_cuInit || !p_cuMemAlloc_v2 || !p_cuLaunchKernel || !p_cuModuleLoadData) {
        snprintf(why, whyLen, "libcuda.so.1 lacks required symbols");
        return -1;
    }
    h_cuda = h;
    h_nvrtc = open_first("SWIFTTORCH_LIBNVRTC", nvrtc);
    if (h_nvrtc) {
        LOAD(h_nvrtc, nvrtcCreateProgram); LOAD(h_nvrtc, nvrtcCompileProgram); LOAD(h_nvrtc, nvrtcGetCUBINSize);
        LOAD(h_nvrtc, nvrtcGetCUBIN); LOAD(h_nvrtc, nvrtcGetProgramLogSize); LOAD(h_nvrtc, nvrtcGetProgramLog);
        LOAD(h_nvrtc, nvrtcDestroyProgram);
    }
    h_cublas = open_first("SWIFTTORCH_LIBCUBLAS", cublas);
    if (h_cublas) {
        LOAD(h_cublas, cublasCreate_v2); LOAD(h_cublas, cublasSetStream_v2); LOAD(h_cublas, cublasSetMathMode);
        LOAD(h_cublas, cublasGemmStridedBatchedEx);
    }
    return 0;
}

int ccu_nvrtc_loaded(void) { return h_nvrtc != NULL && p_nvrtcCompileProgram != NULL; }
int ccu_cublas_loaded(void) { return h_cublas != NULL && p_cublasGemmStridedBatchedEx != NULL; }

int ccu_init(void) { return p_cuInit(0); }
int ccu_device_count(int *n) { return p_cuDeviceGetCount(n); }
int ccu_device_name(int dev, char *name, int len) { int d; int r = p_cuDeviceGet(&d, dev); return r ? r : p_cuDeviceGetName(name, len, d); }
int ccu_device_cc(int dev, int *major, int *minor) {
    int d; int r = p_cuDeviceGet(&d, dev); if (r) return r;
    r = p_cuDeviceGetAttribute(major, 75, d); if (r) return r;   // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
    return p_cuDeviceGetAttribute(minor, 76, d);
}
int ccu_primary_ctx(int dev, ccu_handle *ctx) { int d; int r = p_cuDeviceGet(&d, dev); return r ? r : p_cuDevicePrimaryCtxRetain(ctx, d); }
int ccu_ctx_set_current(ccu_handle ctx) { return p_cuCtxSetCurrent(ctx); }
static __thread void *bound_ctx;
int ccu_ctx_ensure(ccu_handle ctx) {
    if (bound_ctx == ctx) return 0;
    int r = p_cuCtxSetCurrent(ctx);
    if (r == 0) bound_ctx = ctx;
    return r;
}
int ccu_mem_alloc(ccu_deviceptr *p, size_t bytes) { return p_cuMemAlloc_v2(p, bytes); }
int ccu_mem_free(ccu_deviceptr p) { return p_cuMemFree_v2(p); }
int ccu_mem_get_info(size_t *f, size_t *t) { return p_cuMemGetInfo_v2(f, t); }
int ccu_memcpy_htod(ccu_deviceptr d, const void *s, size_t n, ccu_handle st) { return p_cuMemcpyHtoDAsync_v2(d, s, n, st); }
int ccu_memcpy_dtoh(void *d, ccu_deviceptr s, size_t n, ccu_handle st) { return p_cuMemcpyDtoHAsync_v2(d, s, n, st); }
int ccu_memcpy_dtod(ccu_deviceptr d, ccu_deviceptr s, size_t n, ccu_handle st) { return p_cuMemcpyDtoDAsync_v2(d, s, n, st); }
int ccu_memset_d8(ccu_deviceptr d, unsigned char v, size_t n, ccu_handle st) { return p_cuMemsetD8Async(d, v, n, st); }
int ccu_stream_create(ccu_handle *s) { return p_cuStreamCreate(s, 1); }
int ccu_stream_sync(ccu_handle s) { return p_cuStreamSynchronize(s); }
int ccu_ctx_sync(void) { return p_cuCtxSynchronize(); }
int ccu_mem_host_alloc(void **p, size_t n) { return p_cuMemHostAlloc(p, n, 0); }
int ccu_mem_host_free(void *p) { return p_cuMemFreeHost(p); }
int ccu_event_create(ccu_handle *e) { return p_cuEventCreate(e, 0); }
int ccu_event_record(ccu_handle e, ccu_handle s) { return p_cuEventRecord(e, s); }
int ccu_event_sync(ccu_handle e) { return p_cuEventSynchronize(e); }
int ccu_event_elapsed(float *ms, ccu_handle a, ccu_handle b) { return p_cuEventElapsedTime(ms, a, b); }
int ccu_module_load_data(ccu_handle *m, const void *img) { return p_cuModuleLoadData(m, img); }
int ccu_module_get_function(ccu_handle *f, ccu_handle m, const char *name) { return p_cuModuleGetFunction(f, m, name); }
int ccu_launch(ccu_handle fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
               unsigned shared, ccu_handle stream, void **params) {
    return p_cuLaunchKernel(fn, gx, gy, gz, bx, by, bz, shared, stream, params, NULL);
}
const char *ccu_error_string(int code) {
    const char *s = NULL;
    if (p_cuGetErrorString && p_cuGetErrorString(code, &s) == 0 && s) return s;
    return "unknown CUDA error";
}

int ccu_nvrtc_compile(const char *src, const char *name, int arch, void **cubin, size_t *size, char *log, int logLen) {
    if (!ccu_nvrtc_loaded()) { snprintf(log, logLen, "libnvrtc.so not found"); return -1; }
    void *prog = NULL;
    int r = p_nvrtcCreateProgram(&prog, src, name, 0, NULL, NULL);
    if (r) { snprintf(log, logLen, "nvrtcCreateProgram failed (%d)", r); return r; }
    char archOpt[64];
    snprintf(archOpt, sizeof archOpt, "--gpu-architecture=sm_%d", arch);
    const char *opts[] = {archOpt, "--std=c++17", "-default-device"};
    r = p_nvrtcCompileProgram(prog, 3, opts);
    if (r) {
        size_t n = 0; p_nvrtcGetProgramLogSize(prog, &n);
        char *buf = malloc(n + 1); p_nvrtcGetProgramLog(prog, buf); buf[n] = 0;
        snprintf(log, logLen, "%s", buf); free(buf);
        p_nvrtcDestroyProgram(&prog);
        return r;
    }
    p_nvrtcGetCUBINSize(prog, size);
    *cubin = malloc(*size);
    p_nvrtcGetCUBIN(prog, *cubin);
    p_nvrtcDestroyProgram(&prog);
    return 0;
}

int ccu_cublas_create(ccu_handle *h) { return ccu_cublas_loaded() ? p_cublasCreate_v2(h) : -1; }
int ccu_cublas_set_stream(ccu_handle h, ccu_handle s) { return p_cublasSetStream_v2(h, s); }
int ccu_cublas_set_math_mode(ccu_handle h, int mode) { return p_cublasSetMathMode(h, mode); }
int ccu_cublas_gemm_strided_batched(ccu_handle h, int ta, int tb, int m, int n, int k, const void *alpha,
                                    ccu_deviceptr A, int at, int lda, long long sA, ccu_deviceptr B, int bt, int ldb,
                                    long long sB, const void *beta, ccu_deviceptr C, int ct, int ldc, long long sC,
                                    int batch, int computeType, int algo) {
    return p_cublasGemmStridedBatchedEx(h, ta, tb, m, n, k, alpha, (const void *)A, at, lda, sA, (const void *)B, bt, ldb, sB,
                                        beta, (void *)C, ct, ldc, sC, batch, computeType, algo);
}
