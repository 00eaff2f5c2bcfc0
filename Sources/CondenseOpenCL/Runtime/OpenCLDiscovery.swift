import COpenCL
import CondenseCore

/// One OpenCL device as the ICD loader reports it.
public struct OpenCLDeviceHandle {
    public let platform: cl_platform_id
    public let device: cl_device_id
    public let info: DeviceInfo
}

/// Finds OpenCL platforms and devices. No ICD installed, or no platform, is an empty list, not an error.
public enum OpenCLDiscovery {
    /// Every device of every platform, in ICD order.
    public static func devices() throws -> [OpenCLDeviceHandle] {
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
                          isGPU: type & cl_device_type(CL_DEVICE_TYPE_GPU) != 0)
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
