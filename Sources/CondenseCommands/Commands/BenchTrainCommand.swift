import Condense
import CondenseBench
import CondenseCore
import CondenseDistributed
import Foundation

extension BenchCommand {
    /// `condense bench train`: steady-state training images/s of one model, peak memory, and with `--profile` where
    /// the time of a step goes. Under `mpirun` the batch is the global one, and it adds each process's images/s and
    /// the share of a step spent on communication backward did not hide.
    static func benchTrain(_ options: Options, _ console: Console) throws {
        let profiling = options.profile, settings = options.training
        let backend = try options.common.backend(console, profiling: profiling)
        let profiler = backend.profiler
        console.notice("benchmarking training of \(settings.architecture) width \(settings.width), batch " +
                       "\(settings.batchSize), \(settings.imageSize)×\(settings.imageSize) on \(backend.name)…")
        let group = World.group
        let result = try TrainingBenchmark.run(settings, on: backend, over: group) { profiler?.reset() }
        let times = try profiler?.totals() ?? [:]
        let stepTime = result.stepSeconds * Double(settings.steps)
        console.print(String(format: "%@ width %g batch %d on %@: %.1f images/s (%.1f ms/step), peak RSS %.0f MB%@",
                             settings.architecture.rawValue, settings.width, settings.batchSize, backend.name,
                             result.imagesPerSecond, result.stepSeconds * 1e3, Double(result.peakHostBytes) / 1e6,
                             result.peakDeviceBytes.map { String(format: ", OpenCL buffers %.0f MB", Double($0) / 1e6) }
                                 ?? ""))
        if group.size > 1 {
            console.print(String(format: "%d processes: %@ images/s each; communication not hidden by backward " +
                                 "%.1f%% of a step (allreduce busy %.1f%%)", group.size,
                                 result.imagesPerSecondByProcess.map { String(format: "%.1f", $0) }
                                     .joined(separator: ", "),
                                 100 * result.exposedCommunicationShare, 100 * result.allreduceShare))
        }
        if profiling {
            console.print("\n| op | calls/step | ms/step | share of step |\n|---|---:|---:|---:|")
            for (name, entry) in times.sorted(by: { $0.value.seconds > $1.value.seconds }) {
                console.print(String(format: "| %@ | %.0f | %.2f | %.1f%% |", name,
                                     Double(entry.launches) / Double(settings.steps),
                                     entry.seconds / Double(settings.steps) * 1e3, 100 * entry.seconds / stepTime))
            }
        }
        var report: [String: Any] = [
            "model": settings.architecture.rawValue, "width": settings.width, "batch": settings.batchSize,
            "image_size": settings.imageSize, "device": backend.name, "device_name": backend.info.name,
            "steps": settings.steps, "images_per_s": result.imagesPerSecond, "step_ms": result.stepSeconds * 1e3,
            "cpu_ms_per_step": result.cpuSecondsPerStep * 1e3, "parameters": result.parameters,
            "peak_rss_bytes": result.peakHostBytes, "final_loss": Double(result.finalLoss),
            "world_size": group.size, "images_per_s_by_process": result.imagesPerSecondByProcess,
            "exposed_communication_share": result.exposedCommunicationShare,
            "allreduce_share": result.allreduceShare,
        ]
        if let bytes = result.peakDeviceBytes { report["peak_device_bytes"] = bytes }
        if profiling {
            report["profile_ms_per_step"] = times.mapValues { $0.seconds / Double(settings.steps) * 1e3 }
        }
        try console.emit(report)
    }
}
