// The C kernels of the CPU backend: small GEMMs and Winograd tile transforms, each compiled per instruction set,
// and the choice of variant.
#include "small_gemm.h"
#include "winograd_tiles.h"
#include "kernel_variants.h"
