import CondenseCore
import CondenseData
import CondenseTestSupport
import Foundation
import XCTest

/// The MedMNIST reader on the embedded BloodMNIST file, on small stored and deflated files, and on corrupt input.
final class MedMNISTTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private let bloodMNIST = repository.appendingPathComponent("Data/bloodmnist.npz").path
    private let fixtures = Fixtures.folder.appendingPathComponent("data")

    func testTheEmbeddedBloodMNISTFileLoadsWithItsPublishedSplits() throws {
        let dataset = try MedMNISTLoader.load(bloodMNIST)
        XCTAssertEqual(dataset.name, "bloodmnist")
        XCTAssertEqual([dataset.train.count, dataset.validation.count, dataset.test.count], [11_959, 1_712, 3_421])
        XCTAssertEqual([dataset.channels, dataset.height, dataset.width], [3, 28, 28])
        XCTAssertEqual(dataset.classNames.first, "basophil")
        XCTAssertEqual(dataset.classes, 8)
        // Computed with numpy: d["train_labels"].sum() == 44271; d["train_images"][0, 0, :2] == [[250, 223, 206],
        // [255, 229, 212]] (NHWC), so NCHW puts 250, 255 first in the red plane and 223, 229 in the green one;
        // np.bincount(d["test_labels"].ravel()) == [244, 624, 311, 579, 243, 284, 666, 470].
        XCTAssertEqual(dataset.train.labels.reduce(0) { $0 + Int($1) }, 44_271)
        XCTAssertEqual(Array(dataset.train.pixels[0..<2]), [250, 255])
        XCTAssertEqual(Array(dataset.train.pixels[784..<786]), [223, 229])
        XCTAssertEqual(Array(dataset.train.pixels[1568..<1570]), [206, 212])
        let counts = (0..<8).map { c in dataset.test.labels.filter { $0 == c }.count }
        XCTAssertEqual(counts, [244, 624, 311, 579, 243, 284, 666, 470])
        // Per-channel statistics of the training split, from numpy: mean [0.79435, 0.65966, 0.69619],
        // std [0.21563, 0.24160, 0.11789].
        let normalization = Normalization(of: dataset.train, channels: 3)
        for (actual, expected) in zip(normalization.mean + normalization.std,
                                      [0.7943478, 0.6596590, 0.6961925, 0.2156303, 0.2416034, 0.1178890] as [Float]) {
            XCTAssertEqual(actual, expected, accuracy: 1e-5)
        }
    }

    func testStoredGreyAndDeflatedColourFilesLoad() throws {
        let grey = try MedMNISTLoader.load(fixtures.appendingPathComponent("grey_stored.npz").path)
        XCTAssertEqual([grey.channels, grey.height, grey.width, grey.train.count, grey.test.count], [1, 5, 5, 5, 3])
        // numpy: test_images[2].ravel()[:4] == [42, 68, 243, 24]; test_labels == [0, 0, 0].
        XCTAssertEqual(Array(grey.test.pixels[50..<54]), [42, 68, 243, 24])
        XCTAssertEqual(grey.test.labels, [0, 0, 0])
        let rgb = try MedMNISTLoader.load(fixtures.appendingPathComponent("rgb_deflated.npz").path)
        XCTAssertEqual([rgb.channels, rgb.height, rgb.width], [3, 4, 6])
        // numpy: train_images[0, 0, 0] == [124, 147, 17], train_images[0, 0, 1] == [248, 94, 4];
        // train_labels == [1, 0, 2, 0, 0].
        XCTAssertEqual([rgb.train.pixels[0], rgb.train.pixels[1], rgb.train.pixels[24], rgb.train.pixels[48]],
                       [124, 248, 147, 17])
        XCTAssertEqual(rgb.train.labels, [1, 0, 2, 0, 0])
    }

    func testCorruptFilesGiveErrorsNamingTheFileAndTheProblem() throws {
        let good = try Data(contentsOf: fixtures.appendingPathComponent("rgb_deflated.npz"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-data-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func reason(_ bytes: Data) -> String {
            let path = folder.appendingPathComponent("case.npz").path
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: bytes))
            do { _ = try MedMNISTLoader.load(path); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(reason(good.prefix(good.count / 2)).contains("truncated") ||
                      reason(good.prefix(good.count / 2)).contains("no end-of-central-directory"))
        XCTAssertTrue(reason(Data("PK not really a zip file at all, just text".utf8)).contains("not a ZIP/.npz"))
        var flipped = good
        flipped[200] ^= 0xFF  // inside the first member's deflated data
        let corrupted = reason(flipped)
        XCTAssertTrue(corrupted.contains("corrupt") || corrupted.contains("CRC"), corrupted)
        XCTAssertTrue(reason(good).contains("no error"))
        XCTAssertTrue(reason(Data()).contains("case.npz"))
    }

    func testMissingKeysAndInconsistentCountsAreNamed() throws {
        let script = """
        import numpy as np, sys
        out = sys.argv[1]
        i = np.zeros((2, 3, 3), np.uint8); l = np.zeros((2, 1), np.uint8)
        np.savez(out + "/missing.npz", train_images=i, train_labels=l, val_images=i, val_labels=l, test_images=i)
        np.savez(out + "/counts.npz", train_images=i, train_labels=np.zeros((3, 1), np.uint8), val_images=i,
                 val_labels=l, test_images=i, test_labels=l)
        np.savez(out + "/multilabel.npz", train_images=i, train_labels=np.zeros((2, 4), np.uint8), val_images=i,
                 val_labels=l, test_images=i, test_labels=l)
        np.savez(out + "/float.npz", train_images=i.astype(np.float32), train_labels=l, val_images=i, val_labels=l,
                 test_images=i, test_labels=l)
        """
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-keys-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script, folder.path]
        do { try python.run() } catch { throw XCTSkip("python3 is not available to write the malformed files") }
        python.waitUntilExit()
        guard python.terminationStatus == 0 else { throw XCTSkip("python3 with numpy is not available") }
        func reason(_ name: String) -> String {
            do { _ = try MedMNISTLoader.load(folder.appendingPathComponent(name).path); return "no error" }
            catch { return "\(error)" }
        }
        XCTAssertTrue(reason("missing.npz").contains("missing key(s) test_labels"), reason("missing.npz"))
        XCTAssertTrue(reason("counts.npz").contains("3 labels for 2 images"), reason("counts.npz"))
        XCTAssertTrue(reason("multilabel.npz").contains("multi-label"), reason("multilabel.npz"))
        XCTAssertTrue(reason("float.npz").contains("expected uint8 pixels"), reason("float.npz"))
    }
}

/// Labels beyond a known subset's classes are an error naming the key.
final class MedMNISTLabelRangeTests: XCTestCase {
    func testALabelBeyondBloodMNISTsEightClassesIsRejected() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-range-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", """
            import numpy as np, sys
            i = np.zeros((2, 3, 3, 3), np.uint8); l = np.zeros((2, 1), np.uint8)
            np.savez(sys.argv[1] + "/bloodmnist.npz", train_images=i, train_labels=l, val_images=i,
                     val_labels=np.array([[0], [9]], np.uint8), test_images=i, test_labels=l)
            """, folder.path]
        do { try python.run() } catch { throw XCTSkip("python3 is not available to write the file") }
        python.waitUntilExit()
        guard python.terminationStatus == 0 else { throw XCTSkip("python3 with numpy is not available") }
        XCTAssertThrowsError(try MedMNISTLoader.load(folder.appendingPathComponent("bloodmnist.npz").path)) {
            XCTAssertTrue("\($0)".contains("val_labels: label 9 is out of range for bloodmnist"), "\($0)")
        }
    }
}
