import Condense
import CondenseCore

/// `condense devices`: the CPU backend and every OpenCL platform/device, with the figures that decide placement.
enum DevicesCommand: Command {
    struct Options: CommandOptions {
        var common = CommonOptions()
    }

    static let name = "devices"
    static let usage = "devices [--json]"
    static let summary = "list OpenCL platforms/devices and the CPU backend"
    static let options = [CommonOptions.jsonSpec.lifted(\Options.common)]

    static func run(_ options: Options, console: Console) throws {
        var openCLIndex = 0
        var rows: [[String: Any]] = []
        for device in Devices.all(notice: console.notice) {
            let id = device.backend == "cpu" ? "cpu" : "opencl:\(openCLIndex)"
            if device.backend == "opencl" { openCLIndex += 1 }
            let gib = Double(device.globalMemoryBytes) / 1_073_741_824
            console.print("\(id.padding(to: 9)) \(device.name) [\(device.platform)] \(device.computeUnits) compute units, " +
                          "\(String(format: "%.1f", gib)) GiB, fp16 \(device.fp16 ? "yes" : "no"), " +
                          "fp64 \(device.fp64 ? "yes" : "no")\(device.isGPU ? ", GPU" : "")")
            rows.append(["id": id, "backend": device.backend, "name": device.name, "platform": device.platform,
                         "compute_units": device.computeUnits, "global_memory_bytes": device.globalMemoryBytes,
                         "fp16": device.fp16, "fp64": device.fp64, "gpu": device.isGPU])
        }
        try console.emit(["devices": rows])
    }
}
