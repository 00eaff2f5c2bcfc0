import COpenCL
import CondenseCore

/// A kernel object and what the driver allows its launches.
struct CompiledKernel {
    let handle: cl_kernel
    let limits: KernelLimits
}

/// Builds each (kernel file, compile options) pair once per device, with `Kernels/common.cl` prepended, and keeps its
/// kernels with their limits. A failed build throws `CondenseError.kernelBuild` with the driver's build log.
final class ProgramCache {
    private let context: cl_context
    private let device: cl_device_id
    /// `CL_DEVICE_MAX_WORK_ITEM_SIZES` and `CL_DEVICE_LOCAL_MEM_SIZE`, for every kernel's `KernelLimits`.
    private let workItemSizes: [Int], localMemoryBytes: Int
    private var programs: [String: cl_program] = [:]
    private var kernels: [String: CompiledKernel] = [:]

    init(context: cl_context, device: cl_device_id, workItemSizes: [Int], localMemoryBytes: Int) {
        self.context = context
        self.device = device
        self.workItemSizes = workItemSizes
        self.localMemoryBytes = localMemoryBytes
    }

    deinit {
        for kernel in kernels.values { clReleaseKernel(kernel.handle) }
        for program in programs.values { clReleaseProgram(program) }
    }

    /// The kernel `kernelName` of `file` built with `options`, building the program on first use from
    /// `Kernels/<file>.cl` (after `common.cl`), or from `source` when one is given.
    func kernel(_ kernelName: String, file: String, options: String,
                source: (() throws -> String)? = nil) throws -> CompiledKernel {
        let key = "\(file)|\(options)|\(kernelName)"
        if let kernel = kernels[key] { return kernel }
        let program = try self.program(file: file, source: source ?? {
            try KernelSources.source(named: "common") + "\n" + KernelSources.source(named: file)
        }, options: options)
        var status: cl_int = CL_SUCCESS
        let created = clCreateKernel(program, kernelName, &status)
        try check(status, "clCreateKernel(\(kernelName)) in \(file).cl")
        guard let handle = created else {
            throw CondenseError.openCL(call: "clCreateKernel(\(kernelName))", status: "no kernel returned")
        }
        let limits: KernelLimits
        do {
            limits = try KernelLimits(of: handle, on: device, workItemSizes: workItemSizes,
                                      deviceLocalBytes: localMemoryBytes)
        } catch {
            clReleaseKernel(handle)
            throw error
        }
        let kernel = CompiledKernel(handle: handle, limits: limits)
        kernels[key] = kernel
        return kernel
    }

    /// The program built from `source` under the label `file`, built once per distinct options string.
    func program(file: String, source: () throws -> String, options: String) throws -> cl_program {
        let key = "\(file)|\(options)"
        if let program = programs[key] { return program }
        let text = try source()
        var status: cl_int = CL_SUCCESS
        let created = text.withCString { characters -> cl_program? in
            var pointer: UnsafePointer<CChar>? = characters
            return clCreateProgramWithSource(context, 1, &pointer, nil, &status)
        }
        try check(status, "clCreateProgramWithSource(\(file).cl)")
        guard let program = created else {
            throw CondenseError.openCL(call: "clCreateProgramWithSource(\(file).cl)", status: "no program returned")
        }
        var device: cl_device_id? = self.device
        let built = clBuildProgram(program, 1, &device, "-cl-std=CL1.2 " + options, nil, nil)
        if built != CL_SUCCESS {
            let log = (try? OpenCLDiscovery.queryString("clGetProgramBuildInfo") {
                clGetProgramBuildInfo(program, self.device, cl_program_build_info(CL_PROGRAM_BUILD_LOG), $0, $1, $2)
            }) ?? "(no build log)"
            clReleaseProgram(program)
            if built == CL_BUILD_PROGRAM_FAILURE || built == CL_INVALID_BUILD_OPTIONS {
                throw CondenseError.kernelBuild(program: options.isEmpty ? "\(file).cl" : "\(file).cl \(options)", log: log)
            }
            try check(built, "clBuildProgram(\(file).cl)")
        }
        programs[key] = program
        return program
    }
}
