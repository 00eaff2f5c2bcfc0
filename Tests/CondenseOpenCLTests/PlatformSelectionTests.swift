import CondenseCore
import CondenseOpenCL
import CondenseTestSupport
import XCTest

/// `CONDENSE_OPENCL_PLATFORM`: picks the implementation when several are installed (PoCL and rusticl in CI), by a
/// case-insensitive part of the platform's name, and names the installed ones when nothing matches.
final class PlatformSelectionTests: XCTestCase {
    func testAPartOfThePlatformNameSelectsOnlyThatPlatform() throws {
        let platform = try TestDevices.openCL().info.platform
        let chosen = try OpenCLDiscovery.devices(environment: [OpenCLDiscovery.platformVariable:
                                                                String(platform.uppercased().dropFirst())])
        XCTAssertFalse(chosen.isEmpty)
        XCTAssertEqual(Set(chosen.map(\.info.platform)), [platform])
    }

    func testAnUnknownPlatformIsAnErrorNamingTheVariableAndTheInstalledOnes() throws {
        let platform = try TestDevices.openCL().info.platform
        XCTAssertThrowsError(try OpenCLDiscovery.devices(environment: [OpenCLDiscovery.platformVariable: "cuda"])) {
            let text = "\($0)"
            XCTAssertTrue(text.contains("CONDENSE_OPENCL_PLATFORM is 'cuda'"), text)
            XCTAssertTrue(text.contains("'\(platform)'"), text)
        }
    }

    func testAnEmptyValueListsEveryPlatform() throws {
        let all = try OpenCLDiscovery.devices(environment: [:])
        XCTAssertEqual(try OpenCLDiscovery.devices(environment: [OpenCLDiscovery.platformVariable: ""]).count, all.count)
    }
}
