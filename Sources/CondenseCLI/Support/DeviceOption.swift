import Condense
import CondenseCore

/// The backend a command runs on, from `--device`, else `CONDENSE_DEVICE`, else `auto`.
func selectBackend(_ arguments: ParsedArguments, _ console: Console, profiling: Bool = false) throws -> Backend {
    let request = try arguments.values["device"].map { try DeviceRequest(parsing: $0, source: "--device") }
    let backend = try Devices.backend(for: request, profiling: profiling, notice: console.notice)
    console.notice("device: \(backend.name) — \(backend.info.name)")
    return backend
}
