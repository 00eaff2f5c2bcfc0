import COpenCL
import CondenseCore

/// What the driver allows one launch of one compiled kernel, checked before it is queued so a launch over a limit is
/// a `CondenseError.driverLimit` that names the kernel and the limit instead of a bare `CL_INVALID_WORK_GROUP_SIZE`
/// or `CL_OUT_OF_RESOURCES`. OpenCL 1.2 lets a compiled kernel allow fewer work-items per work-group than the device
/// (`CL_KERNEL_WORK_GROUP_SIZE`, lower for kernels heavy in registers or local memory), and counts a kernel's own
/// `__local` arrays and its local-memory arguments against one `CL_DEVICE_LOCAL_MEM_SIZE`.
struct KernelLimits: Equatable {
    /// `CL_KERNEL_WORK_GROUP_SIZE`: the most work-items of one work-group of this compiled kernel.
    var workGroupSize: Int
    /// `CL_KERNEL_LOCAL_MEM_SIZE` before any local argument is set: the kernel's own `__local` arrays, in bytes.
    var ownLocalBytes: Int
    /// `CL_DEVICE_MAX_WORK_ITEM_SIZES`: the most work-items of a work-group along each dimension.
    var workItemSizes: [Int]
    /// `CL_DEVICE_LOCAL_MEM_SIZE` in bytes.
    var deviceLocalBytes: Int

    /// The limits of `kernel`, as the driver compiled it for `device`.
    init(of kernel: cl_kernel, on device: cl_device_id, workItemSizes: [Int], deviceLocalBytes: Int) throws {
        var groupSize = 0
        var ownLocal: cl_ulong = 0
        try check(clGetKernelWorkGroupInfo(kernel, device, cl_kernel_work_group_info(CL_KERNEL_WORK_GROUP_SIZE),
                                           MemoryLayout<Int>.size, &groupSize, nil),
                  "clGetKernelWorkGroupInfo(CL_KERNEL_WORK_GROUP_SIZE)")
        try check(clGetKernelWorkGroupInfo(kernel, device, cl_kernel_work_group_info(CL_KERNEL_LOCAL_MEM_SIZE),
                                           MemoryLayout<cl_ulong>.size, &ownLocal, nil),
                  "clGetKernelWorkGroupInfo(CL_KERNEL_LOCAL_MEM_SIZE)")
        self.init(workGroupSize: groupSize, ownLocalBytes: Int(ownLocal), workItemSizes: workItemSizes,
                  deviceLocalBytes: deviceLocalBytes)
    }

    init(workGroupSize: Int, ownLocalBytes: Int, workItemSizes: [Int], deviceLocalBytes: Int) {
        self.workGroupSize = workGroupSize
        self.ownLocalBytes = ownLocalBytes
        self.workItemSizes = workItemSizes
        self.deviceLocalBytes = deviceLocalBytes
    }

    /// Throws `CondenseError.driverLimit` for `kernel` when a launch of `global` work-items in work-groups of `local`
    /// (nil: the driver picks) with `localArgumentBytes` of local-memory arguments breaks a limit.
    func validate(kernel: String, global: [Int], local: [Int]?, localArgumentBytes: Int) throws {
        func refuse(_ detail: String) -> CondenseError { .driverLimit(kernel: kernel, detail) }
        let localBytes = ownLocalBytes + localArgumentBytes
        guard localBytes <= deviceLocalBytes else {
            throw refuse("it needs \(localBytes) bytes of local memory (\(ownLocalBytes) in its own __local arrays, " +
                         "\(localArgumentBytes) in local arguments), and the device has \(deviceLocalBytes) " +
                         "(CL_DEVICE_LOCAL_MEM_SIZE)")
        }
        guard let local else { return }
        guard local.count == global.count else {
            throw refuse("a work-group of \(local.count) dimensions for a launch of \(global.count)")
        }
        for (dimension, (size, total)) in zip(local, global).enumerated() {
            guard size > 0, total % size == 0 else {
                throw refuse("the global size \(total) along dimension \(dimension) is not a multiple of the " +
                             "work-group's \(size)")
            }
            if dimension < workItemSizes.count, size > workItemSizes[dimension] {
                throw refuse("work-groups of \(size) work-items along dimension \(dimension), and the device allows " +
                             "at most \(workItemSizes[dimension]) there (CL_DEVICE_MAX_WORK_ITEM_SIZES)")
            }
        }
        let items = local.reduce(1, *)
        guard items <= workGroupSize else {
            throw refuse("work-groups of \(items) work-items, and the driver allows this compiled kernel at most " +
                         "\(workGroupSize) (CL_KERNEL_WORK_GROUP_SIZE)")
        }
    }
}
