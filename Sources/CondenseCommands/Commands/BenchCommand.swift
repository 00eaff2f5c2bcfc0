import Condense
import CondenseBench
import CondenseCPU
import CondenseCore
import CondenseNN
import Foundation

/// `condense bench gemm|kernels|train|infer`: throughput figures measured on the real dispatch path.
enum BenchCommand: Command {
    /// The benchmarks `bench` runs.
    enum Benchmark: String, ChoiceArgument {
        case gemm, kernels, train, infer
    }

    struct Options: CommandOptions {
        var benchmark: Benchmark?
        /// `bench train`'s model and sizes; `bench kernels` takes its batch size.
        var training = TrainingBenchmark.Options()
        /// `--model`: `bench train`'s architecture (default `training.architecture`), `bench infer`'s checkpoint.
        var model: String?
        /// `--batch`: `bench train`'s and `kernels`' batch (default `training.batchSize`), `bench infer`'s
        /// throughput batch (default `InferenceBenchmark.Options().batchSize`).
        var batch: Int?
        var profile = false
        var common = CommonOptions()
    }

    static let name = "bench"
    static let usage = "bench gemm|kernels|train|infer [--model NAME|C] [--device D] [--json]"
    static let summary = "measure SGEMM GFLOP/s, custom-kernel GB/s, copy bandwidth, training images/s of a model, or " +
        "a checkpoint's inference latency"
    static let positional: PositionalSpec<Options>? = .choice(\.benchmark)
    static func runsDataParallel(_ options: Options) -> Bool { options.benchmark == .train }
    static let options: [OptionSpec<Options>] = [
        .value("model", \.model, placeholder: "NAME|C",
               help: "bench train: architecture, one of \(Architecture.allCases.map(\.rawValue).joined(separator: " | ")) " +
               "(default \(TrainingBenchmark.Options().architecture)); bench infer: checkpoint (.safetensors)"),
        .value("width", \.training.width, bounds: ModelWidth.bounds, help: "bench train: width multiplier"),
        .value("batch", \.batch, bounds: .within(1...65_536),
               help: "bench train, kernels: batch size (default \(TrainingBenchmark.Options().batchSize)); bench " +
               "infer: the throughput batch (default \(InferenceBenchmark.Options().batchSize))"),
        .value("image-size", \.training.imageSize, bounds: .within(1...1024), help: "bench train: input height and width"),
        .value("steps", \.training.steps, bounds: .within(10...100_000),
               help: "bench train: timed steps (after 2 warm-up steps)"),
        .flag("profile", \.profile,
              help: "bench train: time per op (OpenCL events on a device, wall time on the CPU)"),
    ] + CommonOptions.specs.lifted(\.common)

    static func run(_ options: Options, console: Console) throws {
        var options = options
        if options.benchmark != .infer {
            if let batch = options.batch { options.training.batchSize = batch }
            if let model = options.model {
                guard let architecture = Architecture(argument: model) else {
                    throw UsageError("--model: expected \(Architecture.expectation), got '\(model)'")
                }
                options.training.architecture = architecture
            }
        }
        switch options.benchmark {
        case .gemm: try benchGemm(options, console)
        case .kernels: try benchKernels(options, console)
        case .train: try benchTrain(options, console)
        case .infer: try benchInfer(options, console)
        case nil: throw UsageError("expected a benchmark name: gemm, kernels, train or infer")
        }
    }

    /// The backends a benchmark covers: the one `--device` names, else the given default set; OpenCL queues record
    /// profiling events when `profiling` is set.
    static func backends(_ options: Options, _ console: Console, includeCPU: Bool,
                         profiling: Bool = false) throws -> [Backend] {
        if options.common.device != nil { return [try options.common.backend(console, profiling: profiling)] }
        let openCL = Devices.all(notice: console.notice).filter { $0.backend == "opencl" }
        let devices = try openCL.indices.map {
            try Devices.backend(for: .openCLIndex($0), profiling: profiling, notice: console.notice)
        }
        return (includeCPU || devices.isEmpty ? [CPUBackend()] : []) + devices
    }

    private static func benchGemm(_ options: Options, _ console: Console) throws {
        var reports: [[String: Any]] = []
        for backend in try backends(options, console, includeCPU: true) {
            console.notice("benchmarking GEMM on \(backend.name) (\(backend.info.name))…")
            let copy = try GemmBenchmark.copyBandwidth(on: backend).gbps
            let results = try GemmBenchmark.run(on: backend)
            console.print("\n\(backend.name) — \(backend.info.name): copy bandwidth \(String(format: "%.1f", copy)) GB/s")
            console.print("| m | n | k | ms | GFLOP/s |\n|---:|---:|---:|---:|---:|")
            for result in results {
                console.print(String(format: "| %d | %d | %d | %.3f | %.1f |", result.m, result.n, result.k,
                                     result.seconds * 1e3, result.gflops))
            }
            reports.append(["device": backend.name, "name": backend.info.name, "copy_gbps": copy,
                            "gemm": results.map { ["m": $0.m, "n": $0.n, "k": $0.k, "gflops": $0.gflops] }])
        }
        try console.emit(["benchmarks": reports])
    }

    private static func benchKernels(_ options: Options, _ console: Console) throws {
        let reference = CPUBackend(), batch = options.training.batchSize
        var reports: [[String: Any]] = []
        for backend in try backends(options, console, includeCPU: false, profiling: true) {
            console.notice("benchmarking custom kernels on \(backend.name) (\(backend.info.name))…")
            let copyBandwidth = try GemmBenchmark.copyBandwidth(on: backend), copy = copyBandwidth.gbps
            let results = try KernelBenchmark.run(on: backend, reference: reference, batch: batch)
            let timing = Set([copyBandwidth.timing] + results.map(\.timing)).sorted().joined(separator: "; ")
            if timing.contains(DeviceClockCheck.fallbackSource) {
                console.notice("\(backend.name) (\(backend.info.name)): its profiling events are implausible " +
                               "against the wall time around them; timing by the wall clock instead")
            }
            console.print("\n\(backend.name) — \(backend.info.name), batch \(batch): copy bandwidth " +
                          "\(String(format: "%.1f", copy)) GB/s (times: medians of \(timing))")
            console.print("| kernel | MB moved | ms | GB/s | of copy bandwidth | max rel. error |\n" +
                          "|---|---:|---:|---:|---:|---:|")
            for result in results {
                console.print(String(format: "| %@ | %.1f | %.3f | %.1f | %.0f%% | %.1e |", result.name,
                                     Double(result.bytes) / 1e6, result.seconds * 1e3, result.gbps,
                                     100 * result.gbps / copy, result.maxRelativeError))
            }
            reports.append(["device": backend.name, "name": backend.info.name, "batch": batch, "copy_gbps": copy,
                            "timing": timing,
                            "kernels": results.map {
                                ["name": $0.name, "gbps": $0.gbps, "bandwidth_fraction": $0.gbps / copy,
                                 "ms": $0.seconds * 1e3, "max_rel_error": Double($0.maxRelativeError)]
                            }])
        }
        try console.emit(reports.count == 1 ? reports[0] : ["benchmarks": reports])
    }
}
