// CBLAS (OpenBLAS) and LAPACKE, found through pkg-config (openblas, lapacke); and glibc's mallopt, with
// which LinearAlgebra/HeapRetention.swift keeps freed matrix buffers for reuse.
#include <cblas.h>
#include <lapacke.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
