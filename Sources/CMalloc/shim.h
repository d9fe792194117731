#ifndef KOKI_CMALLOC_SHIM_H
#define KOKI_CMALLOC_SHIM_H
// glibc's <malloc.h> (malloc_trim), which Swift's Glibc module does not import. Imported on
// Linux only.
#include <malloc.h>
#endif
