import CondenseCore

/// Wall time per op of the CPU backend (`condense bench train --profile`): the CPU twin of the OpenCL backend's
/// `KernelProfiler`. Ops run synchronously, so an op's wall time is its cost; nested ops (the GEMMs inside a
/// convolution) are counted in their own entries too.
public final class OpProfiler: Profiler {
    private var seconds: [String: Double] = [:]
    private var calls: [String: Int] = [:]

    public init() {}

    /// Runs `body`, adding its wall time to `name`'s entry.
    public func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = Stopwatch.now()
        defer {
            seconds[name, default: 0] += Stopwatch.now() - start
            calls[name, default: 0] += 1
        }
        return try body()
    }

    /// Seconds and call count per op since the last `reset()`.
    public func totals() -> [String: (seconds: Double, launches: Int)] {
        seconds.reduce(into: [:]) { $0[$1.key] = ($1.value, calls[$1.key] ?? 0) }
    }

    /// Forgets everything recorded so far.
    public func reset() {
        seconds.removeAll()
        calls.removeAll()
    }
}
