import CondenseCore
@testable import CondenseOpenCL
import CondenseTestSupport
import XCTest

/// Launches are checked against the compiled kernel's limits before they are queued (OpenCL 1.2 §5.7.3: a kernel
/// may allow fewer work-items than the device, and its `__local` arrays share local memory with its arguments), so a
/// launch over a limit names the kernel and the limit instead of failing in the driver.
final class KernelLimitsTests: XCTestCase {
    private let limits = KernelLimits(workGroupSize: 128, ownLocalBytes: 1024, workItemSizes: [256, 256, 64],
                                      deviceLocalBytes: 32768)

    /// The error `limits` refuses a launch with (nil when it allows it), for the tests to compare in one assertion.
    private func refusal(global: [Int], local: [Int]?, localArgumentBytes: Int = 0) -> CondenseError? {
        do {
            try limits.validate(kernel: "'k' of f.cl", global: global, local: local,
                                localArgumentBytes: localArgumentBytes)
            return nil
        } catch {
            return error as? CondenseError
        }
    }

    /// The refusal of kernel 'k' of f.cl for `detail`.
    private func refused(_ detail: String) -> CondenseError { .driverLimit(kernel: "'k' of f.cl", detail) }

    func testLaunchesWithinTheLimitsPass() {
        XCTAssertNil(refusal(global: [1024], local: [128]))
        XCTAssertNil(refusal(global: [64, 6], local: [64, 2]))
        XCTAssertNil(refusal(global: [1000], local: nil, localArgumentBytes: 32768 - 1024))
    }

    func testAWorkGroupOverTheCompiledKernelsLimitIsRefused() {
        // 256 is within the device's limit along dimension 0 but over this kernel's.
        let overKernel = refused("work-groups of 256 work-items, and the driver allows this compiled kernel at most " +
                                 "128 (CL_KERNEL_WORK_GROUP_SIZE)")
        XCTAssertEqual(refusal(global: [1024], local: [256]), overKernel)
        XCTAssertEqual(refusal(global: [16, 32], local: [16, 16]), overKernel)
    }

    func testAWorkGroupOverTheDevicesLimitAlongADimensionIsRefused() {
        XCTAssertEqual(refusal(global: [1, 1, 128], local: [1, 1, 128]),
                       refused("work-groups of 128 work-items along dimension 2, and the device allows at most 64 " +
                               "there (CL_DEVICE_MAX_WORK_ITEM_SIZES)"))
    }

    func testAGlobalSizeThatIsNotAMultipleOfTheWorkGroupIsRefused() {
        XCTAssertEqual(refusal(global: [100], local: [64]),
                       refused("the global size 100 along dimension 0 is not a multiple of the work-group's 64"))
        XCTAssertEqual(refusal(global: [128, 2], local: [64]), refused("a work-group of 1 dimensions for a launch of 2"))
    }

    func testLocalMemoryOverTheDevicesIsRefusedCountingTheKernelsOwnArrays() {
        XCTAssertEqual(refusal(global: [128], local: [128], localArgumentBytes: 32768 - 1024 + 4),
                       refused("it needs 32772 bytes of local memory (1024 in its own __local arrays, 31748 in local " +
                               "arguments), and the device has 32768 (CL_DEVICE_LOCAL_MEM_SIZE)"))
    }

    /// The ops' work-groups fit what the driver allows its kernels: rusticl 22.3 allows every kernel 32 work-items
    /// (below its device maximum of 1,024), so the GPU formulation's groups of 64 and 256 shrink there.
    func testWorkGroupsAreFittedToTheDriversKernelLimit() throws {
        let gpu = try TestDevices.openCL(), own = gpu.tiling
        defer { gpu.tiling = own }
        let limit = gpu.kernelGroupLimit
        XCTAssertEqual(limit & (limit - 1), 0, "a power of two")
        XCTAssertLessThanOrEqual(limit, 256)
        XCTAssertEqual([gpu.group(1), gpu.group(limit), gpu.group(2 * limit)], [1, limit, limit])
        gpu.tiling = .forDevice(isGPU: true)
        XCTAssertEqual(gpu.tiling, ChunkTiling.forDevice(isGPU: true).fitting(groupLimit: limit))
        XCTAssertLessThanOrEqual(gpu.tiling.tileGroupSize, limit)
        XCTAssertEqual(ChunkTiling.forDevice(isGPU: true).fitting(groupLimit: 32),
                       ChunkTiling(vectorWidth: 4, vectorsPerItem: 1, groupSize: 32, tileGroupSize: 32))
        XCTAssertEqual(ChunkTiling.forDevice(isGPU: false).fitting(groupLimit: 32), .forDevice(isGPU: false))
        let options = gpu.tiling.defines.sorted { $0.key < $1.key }.map { "-D\($0.key)=\($0.value)" }
        let kernel = try gpu.programs.kernel("add", file: "elementwise", options: options.joined(separator: " "))
        XCTAssertGreaterThanOrEqual(kernel.limits.workGroupSize, limit)
    }

    /// On the driver under test: a kernel's limits come from the driver, and a launch over them never reaches it.
    func testTheDriversLimitsAreReadAndALaunchOverThemIsRefusedByName() throws {
        let gpu = try TestDevices.openCL()
        let options = gpu.tiling.defines.sorted { $0.key < $1.key }.map { "-D\($0.key)=\($0.value)" }
        let kernel = try gpu.programs.kernel("add", file: "elementwise", options: options.joined(separator: " "))
        let deviceLimits = try XCTUnwrap(gpu.info.driverLimits)
        XCTAssertGreaterThan(kernel.limits.workGroupSize, 0)
        XCTAssertLessThanOrEqual(kernel.limits.workGroupSize, deviceLimits.maxWorkGroupSize)
        XCTAssertEqual(kernel.limits.workItemSizes, deviceLimits.maxWorkItemSizes)
        XCTAssertEqual(kernel.limits.deviceLocalBytes, deviceLimits.localMemoryBytes)
        let tooMany = kernel.limits.workGroupSize * 2
        let a = try gpu.full([4], value: 1)
        XCTAssertThrowsError(try gpu.launch("add", file: "elementwise", defines: gpu.tiling.defines,
                                            arguments: [.buffer(a), .buffer(a), .buffer(a), .int(4)],
                                            global: [tooMany], local: [tooMany])) { error in
            guard case let CondenseError.driverLimit(name, detail) = error else {
                return XCTFail("expected a driverLimit error, got \(error)")
            }
            XCTAssertEqual(name, "'add' of elementwise.cl")
            XCTAssertTrue(detail.contains("work-groups of \(tooMany) work-items"), detail)
        }
        XCTAssertEqual(try a.toHost(), [1, 1, 1, 1], "the refused launch must not have run")
    }
}
