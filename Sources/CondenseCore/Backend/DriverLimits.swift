/// What an OpenCL driver reports about its device beyond `DeviceInfo`'s figures: the versions it implements and the
/// limits kernels must respect (OpenCL 1.2 leaves them to the implementation, and they differ between drivers).
public struct DriverLimits: Sendable, Equatable {
    /// `CL_DEVICE_VERSION`, e.g. "OpenCL 3.0 PoCL …".
    public var deviceVersion: String
    /// `CL_DRIVER_VERSION`.
    public var driverVersion: String
    /// `CL_DEVICE_OPENCL_C_VERSION`, e.g. "OpenCL C 1.2 pocl".
    public var openCLCVersion: String
    /// `CL_DEVICE_MAX_WORK_GROUP_SIZE`: the most work-items of any work-group (a compiled kernel may allow fewer).
    public var maxWorkGroupSize: Int
    /// `CL_DEVICE_MAX_WORK_ITEM_SIZES`: the most work-items per work-group along each dimension.
    public var maxWorkItemSizes: [Int]
    /// `CL_DEVICE_LOCAL_MEM_SIZE` in bytes.
    public var localMemoryBytes: Int
    /// `CL_DEVICE_MEM_BASE_ADDR_ALIGN` in bits: the alignment a sub-buffer's origin needs.
    public var baseAddressAlignmentBits: Int
    /// `CL_DEVICE_EXTENSIONS`, one name each.
    public var extensions: [String]

    public init(deviceVersion: String, driverVersion: String, openCLCVersion: String, maxWorkGroupSize: Int,
                maxWorkItemSizes: [Int], localMemoryBytes: Int, baseAddressAlignmentBits: Int, extensions: [String]) {
        self.deviceVersion = deviceVersion
        self.driverVersion = driverVersion
        self.openCLCVersion = openCLCVersion
        self.maxWorkGroupSize = maxWorkGroupSize
        self.maxWorkItemSizes = maxWorkItemSizes
        self.localMemoryBytes = localMemoryBytes
        self.baseAddressAlignmentBits = baseAddressAlignmentBits
        self.extensions = extensions
    }
}
