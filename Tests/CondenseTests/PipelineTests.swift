import Condense
import CondenseCore
import CondenseData
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// `condense run`'s pipeline on a tiny file: every stage leaves its model and record, a rerun resumes instead of
/// retraining, other settings in the same folder are refused, and a failing stage is named.
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
        for file in ["model-fp32.onnx", "model-int8.onnx", "model-fp16.safetensors", "sensitivity.json",
                     "size-accuracy.svg", "sensitivity.svg", "training-curves.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), file)
        }

        let (second, resumed) = try run(tinySettings)
        XCTAssertEqual(second.records, first.records, "a rerun reports the recorded figures")
        XCTAssertFalse(resumed.contains { if case .started = $0 { true } else { false } }, "a rerun trains nothing")
    }

    func testAFolderOfAnotherRunIsRefused() throws {
        _ = try run(tinySettings)
        var other = tinySettings
        other.teacherEpochs = 2
        XCTAssertThrowsError(try run(other)) { error in
            XCTAssertTrue("\(error)".contains("other settings"), "\(error)")
        }
    }

    func testAFailingStageIsNamedAndEarlierStagesAreKept() throws {
        var settings = tinySettings
        settings.studentArchitecture = "nonsense"
        XCTAssertThrowsError(try run(settings)) { error in
            XCTAssertTrue("\(error)".contains("stage 'student' failed"), "\(error)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("teacher.safetensors").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("teacher.json").path))
    }
}
