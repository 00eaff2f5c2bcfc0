import CondenseCPU
import CondenseCore
import CondenseOpenCL
import Foundation
import XCTest

/// The backends tests compare: the CPU reference and the first OpenCL device (PoCL in CI), opened once per process
/// so programs are built once.
public enum TestDevices {
    /// Set (as `.ci/run` does) to turn a missing OpenCL device into a failure instead of a skip.
    public static let requireVariable = "CONDENSE_REQUIRE_OPENCL"

    public static let cpu = CPUBackend()

    private static let openCLResult: Result<OpenCLBackend?, Error> = Result {
        try OpenCLDiscovery.devices().first.map { try OpenCLBackend($0, index: 0) }
    }

    /// The OpenCL backend, or an `XCTSkip` when the machine has none (a failure when `CONDENSE_REQUIRE_OPENCL=1`).
    public static func openCL() throws -> OpenCLBackend {
        if let backend = try openCLResult.get() { return backend }
        if ProcessInfo.processInfo.environment[requireVariable] == "1" {
            XCTFail("no OpenCL device found, and \(requireVariable)=1 requires one")
        }
        throw XCTSkip("no OpenCL device on this machine: OpenCL parity tests skipped")
    }
}
