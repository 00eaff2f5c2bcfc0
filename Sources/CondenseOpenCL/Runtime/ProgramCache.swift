import COpenCL
import CondenseCore

/// Builds each (kernel file, compile options) pair once per device, with `Kernels/common.cl` prepended, and keeps its
/// kernels. A failed build throws `CondenseError.kernelBuild` with the driver's build log.
final class ProgramCache {
    private let context: cl_context
    private let device: cl_device_id
    private var programs: [String: cl_program] = [:]
    private var kernels: [String: cl_kernel] = [:]

    init(context: cl_context, device: cl_device_id) {
        self.context = context
        self.device = device
    }

    deinit {
        for kernel in kernels.values { clReleaseKernel(kernel) }
        for program in programs.values { clReleaseProgram(program) }
    }

    /// The kernel `kernelName` of `file` built with `options`, building the program on first use.
    func kernel(_ kernelName: String, file: String, options: String) throws -> cl_kernel {
        let key = "\(file)|\(options)|\(kernelName)"
        if let kernel = kernels[key] { return kernel }
        let program = try self.program(file: file, source: {
            try KernelSources.source(named: "common") + "\n" + KernelSources.source(named: file)
        }, options: options)
        var status: cl_int = CL_SUCCESS
        let created = clCreateKernel(program, kernelName, &status)
        try check(status, "clCreateKernel(\(kernelName)) in \(file).cl")
        guard let kernel = created else {
            throw CondenseError.openCL(call: "clCreateKernel(\(kernelName))", status: "no kernel returned")
        }
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
