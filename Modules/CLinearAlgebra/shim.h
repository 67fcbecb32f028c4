// CBLAS (OpenBLAS) and LAPACKE, found through pkg-config (openblas, lapacke).
#include <cblas.h>
#include <lapacke.h>
