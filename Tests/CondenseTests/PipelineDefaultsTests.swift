import Condense
import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// The shapes `condense run`'s default recipe promises on BloodMNIST-sized data (28 px RGB, 8 classes), whatever the
/// weights: its student pruned by `pruneRatio` and made INT8 exports a `.tflite` of at most 1/3.5 of its FP32 one
/// (#19) and an INT8 ONNX file of at most 1/8 of the teacher's FP32 checkpoint (#21). The accuracies are measured in
/// `Benchmarks/RESULTS.md`; these are the sizes they are measured at.
final class PipelineDefaultsTests: XCTestCase {
    private let dataset: ImageDataset = {
        var random = SeededGenerator(seed: 5)
        func split(_ count: Int) -> ImageSplit {
            ImageSplit(pixels: (0..<(count * 3 * 28 * 28)).map { _ in UInt8.random(in: 0...255, using: &random) },
                       labels: (0..<count).map { Int32($0 % 8) })
        }
        return ImageDataset(name: "bloodmnist-shaped", channels: 3, height: 28, width: 28,
                            classNames: (0..<8).map { "class \($0)" }, train: split(16), validation: split(4),
                            test: split(4))
    }()

    /// The default student with every channel group pruned by the default ratio (the run takes the per-group ratios
    /// from a sensitivity profile; uniform ratios are its stand-in), and that model calibrated to INT8.
    private func prunedDefaultStudent() throws -> (float: TrainedModel, int8: TrainedModel) {
        let settings = PipelineSettings()
        let student = try ModelFactory.student(settings.studentArchitecture, width: settings.studentWidth,
                                               of: try defaultTeacher(), seed: 1)
        let groups = try ChannelPruning.groups(of: student)
        let pruned = try ChannelPruning.prune(student, ratios: Array(repeating: settings.pruneRatio, count: groups.count))
        let int8 = try Quantization.calibrate(pruned, on: dataset, batches: 1, batchSize: 8).model
        return (pruned, int8)
    }

    /// The default teacher, untrained.
    private func defaultTeacher() throws -> TrainedModel {
        let settings = PipelineSettings()
        return try ModelFactory.model(settings.teacherArchitecture, width: settings.teacherWidth, for: dataset, seed: 0,
                                      on: TestDevices.cpu)
    }

    func testTheDefaultStudentsINT8TFLiteIsAtMostOneOverThreePointFiveOfItsFloatOne() throws {
        let (float, int8) = try prunedDefaultStudent()
        let floatBytes = try TFLiteExport.float32(float).count, int8Bytes = try TFLiteExport.int8(int8).count
        XCTAssertLessThanOrEqual(3.5 * Double(int8Bytes), Double(floatBytes), "\(int8Bytes) vs \(floatBytes) bytes")
    }

    func testTheDefaultRunsDeployedINT8FileIsAtMostAnEighthOfTheTeachersCheckpoint() throws {
        let teacher = try defaultTeacher()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("condense-teacher-\(getpid()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try teacher.save(to: file.path)
        let teacherBytes = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
        let deployedBytes = try ONNXExport.int8(try prunedDefaultStudent().int8).serialized().count
        XCTAssertLessThanOrEqual(8 * deployedBytes, teacherBytes, "\(deployedBytes) vs \(teacherBytes) bytes")
    }
}
