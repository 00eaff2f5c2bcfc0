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
    /// OpenCL request that cannot be met is an error naming the valid choices. Under `mpirun`, `auto` and `opencl`
    /// give the processes of one host different GPUs: local rank r takes the host's GPU r modulo their number.
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
            guard let gpu = gpuIndex(localRank: localRank(environment), isGPU: handles.map(\.info.isGPU)) else {
                return CPUBackend(profiling: profiling)
            }
            return try OpenCLBackend(handles[gpu], index: gpu, profiling: profiling)
        case .openCL:
            let handles = openCLDevices(notice: { _ in })
            guard !handles.isEmpty else {
                throw CondenseError.deviceSelection("device 'opencl' requested but no OpenCL device was found " +
                                                    "(is an ICD such as pocl-opencl-icd installed?); valid choices: cpu")
            }
            let index = environment[localRankVariable] == nil ? 0
                : gpuIndex(localRank: localRank(environment), isGPU: handles.map(\.info.isGPU)) ?? 0
            return try OpenCLBackend(handles[index], index: index, profiling: profiling)
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

    /// Set by Open MPI's `mpirun`: the process's number among those on its host.
    static let localRankVariable = "OMPI_COMM_WORLD_LOCAL_RANK"

    /// The device local rank `localRank` takes among devices of which `isGPU` says which are GPUs: GPU r modulo
    /// their number, so the processes of one host spread over its GPUs; nil when there is none.
    static func gpuIndex(localRank: Int, isGPU: [Bool]) -> Int? {
        let gpus = isGPU.indices.filter { isGPU[$0] }
        return gpus.isEmpty ? nil : gpus[localRank % gpus.count]
    }

    private static func localRank(_ environment: [String: String]) -> Int {
        max(0, environment[localRankVariable].flatMap { Int($0) } ?? 0)
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
