import Condense
import CondenseCore
import Foundation

/// `condense bench gemm`: SGEMM GFLOP/s on each backend beside its measured copy bandwidth.
let benchCommand = Command(
    name: "bench", usage: "bench gemm [--device D] [--json]",
    summary: "measure SGEMM GFLOP/s and copy bandwidth on every backend (or one with --device)",
    options: commonOptions
) { arguments, console in
    guard arguments.positionals == ["gemm"] else {
        throw UsageError("expected a benchmark name: gemm (got '\(arguments.positionals.joined(separator: " "))')")
    }
    var backends: [Backend] = []
    if arguments.values["device"] != nil {
        backends = [try selectBackend(arguments, console)]
    } else {
        backends = [CPUBackend()]
        let openCL = Devices.all(notice: console.notice).filter { $0.backend == "opencl" }
        for index in openCL.indices {
            backends.append(try Devices.backend(for: .openCLIndex(index), notice: console.notice))
        }
    }
    var reports: [[String: Any]] = []
    for backend in backends {
        console.notice("benchmarking \(backend.name) (\(backend.info.name))…")
        let copy = try GemmBenchmark.copyBandwidth(on: backend)
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
