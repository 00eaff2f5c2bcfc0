/// What a backend runs on, as `condense devices` reports it.
public struct DeviceInfo: Sendable, Equatable {
    /// `cpu` or `opencl`.
    public var backend: String
    public var name: String
    public var platform: String
    public var computeUnits: Int
    public var globalMemoryBytes: Int
    /// Whether the device offers half-precision arithmetic (`cl_khr_fp16`); storage as half works everywhere.
    public var fp16: Bool
    public var fp64: Bool
    public var isGPU: Bool
    /// An OpenCL device's versions and limits; nil for the CPU backend.
    public var driverLimits: DriverLimits?

    public init(backend: String, name: String, platform: String, computeUnits: Int, globalMemoryBytes: Int,
                fp16: Bool, fp64: Bool, isGPU: Bool, driverLimits: DriverLimits? = nil) {
        self.backend = backend
        self.name = name
        self.platform = platform
        self.computeUnits = computeUnits
        self.globalMemoryBytes = globalMemoryBytes
        self.fp16 = fp16
        self.fp64 = fp64
        self.isGPU = isGPU
        self.driverLimits = driverLimits
    }
}
