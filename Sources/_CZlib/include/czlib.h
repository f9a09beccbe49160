#ifndef CZLIB_H
#define CZLIB_H
// The few zlib calls the data loaders use (declared here so that only the library is needed).
typedef struct gzFile_s *gzFile;
gzFile gzopen(const char *path, const char *mode);
int gzread(gzFile file, void *buf, unsigned len);
int gzclose(gzFile file);
#endif
