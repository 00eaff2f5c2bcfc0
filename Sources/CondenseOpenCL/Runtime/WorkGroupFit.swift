import COpenCL
import CondenseCore

extension OpenCLBackend {
    /// `preferred` work-items per group (a power of two), or `kernelGroupLimit` when the driver allows fewer: every
    /// work-group size the ops choose goes through here, and the launch check (`KernelLimits`) then holds.
    func group(_ preferred: Int) -> Int { min(preferred, kernelGroupLimit) }

    /// The largest power of two, at most 256 (the largest group any op asks for), within `CL_KERNEL_WORK_GROUP_SIZE`
    /// of a plain kernel built for `device`. OpenCL 1.2 lets a compiled kernel allow fewer work-items than the
    /// device's maximum: Mesa's rusticl 22.3 answers 32 for every kernel.
    static func kernelGroupLimit(context: cl_context, device: cl_device_id, workItemSizes: [Int],
                                 localMemoryBytes: Int) throws -> Int {
        let source = "__kernel void probe(__global float* x) { x[get_global_id(0)] = 0.0f; }"
        var status: cl_int = CL_SUCCESS
        let created = source.withCString { characters -> cl_program? in
            var pointer: UnsafePointer<CChar>? = characters
            return clCreateProgramWithSource(context, 1, &pointer, nil, &status)
        }
        try check(status, "clCreateProgramWithSource(work-group probe)")
        guard let program = created else {
            throw CondenseError.openCL(call: "clCreateProgramWithSource(work-group probe)", status: "no program")
        }
        defer { clReleaseProgram(program) }
        var devices: cl_device_id? = device
        try check(clBuildProgram(program, 1, &devices, "-cl-std=CL1.2", nil, nil), "clBuildProgram(work-group probe)")
        let kernel = clCreateKernel(program, "probe", &status)
        try check(status, "clCreateKernel(probe)")
        guard let kernel else { throw CondenseError.openCL(call: "clCreateKernel(probe)", status: "no kernel") }
        defer { clReleaseKernel(kernel) }
        let limit = try KernelLimits(of: kernel, on: device, workItemSizes: workItemSizes,
                                     deviceLocalBytes: localMemoryBytes).workGroupSize
        let allowed = min(256, max(limit, 1), workItemSizes.first ?? 256)
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
