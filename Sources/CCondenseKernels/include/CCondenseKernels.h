// The C kernels of the CPU backend: small GEMMs and Winograd tile transforms, each compiled per instruction set,
// the choice of variant, and the processors the backend may use.
#include "small_gemm.h"
#include "winograd_tiles.h"
#include "kernel_variants.h"
#include "processors.h"
