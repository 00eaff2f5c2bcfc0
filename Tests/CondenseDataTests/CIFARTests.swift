import CondenseData
import Foundation
import XCTest

/// The CIFAR binary reader on small folders written here, and its errors.
final class CIFARTests: XCTestCase {
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-cifar-\(getpid())")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// `labels.count` records whose pixel bytes are (record + index) mod 256, each after its label (and a coarse
    /// label byte first for CIFAR-100).
    private func write(_ name: String, labels: [UInt8], coarse: Bool = false) {
        var bytes: [UInt8] = []
        for (record, label) in labels.enumerated() {
            if coarse { bytes.append(9) }
            bytes.append(label)
            bytes += (0..<3072).map { UInt8((record + $0) % 256) }
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data(bytes)))
    }

    func testCIFAR10FoldersLoadWithTheLastTrainingImagesAsValidation() throws {
        for batch in 1...5 { write("data_batch_\(batch).bin", labels: [UInt8(batch), 0]) }
        write("test_batch.bin", labels: [7, 3, 9])
        let dataset = try loadImageDataset(folder.path)
        XCTAssertEqual(dataset.name, "cifar10")
        XCTAssertEqual([dataset.train.count, dataset.validation.count, dataset.test.count], [8, 2, 3])
        XCTAssertEqual(dataset.train.labels, [1, 0, 2, 0, 3, 0, 4, 0])
        XCTAssertEqual(dataset.test.labels, [7, 3, 9])
        XCTAssertEqual(Array(dataset.test.pixels[3072..<3075]), [1, 2, 3], "record 1 starts at byte 1")
        XCTAssertEqual(dataset.classNames[3], "cat")
    }

    func testCIFAR100UsesTheFineLabel() throws {
        write("train.bin", labels: [42, 99, 0, 5, 6], coarse: true)
        write("test.bin", labels: [17], coarse: true)
        let dataset = try loadImageDataset(folder.path)
        XCTAssertEqual(dataset.classes, 100)
        XCTAssertEqual(dataset.train.labels + dataset.validation.labels, [42, 99, 0, 5, 6])
        XCTAssertEqual(dataset.test.labels, [17])
    }

    func testTruncatedRecordsAndBadLabelsAreNamed() throws {
        write("train.bin", labels: [1, 2], coarse: true)
        let path = folder.appendingPathComponent("test.bin").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(repeating: 1, count: 3074 + 10)))
        XCTAssertThrowsError(try loadImageDataset(folder.path)) {
            XCTAssertTrue("\($0)".contains("test.bin") && "\($0)".contains("not a whole number"), "\($0)")
        }
        write("test.bin", labels: [120], coarse: true)
        XCTAssertThrowsError(try loadImageDataset(folder.path)) {
            XCTAssertTrue("\($0)".contains("label 120 out of range"), "\($0)")
        }
        XCTAssertThrowsError(try CIFARLoader.load(folder.appendingPathComponent("nothing").path)) {
            XCTAssertTrue("\($0)".contains("not a CIFAR binary folder"), "\($0)")
        }
    }
}
