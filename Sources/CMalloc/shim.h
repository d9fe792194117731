#ifndef KOKI_CMALLOC_SHIM_H
#define KOKI_CMALLOC_SHIM_H
// glibc's <malloc.h> (malloc_trim) and <sys/auxv.h> (getauxval, to tell a program started with
// privileges, where glibc ignores GLIBC_TUNABLES), which Swift's Glibc module does not import.
// Imported on Linux only.
#include <malloc.h>
#include <sys/auxv.h>
#endif
