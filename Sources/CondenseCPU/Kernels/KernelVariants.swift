import CCondenseKernels
import CondenseCore

/// The instruction-set variants of the C kernels (`kernel_variants.h`): 0 baseline, 1 AVX2 + FMA, 2 AVX-512 on
/// x86-64 (only 0 elsewhere). The widest this processor runs is used unless a test picks another.
enum KernelVariants {
    /// The widest variant this processor runs.
    static var widest: Int { condense_widest_kernel_variant() }

    /// Runs `body` with the kernels in `variant`, then goes back to the widest. Only while no other kernels run.
    static func using(_ variant: Int, _ body: () throws -> Void) rethrows {
        condense_use_kernel_variant(variant)
        defer { condense_use_kernel_variant(widest) }
        try body()
    }
}
