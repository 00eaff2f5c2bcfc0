import COpenCL
import CondenseCore

/// Collects the device time of each queued kernel from OpenCL profiling events, so benchmarks time the real
/// dispatch path. Events are resolved (and released) by `totals()`, after the queue has finished.
public final class KernelProfiler: Profiler {
    private var pending: [(name: String, event: cl_event)] = []
    private var seconds: [String: Double] = [:]
    private var launches: [String: Int] = [:]

    deinit { for entry in pending { clReleaseEvent(entry.event) } }

    func record(_ name: String, event: cl_event) { pending.append((name, event)) }

    /// Device seconds and launch count per kernel since the last `reset()`. Call after `synchronize()`.
    public func totals() throws -> [String: (seconds: Double, launches: Int)] {
        for entry in pending {
            var start: cl_ulong = 0, end: cl_ulong = 0
            try check(clGetEventProfilingInfo(entry.event, cl_profiling_info(CL_PROFILING_COMMAND_START),
                                              MemoryLayout<cl_ulong>.size, &start, nil), "clGetEventProfilingInfo")
            try check(clGetEventProfilingInfo(entry.event, cl_profiling_info(CL_PROFILING_COMMAND_END),
                                              MemoryLayout<cl_ulong>.size, &end, nil), "clGetEventProfilingInfo")
            clReleaseEvent(entry.event)
            seconds[entry.name, default: 0] += Double(end &- start) * 1e-9
            launches[entry.name, default: 0] += 1
        }
        pending.removeAll()
        return seconds.reduce(into: [:]) { $0[$1.key] = ($1.value, launches[$1.key] ?? 0) }
    }

    /// Forgets everything recorded so far.
    public func reset() {
        for entry in pending { clReleaseEvent(entry.event) }
        pending.removeAll()
        seconds.removeAll()
        launches.removeAll()
    }
}
