#define _GNU_SOURCE
// Small helpers over zlib (its header comes with zlib1g-dev, which scripts/setup.sh installs).
#include "czlib.h"
#include <zlib.h>
#include <string.h>

long czlib_inflate_raw(const void *src, size_t srcLen, void *dst, size_t dstLen) {
    z_stream s;
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s, -15) != Z_OK) return -1;
    s.next_in = (Bytef *)src;
    s.avail_in = (uInt)srcLen;
    s.next_out = (Bytef *)dst;
    s.avail_out = (uInt)dstLen;
    int r = inflate(&s, Z_FINISH);
    long out = (long)s.total_out;
    inflateEnd(&s);
    if (r != Z_STREAM_END) return r == Z_BUF_ERROR ? -2 : -1;
    return out;
}

unsigned long czlib_crc32(unsigned long crc, const void *data, size_t len) {
    return crc32(crc, (const Bytef *)data, (uInt)len);
}

#include <pthread.h>
// Names the calling thread (data-loader workers), so tools and tests can find them.
void ctd_set_thread_name(const char *name) { pthread_setname_np(pthread_self(), name); }
