// Which instruction-set variant of the C kernels runs. Each kernel is compiled for x86-64's baseline (0), AVX2 + FMA
// (1) and AVX-512 (2); elsewhere only the baseline (0) exists.
#ifndef CONDENSE_KERNEL_VARIANTS_H
#define CONDENSE_KERNEL_VARIANTS_H

/// The widest variant this processor runs: the one every kernel uses unless `condense_use_kernel_variant` chose.
long condense_widest_kernel_variant(void);

/// Makes later calls use `variant` (clamped to 0 … the widest), so tests can check every variant this processor
/// runs against the references. Not for use while kernels run on other threads.
void condense_use_kernel_variant(long variant);

#endif
