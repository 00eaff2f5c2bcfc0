import CondenseBench

extension BenchCommand {
    /// `bench infer`: the checkpoint's own inference (integer for an INT8 one) on each backend.
    static func benchInfer(_ options: Options, _ console: Console) throws {
        guard let checkpoint = options.model else { throw UsageError("--model: bench infer needs a checkpoint") }
        var settings = InferenceBenchmark.Options()
        settings.batchSize = options.batch ?? settings.batchSize
        var reports: [[String: Any]] = []
        console.print("| device | batch-1 median ms | batch-1 p95 ms | batch-\(settings.batchSize) images/s |\n" +
                      "|---|---:|---:|---:|")
        for backend in try backends(options, console, includeCPU: true) {
            console.notice("benchmarking \(checkpoint) on \(backend.name) (\(backend.info.name))…")
            let result = try InferenceBenchmark.run(checkpoint: checkpoint, settings, on: backend)
            console.print(String(format: "| %@ (%@) | %.3f | %.3f | %.0f |", backend.name, backend.info.name,
                                 result.latencyMedianSeconds * 1e3, result.latencyP95Seconds * 1e3,
                                 result.imagesPerSecond))
            reports.append(["device": backend.name, "name": backend.info.name, "integer": result.integer,
                            "latency_ms_median": result.latencyMedianSeconds * 1e3,
                            "latency_ms_p95": result.latencyP95Seconds * 1e3, "batch": settings.batchSize,
                            "images_per_s": result.imagesPerSecond, "parameters": result.parameters,
                            "runs": settings.runs])
        }
        try console.emit(reports.count == 1 ? reports[0] : ["benchmarks": reports])
    }
}
