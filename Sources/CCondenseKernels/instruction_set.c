#include "instruction_set.h"

#include "kernel_variants.h"

#if defined(__x86_64__)
static enum InstructionSet widest(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f")                                     ? instructionSetAVX512
           : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? instructionSetAVX2
                                                                                 : instructionSetBaseline;
}

static _Atomic(enum InstructionSet) chosen = 0;  // 0 until the first call; every thread would choose the same

enum InstructionSet condense_instruction_set(void) {
    enum InstructionSet set = chosen;
    if (!set) chosen = set = widest();
    return set;
}

long condense_widest_kernel_variant(void) { return (long)widest() - instructionSetBaseline; }

void condense_use_kernel_variant(long variant) {
    long widestVariant = condense_widest_kernel_variant();
    chosen = (enum InstructionSet)((variant < 0 ? 0 : variant > widestVariant ? widestVariant : variant) +
                                   instructionSetBaseline);
}
#else
long condense_widest_kernel_variant(void) { return 0; }

void condense_use_kernel_variant(long variant) { (void)variant; }
#endif
