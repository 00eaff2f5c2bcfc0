import Condense
import CondenseCore

/// The options every command shares (ARCHITECTURE.md §7): the device to run on and JSON output.
public struct CommonOptions {
    /// `--device`; nil: `CONDENSE_DEVICE`, else `auto`.
    public var device: DeviceRequest?
    public var json = false

    public init() {}

    static let specs: [OptionSpec<CommonOptions>] = [
        .value("device", \.device, help: "auto | cpu | opencl | opencl:K (default: $CONDENSE_DEVICE, else auto)"),
        jsonSpec,
    ]

    /// `--json` alone, for commands that run on no device.
    static let jsonSpec = OptionSpec<CommonOptions>.flag(
        "json", \.json, help: "print one JSON object as the last line of standard output")

    /// The backend `--device` asks for (else `CONDENSE_DEVICE`, else `auto`), announced on the console.
    func backend(_ console: Console, profiling: Bool = false) throws -> Backend {
        let backend = try Devices.backend(for: device, profiling: profiling, notice: console.notice)
        console.notice("device: \(backend.name) — \(backend.info.name)")
        return backend
    }
}

extension DeviceRequest: ArgumentValue {
    public init?(argument text: String) {
        guard let request = try? DeviceRequest(parsing: text, source: "--device") else { return nil }
        self = request
    }
    public static var expectation: String { "auto, cpu, opencl or opencl:K (K: an index from condense devices)" }
    public static var placeholder: String { "D" }
    public var argumentText: String { description }
}
