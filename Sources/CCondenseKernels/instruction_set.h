// Run-time choice between variants of one kernel compiled for several instruction sets (internal to this target).
#ifndef CONDENSE_INSTRUCTION_SET_H
#define CONDENSE_INSTRUCTION_SET_H

/// 16 floats, loaded and stored at any float alignment: one AVX-512 register, two AVX2 ones, four SSE ones.
typedef float Floats16 __attribute__((vector_size(64), aligned(4)));

/// Helpers that take or return `Floats16` are always inlined into each variant, so no call passes a vector between
/// code compiled for different instruction sets (what clang's -Wpsabi warns about).
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#pragma clang diagnostic ignored "-Wpsabi"

#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx512f")))

enum InstructionSet { instructionSetBaseline = 1, instructionSetAVX2, instructionSetAVX512 };

/// The widest instruction set this processor runs, found at the first call.
enum InstructionSet condense_instruction_set(void);

/// `NAME` (an always-inline function) compiled for each instruction set, as `NAME##Chosen`, which calls the
/// widest variant this processor runs.
#define DISPATCHED(NAME, PARAMETERS, ARGUMENTS)                                                                    \
    static void NAME##Baseline PARAMETERS { NAME ARGUMENTS; }                                                      \
    AVX2 static void NAME##AVX2 PARAMETERS { NAME ARGUMENTS; }                                                     \
    AVX512 static void NAME##AVX512 PARAMETERS { NAME ARGUMENTS; }                                                 \
    static void NAME##Chosen PARAMETERS {                                                                          \
        switch (condense_instruction_set()) {                                                                      \
        case instructionSetAVX512: NAME##AVX512 ARGUMENTS; break;                                                  \
        case instructionSetAVX2: NAME##AVX2 ARGUMENTS; break;                                                      \
        default: NAME##Baseline ARGUMENTS;                                                                         \
        }                                                                                                          \
    }
#else
#define DISPATCHED(NAME, PARAMETERS, ARGUMENTS)                                                                    \
    static void NAME##Chosen PARAMETERS { NAME ARGUMENTS; }
#endif

#endif
