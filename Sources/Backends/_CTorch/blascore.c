// Re-selecting OpenBLAS's kernel table after it initialised (Note [OpenBLAS kernels]).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include "include/ctorch.h"

int ctorch_openblas_force_core(const char *name) {
    // A DYNAMIC_ARCH OpenBLAS (Debian's) exports these; another build (a static library, one
    // target) does not, and nothing changes.
    void (*quit)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
    void (*init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
    if (quit == NULL || init == NULL) return 0;
    // A user's own choice stands.
    if (getenv("OPENBLAS_CORETYPE") != NULL) return 0;
    setenv("OPENBLAS_CORETYPE", name, 1);
    quit();
    init();
    // The variable is removed again: child processes choose for themselves.
    unsetenv("OPENBLAS_CORETYPE");
    return 1;
}
