import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// `Module.backend`: the backend of a tree's tensors, found through its first parameter wherever that sits, and a
/// clear error, not a trap, for a tree that holds none.
final class ModuleBackendTests: XCTestCase {
    func testATreeLivesOnTheBackendOfItsParameters() throws {
        var initializer = Initializer(seed: 1)
        let model = Sequential([ActivationLayer(.relu), try Linear(3, 2, on: TestDevices.cpu, initializer: &initializer)])
        XCTAssertTrue(try model.backend === TestDevices.cpu)
    }

    func testATreeWithoutTensorsIsRefused() {
        XCTAssertThrowsError(try Sequential([ActivationLayer(.relu), GlobalAveragePool()]).backend) {
            XCTAssertTrue("\($0)".contains("Sequential has no parameters or buffers"), "\($0)")
        }
    }
}
