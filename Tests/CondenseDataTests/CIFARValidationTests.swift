import CondenseData
import Foundation
import XCTest

/// The CIFAR reader's checks beyond whole records and fine labels: coarse labels, an empty validation split, the
/// memory budget, and paths that are not files.
final class CIFARValidationTests: XCTestCase {
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-cifar-limits-\(getpid())")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// A CIFAR-100 file of one record per (coarse, fine) label pair.
    private func write(_ name: String, _ labels: [(coarse: UInt8, fine: UInt8)]) {
        let bytes = labels.flatMap { [$0.coarse, $0.fine] + [UInt8](repeating: 5, count: 3072) }
        XCTAssertTrue(FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data(bytes)))
    }

    private func outcome(_ limits: DataLimits = .standard) -> String {
        do { return "loaded \(try CIFARLoader.load(folder.path, limits: limits).train.count)" } catch { return "\(error)" }
    }

    func testCoarseLabelsAreChecked() {
        write("train.bin", [(1, 2), (3, 4), (25, 6), (7, 8), (9, 10)])
        write("test.bin", [(0, 0)])
        XCTAssertTrue(outcome().contains("train.bin: record 2: coarse label 25 out of range 0..<20"), outcome())
    }

    func testFewerThanFiveTrainingImagesLeaveNoValidationSplitAndAreRefused() {
        write("train.bin", [(1, 2), (3, 4), (5, 6), (7, 8)])
        write("test.bin", [(0, 0)])
        XCTAssertTrue(outcome().contains("train.bin: the validation split would be empty"), outcome())
        write("train.bin", [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10)])
        XCTAssertEqual(outcome(), "loaded 4")
    }

    func testTheFolderMustFitTheMemoryBudget() {
        write("train.bin", [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10)])
        write("test.bin", [(0, 0)])
        let text = outcome(DataLimits(maximumDatasetBytes: 10_000))
        XCTAssertTrue(text.contains("this CIFAR folder needs 18456 bytes of memory, more than the 10000"), text)
    }

    func testAFolderInPlaceOfAFileIsNamed() throws {
        write("train.bin", [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10)])
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("test.bin"), withIntermediateDirectories: true)
        XCTAssertTrue(outcome().contains("test.bin: not a regular file"), outcome())
    }
}
