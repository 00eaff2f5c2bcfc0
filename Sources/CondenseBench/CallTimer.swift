import CondenseCore

/// Times a benchmarked call on one backend. On a backend created with profiling it reports the time its profiler
/// records for the call (on OpenCL the device time of the commands it enqueued, the sum of their profiling events,
/// so a kernel is measured without the host's enqueue, wait and wake-up latency); otherwise, the wall time to
/// completion. A driver's clock is not trusted blindly: when the events of a sample are implausible against the
/// wall time around them (`DeviceClockCheck`), the call is timed by the wall clock instead, and `source` says so.
final class CallTimer {
    let backend: Backend
    private var eventsDistrusted = false

    init(backend: Backend) { self.backend = backend }

    /// What the times measure, for reports: "device events", "wall clock", or the wall clock because the device's
    /// events were implausible.
    var source: String {
        backend.profiler == nil ? "wall clock" : eventsDistrusted ? DeviceClockCheck.fallbackSource : "device events"
    }

    /// Median seconds per call of `body` after `warmUp` untimed calls. Each sample queues `burst` calls before it
    /// waits, as a training step queues its kernels: a CPU driver's worker threads sleep once the queue is empty,
    /// and an isolated call of a sub-millisecond kernel would mostly time their waking up. On OpenCL the burst is
    /// queued behind a gate and released at once (`Backend.queueingTogether`), so the host thread's
    /// enqueueing does not take a core from a CPU driver's workers while they run.
    func median(warmUp: Int, samples: Int, burst: Int = 1, _ body: () throws -> Void) throws -> Double {
        func calls() throws { for _ in 0..<burst { try body() } }
        func wallMedian() throws -> Double {
            try Stopwatch.median(warmUp: warmUp, samples: samples, synchronize: backend.synchronize, calls)
                / Double(burst)
        }
        guard let profiler = backend.profiler, !eventsDistrusted else { return try wallMedian() }
        for _ in 0..<warmUp { try body() }
        try backend.synchronize()
        var times: [Double] = []
        for _ in 0..<samples {
            profiler.reset()
            let start = Stopwatch.now()
            try backend.queueingTogether(calls)
            try backend.synchronize()
            let wall = Stopwatch.now() - start
            let device = try profiler.totals().values.reduce(0) { $0 + $1.seconds }
            guard DeviceClockCheck.isPlausible(deviceSeconds: device, wallSeconds: wall) else {
                eventsDistrusted = true
                return try wallMedian()
            }
            times.append(device / Double(burst))
        }
        return times.sorted()[times.count / 2]
    }
}
