// Thread naming for the CPU worker pool (glibc's pthread_setname_np is not visible to Swift).
#define _GNU_SOURCE
#include <pthread.h>
#include "ctorch.h"

void ctorch_set_thread_name(const char *name) { pthread_setname_np(pthread_self(), name); }

#include <malloc.h>
// Fixes glibc's mmap threshold (it otherwise rises to each large block freed, keeping them resident).
void ctorch_set_mmap_threshold(long bytes) { mallopt(M_MMAP_THRESHOLD, (int)bytes); }
