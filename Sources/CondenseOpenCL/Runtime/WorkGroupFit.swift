import CondenseCore

extension OpenCLBackend {
    /// `preferred` work-items per group (a power of two), or `kernelGroupLimit` when the driver allows fewer: every
    /// work-group size the ops choose goes through here, and the launch check (`KernelLimits`) then holds.
    func group(_ preferred: Int) -> Int { min(preferred, kernelGroupLimit) }

    /// The largest power of two, at most 256 (the largest group any op asks for), within `CL_KERNEL_WORK_GROUP_SIZE`
    /// of a plain kernel built by `programs`. OpenCL 1.2 lets a compiled kernel allow fewer work-items than the
    /// device's maximum: Mesa's rusticl 22.3 answers 32 for every kernel.
    static func kernelGroupLimit(of programs: ProgramCache) throws -> Int {
        let probe = try programs.kernel("probe", file: "work-group-probe", options: "", source: {
            "__kernel void probe(__global float* x) { x[get_global_id(0)] = 0.0f; }"
        })
        let allowed = min(256, max(probe.limits.workGroupSize, 1), probe.limits.workItemSizes.first ?? 256)
        return 1 << (Int.bitWidth - 1 - allowed.leadingZeroBitCount)
    }
}

extension ChunkTiling {
    /// This tiling with its work-groups no larger than `limit` work-items (a power of two).
    func fitting(groupLimit limit: Int) -> ChunkTiling {
        ChunkTiling(vectorWidth: vectorWidth, vectorsPerItem: vectorsPerItem, groupSize: min(groupSize, limit),
                    tileGroupSize: min(tileGroupSize, limit))
    }
}
