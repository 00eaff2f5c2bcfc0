import COpenCL
import CondenseCore

/// One argument of an OpenCL kernel call.
public enum KernelArgument {
    /// A tensor of this backend, passed as its `__global` buffer.
    case buffer(Tensor)
    case int(Int)
    case float(Float)
    /// `__local` scratch memory of the given size in bytes.
    case local(bytes: Int)
}

/// Rounds `value` up to a multiple of `multiple`: the global size of a launch with work-groups of `multiple`.
@inline(__always)
public func roundUp(_ value: Int, toMultipleOf multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
}

/// Integer division rounding up.
@inline(__always)
public func ceilDiv(_ value: Int, _ divisor: Int) -> Int { (value + divisor - 1) / divisor }

extension OpenCLBackend {
    /// Queues `kernel` from `Kernels/<file>.cl`, built with the given `-D` defines (cached per distinct set).
    ///
    /// Every routine reads the same way: validate → pick kernel (defines) → set arguments → sizes → enqueue.
    /// - Parameters:
    ///   - global: total work-items per dimension; must be multiples of `local` when `local` is given.
    ///   - local: work-group size, or `nil` to let the driver choose.
    /// - Throws: `CondenseError.driverLimit` before queuing a launch over the kernel's `KernelLimits`.
    public func launch(_ kernel: String, file: String, defines: [String: Int] = [:], arguments: [KernelArgument],
                       global: [Int], local: [Int]? = nil) throws {
        guard global.allSatisfy({ $0 > 0 }) else { return }
        let compiled = try programs.kernel(kernel, file: file, options: compileOptions(defines))
        let localArgumentBytes = arguments.reduce(0) { if case .local(let bytes) = $1 { $0 + bytes } else { $0 } }
        try compiled.limits.validate(kernel: "'\(kernel)' of \(file).cl", global: global, local: local,
                                     localArgumentBytes: localArgumentBytes)
        let handle = compiled.handle
        for (index, argument) in arguments.enumerated() {
            let status: cl_int
            switch argument {
            case .buffer(let tensor):
                var memory: cl_mem? = try buffer(tensor, kernel)
                status = clSetKernelArg(handle, cl_uint(index), MemoryLayout<cl_mem>.size, &memory)
            case .int(let value):
                var scalar = cl_int(value)
                status = clSetKernelArg(handle, cl_uint(index), MemoryLayout<cl_int>.size, &scalar)
            case .float(let value):
                var scalar = value
                status = clSetKernelArg(handle, cl_uint(index), MemoryLayout<Float>.size, &scalar)
            case .local(let bytes):
                status = clSetKernelArg(handle, cl_uint(index), bytes, nil)
            }
            try check(status, "clSetKernelArg(\(kernel), argument \(index))")
        }
        var event: cl_event?
        let status = global.withUnsafeBufferPointer { globalSizes in
            guard let local else {
                return clEnqueueNDRangeKernel(queue, handle, cl_uint(global.count), nil, globalSizes.baseAddress, nil,
                                              0, nil, &event)
            }
            return local.withUnsafeBufferPointer { localSizes in
                clEnqueueNDRangeKernel(queue, handle, cl_uint(global.count), nil, globalSizes.baseAddress,
                                       localSizes.baseAddress, 0, nil, &event)
            }
        }
        try check(status, "clEnqueueNDRangeKernel(\(kernel))")
        settle(event, name: kernel)
    }

    /// Builds `source` as a program labelled `label` (for tests and tools that check a kernel compiles);
    /// a failure throws `CondenseError.kernelBuild` with the build log.
    public func buildProgram(label: String, source: String, defines: [String: Int] = [:]) throws {
        _ = try programs.program(file: label, source: { source }, options: compileOptions(defines))
    }

    /// Hands a launch's event to the profiler, or releases it when profiling is off.
    func settle(_ event: cl_event?, name: String) {
        guard let event else { return }
        if let kernelProfiler { kernelProfiler.record(name, event: event) } else { clReleaseEvent(event) }
    }

    /// `-DNAME=value` options, sorted so equal define sets share one cached program.
    private func compileOptions(_ defines: [String: Int]) -> String {
        defines.sorted { $0.key < $1.key }.map { "-D\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
