import Condense
import CondenseCore
import CondenseData
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// `condense run`'s pipeline on a tiny file: every stage leaves its model and record, a rerun resumes instead of
/// retraining, other settings or other data in the same folder are refused, a second run into a busy folder fails
/// at once, and a failing stage is named.
final class PipelineTests: XCTestCase {
    private let dataset = try! MedMNISTLoader.load(Fixtures.folder.appendingPathComponent("data/grey_stored.npz").path)
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-pipeline-\(getpid())")

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private var tinySettings: PipelineSettings {
        var settings = PipelineSettings.quick
        settings.teacherWidth = 0.5
        settings.studentWidth = 0.25
        settings.batchSize = 4
        settings.learningRate = 0.01
        settings.sensitivityImages = 8
        settings.teacherEpochs = 1
        settings.studentEpochs = 1
        return settings
    }

    private func run(_ settings: PipelineSettings) throws -> (PipelineSummary, [PipelineEvent]) {
        var events: [PipelineEvent] = []
        let pipeline = try Pipeline(settings: settings, dataset: dataset, backend: TestDevices.cpu, folder: folder.path) {
            events.append($0)
        }
        return (try pipeline.run(), events)
    }

    func testEveryStageLeavesItsModelAndARerunResumes() throws {
        let (first, events) = try run(tinySettings)
        XCTAssertEqual(first.records.map(\.stage), Pipeline.stageNames)
        for record in first.records {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(record.file).path), record.file)
            XCTAssertTrue((0...1).contains(record.accuracy), "\(record.stage) accuracy \(record.accuracy)")
            XCTAssertGreaterThan(record.sizeBytes, 0)
        }
        let started = events.compactMap { if case let .started(stage, _) = $0 { stage } else { nil } }
        XCTAssertEqual(started, ["teacher", "student", "sensitivity", "pruned", "int8", "final"])
        let report = try String(contentsOfFile: first.reportPath, encoding: .utf8)
        for stage in Pipeline.stageNames { XCTAssertTrue(report.contains("| \(stage) |"), report) }
        XCTAssertTrue(report.contains("## Training warnings"), report)
        for record in first.records {
            XCTAssertEqual(record.warnings != nil, ["teacher", "student", "pruned", "int8"].contains(record.stage),
                           "\(record.stage): stages that train keep their warnings")
        }
        let student = try Checkpoint(contentsOf: folder.appendingPathComponent("student.safetensors").path)
        XCTAssertEqual(student.metadata[Checkpoint.Key.distillation],
                       #"{"alpha":0.9,"attention":0.0,"hint":0.0,"loss":"kd","temperature":4.0}"#)
        for file in ["model-fp32.onnx", "model-int8.onnx", "model-fp16.safetensors", "sensitivity.json",
                     "size-accuracy.svg", "sensitivity.svg", "training-curves.svg", "model-fp32.tflite",
                     "model-int8.tflite"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), file)
        }
        for file in ["model-fp32.onnx", "model-int8.onnx", "model-fp32.tflite", "model-int8.tflite"] {
            let bytes = try XCTUnwrap(FileManager.default.attributesOfItem(
                atPath: folder.appendingPathComponent(file).path)[.size] as? Int)
            // Measured in its runtime (where the checks' .venv is in the current directory) or said not to be.
            let row = try XCTUnwrap(report.split(separator: "\n").first { $0.hasPrefix("| `\(file)` | \(bytes) |") },
                                    "report.md lists \(file) with its \(bytes) bytes")
            XCTAssertTrue(row.contains("not measured") || row.contains("| 0.") || row.contains("| 1.0000 |"), String(row))
        }

        let (second, resumed) = try run(tinySettings)
        XCTAssertEqual(second.records, first.records, "a rerun reports the recorded figures")
        XCTAssertFalse(resumed.contains { if case .started = $0 { true } else { false } }, "a rerun trains nothing")
    }

    func testABudgetSearchesTheStudentsChannelsUntilItsINT8FileFits() throws {
        var settings = tinySettings
        let student = try ModelFactory.model(.mobilenetv2, width: settings.studentWidth, for: dataset, seed: 0,
                                             on: TestDevices.cpu)
        let unpruned = try CandidateCost(of: student, calibratingOn: dataset, calibrationImages: 5, latency: false)
        let budget = unpruned.int8Bytes * 8 / 10
        settings.budgetBytes = budget
        let (summary, events) = try run(settings)
        let deployed = try XCTUnwrap(summary.records.last)
        XCTAssertEqual(deployed.file, "model-int8.onnx")
        XCTAssertLessThanOrEqual(deployed.sizeBytes, budget)
        let pruned = try TrainedModel.load(folder.appendingPathComponent("pruned.safetensors").path, on: TestDevices.cpu)
        XCTAssertNotNil(pruned.configuration.blockChannels)
        XCTAssertLessThan(pruned.module.parameterCount, student.module.parameterCount)
        XCTAssertTrue(events.contains { if case let .note(text) = $0 { text.contains("(round 1)") } else { false } })
    }

    func testAFolderOfAnotherRunIsRefused() throws {
        _ = try run(tinySettings)
        var other = tinySettings
        other.teacherEpochs = 2
        XCTAssertThrowsError(try run(other)) { error in
            XCTAssertTrue("\(error)".contains("other settings"), "\(error)")
        }
    }

    /// A pipeline on `folder` that has done nothing yet (its folder prepared and locked).
    private func open(_ settings: PipelineSettings, _ data: ImageDataset? = nil, path: String? = nil,
                      in folder: String? = nil) throws -> Pipeline {
        try Pipeline(settings: settings, dataset: data ?? dataset, datasetPath: path, backend: TestDevices.cpu,
                     folder: folder ?? self.folder.path) { _ in }
    }

    private func message(_ body: () throws -> Any) -> String {
        do {
            _ = try body()
            XCTFail("expected an error")
        } catch {
            return "\(error)"
        }
        return ""
    }

    private func assertMentions(_ text: String, _ parts: String..., line: UInt = #line) {
        for part in parts { XCTAssertTrue(text.contains(part), "'\(text)' does not mention '\(part)'", line: line) }
    }

    func testSettingsRecordTheDatasetAndAChangedRecipeSaysWhatDiffers() throws {
        _ = try open(tinySettings, path: "Data/grey.npz")
        let recorded = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("settings.json"))) as? [String: Any])
        XCTAssertEqual(recorded["teacherEpochs"] as? Int, 1, "the recipe stays at the top level")
        let fingerprint = try XCTUnwrap(recorded["dataset"] as? [String: Any])
        XCTAssertEqual(fingerprint["path"] as? String, "Data/grey.npz")
        XCTAssertEqual(fingerprint["name"] as? String, dataset.name)
        let splits = [dataset.train, dataset.validation, dataset.test]
        XCTAssertEqual(fingerprint["bytes"] as? Int, splits.reduce(0) { $0 + $1.pixels.count + 4 * $1.count })
        XCTAssertEqual((fingerprint["hash"] as? String)?.count, 16)

        _ = try open(tinySettings, path: "elsewhere/grey.npz")  // the same data at another path resumes
        var other = tinySettings
        other.teacherEpochs = 3
        other.studentWidth = 0.5
        assertMentions(message { try self.open(other) }, "settings.json", "used other settings",
                       "studentWidth was 0.25, now 0.5", "teacherEpochs was 1, now 3")
    }

    func testAFolderOfOtherDataIsRefused() throws {
        let first = DatasetFingerprint(dataset, path: nil)
        _ = try open(tinySettings, path: "a.npz")
        let rgb = try MedMNISTLoader.load(Fixtures.folder.appendingPathComponent("data/rgb_deflated.npz").path)
        assertMentions(message { try self.open(self.tinySettings, rgb, path: "b.npz") }, "other settings or data",
                       "the dataset was \(self.dataset.name) (a.npz", "hash \(first.hash)", "now \(rgb.name) (b.npz")
        // One changed pixel is other data too.
        let changed = ImageDataset(name: dataset.name, channels: dataset.channels, height: dataset.height,
                                   width: dataset.width, classNames: dataset.classNames,
                                   train: ImageSplit(pixels: [dataset.train.pixels[0] ^ 1] + dataset.train.pixels.dropFirst(),
                                                     labels: dataset.train.labels),
                                   validation: dataset.validation, test: dataset.test)
        XCTAssertNotEqual(DatasetFingerprint(changed, path: nil).hash, first.hash)
        assertMentions(message { try self.open(self.tinySettings, changed) }, "the dataset was")
    }

    func testASecondRunIntoABusyFolderFailsAtOnceNamingTheHolder() throws {
        do {
            let holder = try open(tinySettings)
            assertMentions(message { try self.open(self.tinySettings) }, folder.path, "another condense run is using",
                           "PID \(getpid()) on host \(ProcessInfo.processInfo.hostName) since 20")
            withExtendedLifetime(holder) {}
        }
        _ = try open(tinySettings)  // released with the first pipeline
    }

    func testACorruptSettingsFileSaysSo() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("{\"teacherEpochs\": 1,".utf8).write(to: folder.appendingPathComponent("settings.json"))
        assertMentions(message { try self.open(self.tinySettings) },
                       "settings.json in \(folder.path) is not valid JSON: ")
        try Data("{\"teacherEpochs\": \"four\"}".utf8).write(to: folder.appendingPathComponent("settings.json"))
        assertMentions(message { try self.open(self.tinySettings) }, "does not hold condense run settings",
                       "missing 'teacherArchitecture'")
    }

    func testAFolderThatCannotBeCreatedOrIsAFileSaysSo() throws {
        let unwritable = "/proc/condense-pipeline-test/out"
        let text = message { try self.open(self.tinySettings, in: unwritable) }
        assertMentions(text, unwritable, "cannot create the output folder: No such file or directory",
                       "choose an --out folder")
        let file = folder.path + "-file"
        try Data().write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        assertMentions(message { try self.open(self.tinySettings, in: file) }, file, "exists and is not a folder")
    }

    func testAFailingStageIsNamedAndEarlierStagesAreKept() throws {
        var settings = tinySettings
        settings.studentWidth = 100  // outside ModelLimits.width: building the student throws
        XCTAssertThrowsError(try run(settings)) { error in
            XCTAssertTrue("\(error)".contains("stage 'student' failed"), "\(error)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("teacher.safetensors").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("teacher.json").path))
    }
}
