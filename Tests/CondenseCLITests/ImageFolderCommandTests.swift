import CImageWriters
import CondenseData
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// Commands on image folders end to end, on the CPU: train and evaluate on class folders of PNGs of mixed sizes,
/// the whole `run --quick` on class folders of 12-bit CT DICOM files, and `data import|info`.
final class ImageFolderCommandTests: XCTestCase {
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-cli-images-\(getpid())")
    private var cache: String { folder.appendingPathComponent("cache").path }

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        setenv("CONDENSE_CACHE_DIR", cache, 1)
    }

    override func tearDownWithError() throws {
        unsetenv("CONDENSE_CACHE_DIR")
        try? FileManager.default.removeItem(at: folder)
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// `benign` (dark) and `malignant` (bright) grey PNGs, 12 each, of sides 8 (most), 6 and 12.
    private func pngFolder() throws -> String {
        for (name, level) in [("benign", 40), ("malignant", 210)] {
            let classFolder = folder.appendingPathComponent("scans/\(name)")
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
            for k in 0..<12 {
                let side = [8, 8, 6, 12][k % 4]
                let samples = (0..<(side * side)).map { UInt8(level + ($0 * 7 + k) % 30) }
                XCTAssertEqual(fixture_write_png(classFolder.appendingPathComponent("\(k).png").path, Int32(side),
                                                 Int32(side), 0, 8, samples, nil, 0), 0)
            }
        }
        return path("scans")
    }

    private func json(_ run: CommandLineRun) throws -> [String: Any] {
        XCTAssertEqual(run.status, 0, run.error)
        let line = try XCTUnwrap(run.output.split(separator: "\n").last)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    func testTrainAndEvaluateOnPNGClassFoldersKeepTheFolderNamesSizeAndSplit() throws {
        let data = try pngFolder(), checkpoint = path("model.safetensors")
        let trained = try json(CommandLineRun(["train", "--data", data, "--model", "resnet20", "--width", "0.25",
                                               "--epochs", "3", "--batch", "4", "--device", "cpu", "--json",
                                               "--out", checkpoint]))
        let metadata = try Checkpoint(contentsOf: checkpoint).metadata
        XCTAssertEqual(metadata[Checkpoint.Key.classNames], #"["benign","malignant"]"#)
        XCTAssertEqual(metadata[Checkpoint.Key.inputShape], "[1,8,8]", "the most common size")
        XCTAssertEqual(metadata[Checkpoint.Key.dataSplit], "0.8,0.1,0.1 seed 0")

        let evaluated = CommandLineRun(["evaluate", "--model", checkpoint, "--data", data, "--device", "cpu", "--json"])
        XCTAssertEqual(try json(evaluated)["accuracy"] as? Double, trained["accuracy"] as? Double, "the same test images")
        XCTAssertTrue(evaluated.error.contains("read the decoded images from the cache"), evaluated.error)
        let reseeded = CommandLineRun(["evaluate", "--model", checkpoint, "--data", data, "--split-seed", "5",
                                       "--device", "cpu"])
        XCTAssertEqual(reseeded.status, 0, reseeded.error)
        XCTAssertTrue(reseeded.error.contains("note: the model was trained on the split 0.8,0.1,0.1 seed 0"), reseeded.error)
    }

    func testRunQuickOnTwelveBitCTDICOMFolders() throws {
        for (name, fixture) in [("ct", "ct12_rescale_window.dcm"), ("signed", "signed16_minmax.dcm")] {
            let classFolder = folder.appendingPathComponent("dicom/\(name)")
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
            for k in 0..<6 {
                try FileManager.default.copyItem(
                    atPath: Fixtures.folder.appendingPathComponent("DICOM/\(fixture)").path,
                    toPath: classFolder.appendingPathComponent("IM\(k)").path)
            }
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: path("dicom/DICOMDIR"), contents: Data("index".utf8)))
        let run = CommandLineRun(["run", "--quick", "--data", path("dicom"), "--device", "cpu", "--json",
                                  "--out", path("run")])
        let object = try json(run)
        XCTAssertNotNil(object["int8"], "every stage ran")
        for stage in ["teacher", "student", "pruned", "int8", "final"] {
            let record = try XCTUnwrap(object[stage] as? [String: Any], stage)
            XCTAssertNotNil(record["warnings"] as? [String], "\(stage) lists its training warnings in --json")
        }
        XCTAssertTrue(run.error.contains("2 classes, 8 train / 2 val / 2 test images of 1×4×4"), run.error)
        XCTAssertTrue(run.error.contains("1 ignored as not images"), run.error)
        let onnx = try XCTUnwrap(FileManager.default.contents(atPath: path("run/model-fp32.onnx")))
        XCTAssertNotNil(onnx.range(of: Data(#"["ct","signed"]"#.utf8)), "the export's metadata names the classes")
    }

    func testDataImportWritesOneMedMNISTFileAndInfoListsWhatWasSkipped() throws {
        let data = try pngFolder()
        XCTAssertTrue(FileManager.default.createFile(atPath: path("scans/benign/broken.png"), contents: Data("not a png".utf8)))
        CommandLineRun(["data", "import", "--data", data, "--out", path("scans.npz")])
            .assertRunFailure("broken.png", "not a PNG file", "--skip-bad")
        let imported = try json(CommandLineRun(["data", "import", "--data", data, "--skip-bad", "--image-size", "6",
                                                "--out", path("scans.npz"), "--json"]))
        XCTAssertEqual(imported["skipped"] as? Int, 1)
        let shipped = try MedMNISTLoader.load(path("scans.npz"))
        XCTAssertEqual(shipped.classNames, ["benign", "malignant"])
        XCTAssertEqual([shipped.channels, shipped.height, shipped.train.count + shipped.validation.count + shipped.test.count],
                       [1, 6, 24])
        let info = CommandLineRun(["data", "info", "--data", data, "--skip-bad"])
        XCTAssertEqual(info.status, 0, info.error)
        XCTAssertTrue(info.output.contains("  malignant  10      1       1"), info.output)
        XCTAssertTrue(info.output.contains("benign/broken.png: not a PNG file"), info.output)
        XCTAssertTrue(info.output.contains("sizes: 8×8 (12), 12×12 (6), 6×6 (6)"), info.output)
        CommandLineRun(["data", "info", "--data", data, "--out", path("x.npz")])
            .assertUsageError("--out goes with data import")
    }
}
