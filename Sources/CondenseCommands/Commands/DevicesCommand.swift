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
            var row: [String: Any] = ["id": id, "backend": device.backend, "name": device.name,
                                      "platform": device.platform, "compute_units": device.computeUnits,
                                      "global_memory_bytes": device.globalMemoryBytes, "fp16": device.fp16,
                                      "fp64": device.fp64, "gpu": device.isGPU]
            if let limits = device.driverLimits {
                console.print("          \(limits.openCLCVersion); work-groups up to \(limits.maxWorkGroupSize) " +
                              "(\(limits.maxWorkItemSizes.map(String.init).joined(separator: " × "))), local memory " +
                              "\(limits.localMemoryBytes / 1024) KiB, base address alignment " +
                              "\(limits.baseAddressAlignmentBits) bits, \(limits.extensions.count) extensions")
                row["opencl"] = ["device_version": limits.deviceVersion, "driver_version": limits.driverVersion,
                                 "opencl_c_version": limits.openCLCVersion,
                                 "max_work_group_size": limits.maxWorkGroupSize,
                                 "max_work_item_sizes": limits.maxWorkItemSizes,
                                 "local_memory_bytes": limits.localMemoryBytes,
                                 "base_address_alignment_bits": limits.baseAddressAlignmentBits,
                                 "extensions": limits.extensions]
            }
            rows.append(row)
        }
        try console.emit(["devices": rows])
    }
}
