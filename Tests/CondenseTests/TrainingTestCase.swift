import CondenseData
import CondenseTestSupport
import Foundation
import XCTest

/// A test case that trains on the tiny MedMNIST-shaped fixture (5 train, 2 validation and 3 test grey 5×5 images;
/// the test split holds a single class) and writes its checkpoints to a scratch folder made for each test.
class TrainingTestCase: XCTestCase {
    let dataset = try! MedMNISTLoader.load(Fixtures.folder.appendingPathComponent("data/grey_stored.npz").path)
    private(set) lazy var folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("condense-\(type(of: self))-\(getpid())")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }
}
