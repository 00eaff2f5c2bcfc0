import Condense
import CondenseBench
import CondenseCore
import CondenseNN
import Foundation

/// The options of `condense bench train` (`bench kernels` takes `--batch` too; `bench gemm` ignores them).
let trainBenchOptions = [
    OptionSpec(name: "model", help: "bench train: " + ModelConfiguration.architectures.joined(separator: " | "),
               defaultValue: "mobilenetv2"),
    OptionSpec(name: "width", help: "bench train: width multiplier", defaultValue: "0.35"),
    OptionSpec(name: "batch", help: "bench train, kernels: batch size", defaultValue: "128"),
    OptionSpec(name: "image-size", help: "bench train: input height and width", defaultValue: "28"),
    OptionSpec(name: "steps", help: "bench train: timed steps (after 2 warm-up steps)", defaultValue: "10"),
    OptionSpec(name: "profile", help: "bench train: time per op (OpenCL events on a device, wall time on the CPU)",
               takesValue: false),
]

/// The `--batch` of `bench train` and `bench kernels`.
func benchBatch(_ arguments: ParsedArguments) throws -> Int {
    try arguments.value("batch", "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } } ?? 128
}

/// `condense bench train`: steady-state training images/s of one model, peak memory, and with `--profile` where the
/// time of a step goes.
func benchTrain(_ arguments: ParsedArguments, _ console: Console) throws {
    let profiling = arguments.flag("profile")
    let backend = try selectBackend(arguments, console, profiling: profiling)
    var options = TrainingBenchmark.Options()
    options.architecture = arguments.values["model"] ?? options.architecture
    options.width = try arguments.value("width", "a positive number") { Double($0).flatMap { $0 > 0 ? $0 : nil } } ?? 0.35
    options.batchSize = try benchBatch(arguments)
    options.imageSize = try arguments.value("image-size", "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } } ?? 28
    options.steps = try arguments.value("steps", "an integer ≥ 10") { Int($0).flatMap { $0 >= 10 ? $0 : nil } } ?? 10
    let profiler = backend.profiler
    console.notice("benchmarking training of \(options.architecture) width \(options.width), batch \(options.batchSize), " +
                   "\(options.imageSize)×\(options.imageSize) on \(backend.name)…")
    let result = try TrainingBenchmark.run(options, on: backend) { profiler?.reset() }
    let times = try profiler?.totals() ?? [:]
    let stepTime = result.stepSeconds * Double(options.steps)
    console.print(String(format: "%@ width %g batch %d on %@: %.1f images/s (%.1f ms/step), peak RSS %.0f MB%@",
                         options.architecture, options.width, options.batchSize, backend.name, result.imagesPerSecond,
                         result.stepSeconds * 1e3, Double(result.peakHostBytes) / 1e6,
                         result.peakDeviceBytes.map { String(format: ", OpenCL buffers %.0f MB", Double($0) / 1e6) } ?? ""))
    if profiling {
        console.print("\n| op | calls/step | ms/step | share of step |\n|---|---:|---:|---:|")
        for (name, entry) in times.sorted(by: { $0.value.seconds > $1.value.seconds }) {
            console.print(String(format: "| %@ | %.0f | %.2f | %.1f%% |", name,
                                 Double(entry.launches) / Double(options.steps),
                                 entry.seconds / Double(options.steps) * 1e3, 100 * entry.seconds / stepTime))
        }
    }
    var report: [String: Any] = [
        "model": options.architecture, "width": options.width, "batch": options.batchSize,
        "image_size": options.imageSize, "device": backend.name, "device_name": backend.info.name,
        "steps": options.steps, "images_per_s": result.imagesPerSecond, "step_ms": result.stepSeconds * 1e3,
        "cpu_ms_per_step": result.cpuSecondsPerStep * 1e3,
        "parameters": result.parameters, "peak_rss_bytes": result.peakHostBytes, "final_loss": Double(result.finalLoss),
    ]
    if let bytes = result.peakDeviceBytes { report["peak_device_bytes"] = bytes }
    if profiling {
        report["profile_ms_per_step"] = times.mapValues { $0.seconds / Double(options.steps) * 1e3 }
    }
    try console.emit(report)
}
