/// Where a backend's time goes, per op or kernel (`condense bench train --profile`, `condense bench kernels`): the
/// CPU backend's `OpProfiler` (wall time per op, ops being synchronous) and the OpenCL backend's `KernelProfiler`
/// (device time per kernel from profiling events). A backend created with profiling on hands it out as
/// `Backend.profiler`.
public protocol Profiler: AnyObject {
    /// Seconds and call count per op or kernel since the last `reset()`. Call after `Backend.synchronize()`.
    func totals() throws -> [String: (seconds: Double, launches: Int)]
    /// Forgets everything recorded so far.
    func reset()
}
