#include "instruction_set.h"

#if defined(__x86_64__)
enum InstructionSet condense_instruction_set(void) {
    static _Atomic(enum InstructionSet) found = 0;  // every thread would find the same
    enum InstructionSet set = found;
    if (!set) {
        __builtin_cpu_init();
        set = __builtin_cpu_supports("avx512f")                                     ? instructionSetAVX512
              : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? instructionSetAVX2
                                                                                    : instructionSetBaseline;
        found = set;
    }
    return set;
}
#endif
