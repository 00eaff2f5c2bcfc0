// OpenBLAS's CBLAS interface: the CPU backend's GEMM.
#include <cblas.h>
