import CondenseCPU
import CondenseCore
import CondenseOpenCL
import Foundation

/// Device discovery and backend creation: the one place that decides where work runs.
public enum Devices {
    /// Every device Condense can use: the CPU backend first, then each OpenCL device in ICD order.
    /// `notice` receives one line when OpenCL is unavailable (no ICD, no platform, a failing driver).
    public static func all(notice: (String) -> Void = { _ in }) -> [DeviceInfo] {
        [CPUBackend().info] + openCLDevices(notice: notice).map(\.info)
    }

    /// The backend for `request`, or the request from `--device` / `CONDENSE_DEVICE` / `auto` in that order.
    /// With no OpenCL driver `auto` says so through `notice` once and returns the CPU backend; an explicit
    /// OpenCL request that cannot be met is an error naming the valid choices.
    public static func backend(for request: DeviceRequest? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                               profiling: Bool = false, notice: (String) -> Void) throws -> Backend {
        let resolved = try request ?? environment[DeviceRequest.environmentVariable].map {
            try DeviceRequest(parsing: $0, source: DeviceRequest.environmentVariable)
        } ?? .auto
        switch resolved {
        case .cpu:
            return CPUBackend(profiling: profiling)
        case .auto:
            let handles = openCLDevices(notice: notice)
            guard let gpu = handles.firstIndex(where: \.info.isGPU) else { return CPUBackend(profiling: profiling) }
            return try OpenCLBackend(handles[gpu], index: gpu, profiling: profiling)
        case .openCL:
            guard let first = openCLDevices(notice: { _ in }).first else {
                throw CondenseError.deviceSelection("device 'opencl' requested but no OpenCL device was found " +
                                                    "(is an ICD such as pocl-opencl-icd installed?); valid choices: cpu")
            }
            return try OpenCLBackend(first, index: 0, profiling: profiling)
        case .openCLIndex(let index):
            let handles = openCLDevices(notice: { _ in })
            guard handles.indices.contains(index) else {
                let valid = ["auto", "cpu"] + (handles.isEmpty ? [] : ["opencl"]) + handles.indices.map { "opencl:\($0)" }
                throw CondenseError.deviceSelection("device 'opencl:\(index)' does not exist; valid choices: " +
                                                    valid.joined(separator: ", "))
            }
            return try OpenCLBackend(handles[index], index: index, profiling: profiling)
        }
    }

    private static func openCLDevices(notice: (String) -> Void) -> [OpenCLDeviceHandle] {
        do {
            let handles = try OpenCLDiscovery.devices()
            if handles.isEmpty { notice("No OpenCL platform found (no ICD installed?); running on the CPU backend.") }
            return handles
        } catch {
            notice("OpenCL is unavailable (\(error)); running on the CPU backend.")
            return []
        }
    }
}
