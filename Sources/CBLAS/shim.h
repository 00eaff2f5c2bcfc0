// OpenBLAS's CBLAS interface: the CPU backend's GEMM.
#include <cblas.h>
// glibc's mallopt: the CPU backend keeps freed tensor memory mapped between training steps.
#include <malloc.h>
