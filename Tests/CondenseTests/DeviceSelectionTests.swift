@testable import Condense
import CondenseCore
import XCTest

/// `--device` and `CONDENSE_DEVICE`: every spelling users may write, and clear errors for the rest.
final class DeviceSelectionTests: XCTestCase {
    func testValidRequestsParse() throws {
        XCTAssertEqual(try DeviceRequest(parsing: "auto", source: "--device"), .auto)
        XCTAssertEqual(try DeviceRequest(parsing: "CPU", source: "--device"), .cpu)
        XCTAssertEqual(try DeviceRequest(parsing: "opencl", source: "--device"), .openCL)
        XCTAssertEqual(try DeviceRequest(parsing: "opencl:3", source: "--device"), .openCLIndex(3))
    }

    func testABogusEnvironmentValueNamesTheVariableAndTheChoices() {
        XCTAssertThrowsError(try Devices.backend(environment: ["CONDENSE_DEVICE": "cuda"], notice: { _ in })) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("CONDENSE_DEVICE"), text)
            XCTAssertTrue(text.contains("'cuda'"), text)
            XCTAssertTrue(text.contains("cpu") && text.contains("opencl:K"), text)
        }
        XCTAssertThrowsError(try DeviceRequest(parsing: "opencl:-1", source: "--device"))
        XCTAssertThrowsError(try DeviceRequest(parsing: "opencl:x", source: "--device"))
    }

    func testAnOpenCLIndexThatDoesNotExistListsTheValidOnes() {
        XCTAssertThrowsError(try Devices.backend(for: .openCLIndex(99), notice: { _ in })) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("opencl:99") && text.contains("valid choices: auto, cpu"), text)
        }
    }

    func testCPURequestsGiveTheCPUBackend() throws {
        XCTAssertEqual(try Devices.backend(for: .cpu, notice: { _ in }).name, "cpu")
        XCTAssertEqual(try Devices.backend(environment: ["CONDENSE_DEVICE": "cpu"], notice: { _ in }).name, "cpu")
    }

    func testAutoChoosesAGPUOrFallsBackToTheCPU() throws {
        let backend = try Devices.backend(for: .auto, notice: { _ in })
        let hasGPU = Devices.all().contains { $0.isGPU }
        XCTAssertEqual(backend.info.isGPU, hasGPU)
        XCTAssertEqual(backend.name == "cpu", !hasGPU)
    }

    func testDeviceListingStartsWithTheCPUBackend() {
        let devices = Devices.all()
        XCTAssertEqual(devices.first?.backend, "cpu")
        XCTAssertTrue(devices.dropFirst().allSatisfy { $0.backend == "opencl" })
    }

    /// Under mpirun, the processes of one host spread over its GPUs (CPU-type OpenCL devices skipped), wrapping
    /// around when there are more processes than GPUs; with no GPU there is none to take.
    func testLocalRanksSpreadOverTheHostsGPUs() {
        let isGPU = [false, true, false, true, true]  // e.g. PoCL's CPU device among three GPUs
        XCTAssertEqual((0..<5).map { Devices.gpuIndex(localRank: $0, isGPU: isGPU) }, [1, 3, 4, 1, 3])
        XCTAssertNil(Devices.gpuIndex(localRank: 2, isGPU: [false, false]))
    }
}
