import CondenseCore
import CondenseData
import CondenseTestSupport
import Foundation
import XCTest

/// The MedMNIST reader's checks at the file boundary, on `.npz` files built here: every number from the file is
/// checked before it sizes memory or a loop, and each bad file gets an error naming the file and the field.
final class MedMNISTValidationTests: XCTestCase {
    private let arrays = DataFiles.medMNISTArrays()
    private let limits = DataLimits(maximumDatasetBytes: 1 << 30)

    /// What loading `bytes` as `case.npz` says: "loaded" or the error's text.
    private func outcome(_ bytes: [UInt8], limits: DataLimits? = nil) -> String {
        do {
            _ = try MedMNISTLoader.load(ZipArchive(bytes: Data(bytes), path: "case.npz", limits: limits ?? self.limits),
                                        limits: limits ?? self.limits)
            return "loaded"
        } catch { return "\(error)" }
    }

    private func withLabels(_ split: String, descr: String, _ payload: [UInt8], count: Int) -> [UInt8] {
        DataFiles.npz(DataFiles.replacing("\(split)_labels", with: NPYArray.file(descr: descr, shape: [count, 1],
                                                                                 payload: payload), in: arrays))
    }

    func testStoredDeflatedAndZIP64FilesLoadTheSameDataset() throws {
        let stored = try MedMNISTLoader.load(ZipArchive(bytes: Data(DataFiles.npz(arrays)), path: "a.npz", limits: limits))
        for (deflated, zip64) in [(true, false), (false, true), (true, true)] {
            let bytes = DataFiles.npz(arrays, deflated: deflated, zip64: zip64)
            let other = try MedMNISTLoader.load(ZipArchive(bytes: Data(bytes), path: "a.npz", limits: limits))
            XCTAssertEqual(other.train.pixels, stored.train.pixels)
            XCTAssertEqual(other.test.labels, stored.test.labels)
        }
        XCTAssertEqual(stored.classNames, ["class 0", "class 1", "class 2"])
        XCTAssertEqual([stored.train.count, stored.validation.count, stored.test.count], [5, 2, 3])
        XCTAssertEqual(Array(stored.validation.pixels.prefix(3)), [0, 7, 14])
        XCTAssertEqual(stored.train.labels, [0, 1, 2, 1, 0])
    }

    func testFloatLabelsAreRefusedWhateverTheirValues() {
        for value in [Double.nan, .infinity, -.infinity, 1e300, 1.5, 1.0] {
            let bytes = withLabels("train", descr: "<f8", (0..<5).flatMap { _ in DataFiles.le(value.bitPattern) }, count: 5)
            let text = outcome(bytes)
            XCTAssertTrue(text.contains("case.npz") && text.contains("train_labels: expected integer class labels, " +
                                                                      "got floating-point dtype <f8"), "\(value): \(text)")
        }
    }

    func testLabelsBeyondTheClassLimitAreRefusedBeforeSizingAnything() {
        for label: Int64 in [2_000_000_000, .max, 100_000, 1_000] {
            let text = outcome(withLabels("val", descr: "<i8", DataFiles.le(Int64(0)) + DataFiles.le(label), count: 2))
            XCTAssertTrue(text.contains("val_labels: label \(label) exceeds the limit of 1000 classes"), text)
        }
        let negative = outcome(withLabels("test", descr: "<i4", [0, 0, 0, 0] + DataFiles.le(Int32(-3)) + [0, 0, 0, 0],
                                          count: 3))
        XCTAssertTrue(negative.contains("test_labels: label -3 is out of range"), negative)
        var tight = limits
        tight.maximumClasses = 2
        XCTAssertTrue(outcome(DataFiles.npz(arrays), limits: tight).contains("label 2 exceeds the limit of 2 classes"))
    }

    func testAStrayLabelThatSkipsClassesIsRefused() {
        let text = outcome(withLabels("train", descr: "|u1", [0, 1, 2, 1, 50], count: 5))
        XCTAssertTrue(text.contains("train_labels: label 50 implies 51 classes, but 47 of them (first: 3) label no " +
                                    "image in any split"), text)
    }

    func testEmptySplitsAreRefusedByName() {
        for split in ["train", "val", "test"] {
            let empty = DataFiles.replacing("\(split)_images", with: NPYArray.file(descr: "|u1", shape: [0, 4, 4], payload: []),
                                            in: DataFiles.replacing("\(split)_labels", with: NPYArray.file(
                                                descr: "|u1", shape: [0, 1], payload: []), in: arrays))
            let text = outcome(DataFiles.npz(empty))
            XCTAssertTrue(text.contains("case.npz: the \(split) split is empty (0 images in \(split)_images)"), text)
        }
    }

    func testShapesWhoseByteCountOverflowsAreRefused() {
        let huge = NPYArray.file(descr: "|u1", shape: [1 << 32, 1 << 32, 1 << 32], payload: [1, 2, 3])
        let text = outcome(DataFiles.npz(DataFiles.replacing("train_images", with: huge, in: arrays)))
        XCTAssertTrue(text.contains("case.npz [train_images]: shape [4294967296, 4294967296, 4294967296] of |u1 " +
                                    "overflows"), text)
        let tooBig = NPYArray.file(descr: "|u1", shape: [5, 1 << 20, 1 << 20], payload: [1, 2, 3])
        let claim = outcome(DataFiles.npz(DataFiles.replacing("train_images", with: tooBig, in: arrays)))
        XCTAssertTrue(claim.contains("[train_images]: shape [5, 1048576, 1048576] of |u1 needs 5497558138880 bytes, " +
                                     "the member holds 3"), claim)
    }

    func testImageSidesAreBounded() {
        var tight = limits
        tight.maximumImageSide = 3
        XCTAssertTrue(outcome(DataFiles.npz(arrays), limits: tight)
            .contains("train_images: images of 4×4 pixels; each side must be 1…3"))
        let flat = NPYArray.file(descr: "|u1", shape: [5, 0, 4], payload: [])
        XCTAssertTrue(outcome(DataFiles.npz(DataFiles.replacing("train_images", with: flat, in: arrays)))
            .contains("images of 0×4 pixels"))
    }

    func testTheMemoryTheWholeLoadNeedsIsCheckedFromTheHeaders() {
        var tight = limits
        tight.maximumDatasetBytes = 600  // the six members (938 bytes), the pixels again (160), the labels (40)
        let text = outcome(DataFiles.npz(arrays), limits: tight)
        XCTAssertTrue(text.contains("case.npz: loading this dataset needs 1138 bytes of memory, more than the 600 " +
                                    "bytes available for data"), text)
    }

    func testIntsThrowsWhereAFloatHoldsNoInteger() throws {
        let array = try NPYArray(parsing: Data(NPYArray.file(descr: "<f8", shape: [2],
                                                             payload: DataFiles.le((2.9).bitPattern) + DataFiles.le(Double.nan.bitPattern))),
                                 path: "x.npy")
        XCTAssertThrowsError(try array.ints()) { XCTAssertTrue("\($0)".contains("element nan is not an integer"), "\($0)") }
        let fine = try NPYArray(parsing: Data(NPYArray.file(descr: "<i8", shape: [2],
                                                            payload: DataFiles.le(Int64.max) + DataFiles.le(Int64(-7)))),
                                path: "x.npy")
        XCTAssertEqual(try fine.ints(), [Int.max, -7])
    }
}
