#ifndef KOKI_CLZ4_SHIM_H
#define KOKI_CLZ4_SHIM_H
#include <lz4.h>
#endif
