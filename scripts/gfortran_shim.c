// The one libgfortran routine that Debian's static OpenBLAS (its LAPACK part: dhseqr, dormbr) calls,
// for the static torch-gpu-check build only (scripts/build-gpu-check.sh): Debian ships no static
// libgfortran. Fortran string concatenation: dest (destlen bytes) = s1 // s2, blank-padded or cut.
#include <stddef.h>
#include <string.h>

void _gfortran_concat_string(size_t destlen, char *dest, size_t len1, const char *s1, size_t len2,
                             const char *s2) {
    if (len1 >= destlen) {
        memcpy(dest, s1, destlen);
        return;
    }
    memcpy(dest, s1, len1);
    dest += len1;
    destlen -= len1;
    if (len2 >= destlen) {
        memcpy(dest, s2, destlen);
        return;
    }
    memcpy(dest, s2, len2);
    memset(dest + len2, ' ', destlen - len2);
}
