// Compiles the kernel body named by CTORCH_BODY once per instruction set (Note [CPU capability] in
// vmath.c): with NAME(x) giving each copy its suffix (_default, _avx2, _avx512), TARGET the
// instruction set the compiler may use and VBYTES its vector width in bytes. The includer defines
// CTORCH_BODY (a quoted file name) first. No include guard, on purpose.
#define NAME(x) x##_default
#define TARGET
#define VBYTES 16
#include CTORCH_BODY
#undef NAME
#undef TARGET
#undef VBYTES
#if defined(__x86_64__)
#define NAME(x) x##_avx2
#define TARGET __attribute__((target(CTORCH_TARGET_AVX2)))
#define VBYTES 32
#include CTORCH_BODY
#undef NAME
#undef TARGET
#undef VBYTES
#define NAME(x) x##_avx512
#define TARGET __attribute__((target(CTORCH_TARGET_AVX512)))
#define VBYTES 64
#include CTORCH_BODY
#undef NAME
#undef TARGET
#undef VBYTES
#endif
#undef CTORCH_BODY
