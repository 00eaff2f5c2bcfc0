import Glibc

/// Monotonic wall-clock timing for benchmarks, profilers and progress reports.
public enum Stopwatch {
    /// Seconds on a monotonic clock.
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Median seconds per call of `body` after `warmUp` untimed calls; each sample ends with `synchronize`, so
    /// asynchronous backends are timed to completion.
    public static func median(warmUp: Int = 2, samples: Int = 7, synchronize: () throws -> Void,
                              _ body: () throws -> Void) throws -> Double {
        for _ in 0..<warmUp { try body() }
        try synchronize()
        var times: [Double] = []
        for _ in 0..<samples {
            let start = now()
            try body()
            try synchronize()
            times.append(now() - start)
        }
        return times.sorted()[times.count / 2]
    }
}
