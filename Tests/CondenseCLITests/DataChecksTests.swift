import CondenseTestSupport
import Foundation
import XCTest

/// Whole commands on the tiny 5×5 grey fixture (5 training images) on the CPU: a valid command line succeeds with its
/// JSON line; values that only the data shows wrong are refused after loading it, before any work, naming the flag.
final class DataChecksTests: XCTestCase {
    private let data = Fixtures.folder.appendingPathComponent("data/grey_stored.npz").path
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-cli-data-\(getpid())")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Trains a width-0.25 ResNet-20 for one epoch through the command line and returns its `--json` object.
    private func train(_ out: String, _ extra: [String] = []) throws -> [String: Any] {
        let run = CommandLineRun(["train", "--data", data, "--model", "resnet20", "--width", "0.25", "--epochs", "1",
                                  "--batch", "2", "--device", "cpu", "--json", "--out", out] + extra)
        XCTAssertEqual(run.status, 0, run.error)
        let line = try XCTUnwrap(run.output.split(separator: "\n").last)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    func testAValidTrainCommandLineSucceedsWithItsJSONLine() throws {
        let object = try train(path("model.safetensors"))
        XCTAssertEqual(object["checkpoint"] as? String, path("model.safetensors"))
        for key in ["accuracy", "auc", "best_val_accuracy", "images_per_s", "wall_s", "parameters"] {
            XCTAssertNotNil(object[key], "JSON lacks \(key)")
        }
        // The fixture's two validation images: validation accuracy 0.0 after an epoch at 0.4 is a gap to report.
        let warnings = try XCTUnwrap(object["warnings"] as? [String], "JSON lists the training warnings")
        XCTAssertTrue(warnings.allSatisfy { $0.hasPrefix("epoch 1: validation accuracy ") }, "\(warnings)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("model.safetensors")))
    }

    func testCropPaddingNotBelowTheImageSideIsRefusedAfterLoadingTheData() {
        let run = CommandLineRun(["train", "--data", data, "--crop-padding", "5", "--device", "cpu",
                                  "--out", path("padded.safetensors")])
        run.assertRunFailure("--crop-padding", "5 is not below the image side", "0…4")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("padded.safetensors")))
        XCTAssertFalse(run.error.contains("training "), "refused before training started")
    }

    func testCalibrationBatchesBeyondTheSplitAreRefusedAndAnINT8CheckpointIsNotExportedAsFP16() throws {
        let float = path("float.safetensors"), int8 = path("int8.safetensors")
        _ = try train(float)
        CommandLineRun(["quantize", "--model", float, "--data", data, "--calibrate", "4", "--batch", "2",
                        "--device", "cpu", "--out", int8])
            .assertRunFailure("--calibrate", "4 batches of 2", "at most 3 batches")
        XCTAssertFalse(FileManager.default.fileExists(atPath: int8))
        let quantize = CommandLineRun(["quantize", "--model", float, "--data", data, "--calibrate", "3", "--batch", "2",
                                       "--device", "cpu", "--out", int8])
        XCTAssertEqual(quantize.status, 0, quantize.error)

        let fp16 = path("int8-fp16.safetensors")
        CommandLineRun(["export", "--model", int8, "--format", "fp16", "--device", "cpu", "--out", fp16])
            .assertRunFailure(int8, "is quantized (INT8)", "--format onnx-int8")
        XCTAssertFalse(FileManager.default.fileExists(atPath: fp16))
        let floatExport = CommandLineRun(["export", "--model", float, "--format", "fp16", "--device", "cpu",
                                          "--out", fp16])
        XCTAssertEqual(floatExport.status, 0, floatExport.error)
    }

    func testBenchInferTimesACheckpointsIntegerInferenceAndNeedsOne() throws {
        let float = path("float.safetensors"), int8 = path("int8.safetensors")
        _ = try train(float)
        let quantize = CommandLineRun(["quantize", "--model", float, "--data", data, "--calibrate", "2", "--batch", "2",
                                       "--device", "cpu", "--out", int8])
        XCTAssertEqual(quantize.status, 0, quantize.error)
        let run = CommandLineRun(["bench", "infer", "--model", int8, "--batch", "4", "--device", "cpu", "--json"])
        XCTAssertEqual(run.status, 0, run.error)
        let line = try XCTUnwrap(run.output.split(separator: "\n").last)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(object["integer"] as? Bool, true)
        XCTAssertEqual(object["batch"] as? Int, 4)
        XCTAssertEqual(object["runs"] as? Int, 200)
        let median = try XCTUnwrap(object["latency_ms_median"] as? Double)
        let p95 = try XCTUnwrap(object["latency_ms_p95"] as? Double)
        XCTAssertGreaterThan(median, 0)
        XCTAssertGreaterThanOrEqual(p95, median)
        XCTAssertGreaterThan(try XCTUnwrap(object["images_per_s"] as? Double), 0)

        CommandLineRun(["bench", "infer", "--device", "cpu"]).assertUsageError("--model", "needs a checkpoint")
        CommandLineRun(["bench", "train", "--model", "vgg16"]).assertUsageError("--model", "resnet20", "'vgg16'")
    }
}
