import COpenCL
import CondenseCore
import Foundation

/// One OpenCL device as the ICD loader reports it.
public struct OpenCLDeviceHandle {
    public let platform: cl_platform_id
    public let device: cl_device_id
    public let info: DeviceInfo
}

/// Finds OpenCL platforms and devices. No ICD installed, or no platform, is an empty list, not an error.
public enum OpenCLDiscovery {
    /// Names the OpenCL implementation to use when several are installed: only platforms whose `CL_PLATFORM_NAME`
    /// contains the value (case-insensitively) are listed, e.g. `rusticl` or `Portable Computing Language`.
    public static let platformVariable = "CONDENSE_OPENCL_PLATFORM"

    /// Every device of every platform, in ICD order; only the platforms `CONDENSE_OPENCL_PLATFORM` names when it is
    /// set, and an error naming the installed platforms when none matches.
    public static func devices(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> [OpenCLDeviceHandle] {
        let all = try allDevices()
        guard let wanted = environment[platformVariable], !wanted.isEmpty else { return all }
        let chosen = all.filter { $0.info.platform.lowercased().contains(wanted.lowercased()) }
        if chosen.isEmpty {
            let found = Set(all.map { "'\($0.info.platform)'" }).sorted()
            throw CondenseError.deviceSelection("\(platformVariable) is '\(wanted)' but no OpenCL platform with " +
                "devices has that in its name; platforms with devices: " +
                (found.isEmpty ? "none" : found.joined(separator: ", ")))
        }
        return chosen
    }

    private static func allDevices() throws -> [OpenCLDeviceHandle] {
        var platformCount: cl_uint = 0
        let status = clGetPlatformIDs(0, nil, &platformCount)
        if status == -1001 /* CL_PLATFORM_NOT_FOUND_KHR: no ICD registered */ || platformCount == 0 { return [] }
        try check(status, "clGetPlatformIDs")
        var platforms = [cl_platform_id?](repeating: nil, count: Int(platformCount))
        try check(clGetPlatformIDs(platformCount, &platforms, nil), "clGetPlatformIDs")

        var handles: [OpenCLDeviceHandle] = []
        for case let platform? in platforms {
            var deviceCount: cl_uint = 0
            let found = clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &deviceCount)
            if found == CL_DEVICE_NOT_FOUND || deviceCount == 0 { continue }
            try check(found, "clGetDeviceIDs")
            var devices = [cl_device_id?](repeating: nil, count: Int(deviceCount))
            try check(clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), deviceCount, &devices, nil),
                      "clGetDeviceIDs")
            let platformName = try platformString(platform, cl_platform_info(CL_PLATFORM_NAME))
            for case let device? in devices {
                handles.append(OpenCLDeviceHandle(platform: platform, device: device,
                                                  info: try describe(device, platform: platformName)))
            }
        }
        return handles
    }

    private static func describe(_ device: cl_device_id, platform: String) throws -> DeviceInfo {
        let extensions = try deviceString(device, cl_device_info(CL_DEVICE_EXTENSIONS))
        let type: cl_device_type = try deviceValue(device, cl_device_info(CL_DEVICE_TYPE))
        let units: cl_uint = try deviceValue(device, cl_device_info(CL_DEVICE_MAX_COMPUTE_UNITS))
        let memory: cl_ulong = try deviceValue(device, cl_device_info(CL_DEVICE_GLOBAL_MEM_SIZE))
        return DeviceInfo(backend: "opencl", name: try deviceString(device, cl_device_info(CL_DEVICE_NAME)),
                          platform: platform, computeUnits: Int(units), globalMemoryBytes: Int(memory),
                          fp16: extensions.contains("cl_khr_fp16"), fp64: extensions.contains("cl_khr_fp64"),
                          isGPU: type & cl_device_type(CL_DEVICE_TYPE_GPU) != 0,
                          driverLimits: try limits(of: device, extensions: extensions))
    }

    private static func limits(of device: cl_device_id, extensions: String) throws -> DriverLimits {
        let itemSizes = try workItemSizes(of: device)
        let groupSize: Int = try deviceValue(device, cl_device_info(CL_DEVICE_MAX_WORK_GROUP_SIZE))
        let localMemory: cl_ulong = try deviceValue(device, cl_device_info(CL_DEVICE_LOCAL_MEM_SIZE))
        let alignment: cl_uint = try deviceValue(device, cl_device_info(CL_DEVICE_MEM_BASE_ADDR_ALIGN))
        return DriverLimits(deviceVersion: try deviceString(device, cl_device_info(CL_DEVICE_VERSION)),
                            driverVersion: try deviceString(device, cl_device_info(CL_DRIVER_VERSION)),
                            openCLCVersion: try deviceString(device, cl_device_info(CL_DEVICE_OPENCL_C_VERSION)),
                            maxWorkGroupSize: groupSize, maxWorkItemSizes: itemSizes,
                            localMemoryBytes: Int(localMemory), baseAddressAlignmentBits: Int(alignment),
                            extensions: extensions.split(separator: " ").map(String.init))
    }

    /// `CL_DEVICE_MAX_WORK_ITEM_SIZES`: the most work-items of a work-group along each dimension.
    static func workItemSizes(of device: cl_device_id) throws -> [Int] {
        let dimensions: cl_uint = try deviceValue(device, cl_device_info(CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS))
        var itemSizes = [Int](repeating: 0, count: Int(dimensions))
        try check(clGetDeviceInfo(device, cl_device_info(CL_DEVICE_MAX_WORK_ITEM_SIZES),
                                  MemoryLayout<Int>.stride * itemSizes.count, &itemSizes, nil), "clGetDeviceInfo")
        return itemSizes
    }

    static func deviceValue<T>(_ device: cl_device_id, _ parameter: cl_device_info) throws -> T {
        let value = UnsafeMutablePointer<T>.allocate(capacity: 1)
        defer { value.deallocate() }
        try check(clGetDeviceInfo(device, parameter, MemoryLayout<T>.size, value, nil), "clGetDeviceInfo")
        return value.pointee
    }

    static func deviceString(_ device: cl_device_id, _ parameter: cl_device_info) throws -> String {
        try queryString("clGetDeviceInfo") { clGetDeviceInfo(device, parameter, $0, $1, $2) }
    }

    static func platformString(_ platform: cl_platform_id, _ parameter: cl_platform_info) throws -> String {
        try queryString("clGetPlatformInfo") { clGetPlatformInfo(platform, parameter, $0, $1, $2) }
    }

    /// Runs an OpenCL `clGet*Info` query twice: once for the size, once for the characters.
    static func queryString(_ call: String,
                            _ query: (Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> cl_int) throws -> String {
        var size = 0
        try check(query(0, nil, &size), call)
        var characters = [CChar](repeating: 0, count: size + 1)
        try check(query(size, &characters, nil), call)
        return String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .trimmingCharacters(in: " ")
    }
}

private extension String {
    func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
