#ifndef CZLIB_H
#define CZLIB_H
#include <stddef.h>
// The few zlib calls the data loaders and the npz reader use.
typedef struct gzFile_s *gzFile;
gzFile gzopen(const char *path, const char *mode);
int gzread(gzFile file, void *buf, unsigned len);
int gzclose(gzFile file);
const char *gzerror(gzFile file, int *errnum);
// 1 when the file is read as is (not gzip-compressed).
int gzdirect(gzFile file);
// Raw deflate (no zlib header) into dst; returns bytes written, -2 when dst is too small
// (more data than declared), -1 for corrupt data.
long czlib_inflate_raw(const void *src, size_t srcLen, void *dst, size_t dstLen);
unsigned long czlib_crc32(unsigned long crc, const void *data, size_t len);
// Names the calling thread (at most 15 characters).
void ctd_set_thread_name(const char *name);
#endif
