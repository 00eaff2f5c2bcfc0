import CondenseCore
import CondenseOpenCL

/// Times a benchmarked call on one backend. On an OpenCL backend created with profiling it reports the device time
/// of the commands the call enqueued (the sum of their profiling events), so a kernel is measured without the
/// host's enqueue, wait and wake-up latency; on other backends, the wall time to completion.
struct CallTimer {
    let backend: Backend

    private var profiler: KernelProfiler? { (backend as? OpenCLBackend)?.profiler }

    /// What the times measure, for reports.
    var source: String { profiler == nil ? "wall clock" : "device events" }

    /// Median seconds per call of `body` after `warmUp` untimed calls.
    func median(warmUp: Int, samples: Int, _ body: () throws -> Void) throws -> Double {
        guard let profiler else {
            return try Stopwatch.median(warmUp: warmUp, samples: samples, synchronize: backend.synchronize, body)
        }
        for _ in 0..<warmUp { try body() }
        try backend.synchronize()
        var times: [Double] = []
        for _ in 0..<samples {
            profiler.reset()
            try body()
            try backend.synchronize()
            times.append(try profiler.totals().values.reduce(0) { $0 + $1.seconds })
        }
        return times.sorted()[times.count / 2]
    }
}
