import Condense
import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// Hinton distillation end to end: the student imitates the teacher more closely than one trained from scratch,
/// and mismatched pairings are rejected before training.
final class DistillationTests: XCTestCase {
    private let dataset = try! MedMNISTLoader.load(Fixtures.folder.appendingPathComponent("data/grey_stored.npz").path)

    private func model(_ architecture: String, width: Double, seed: UInt64, classes: Int? = nil,
                       imageSize: Int? = nil) throws -> TrainedModel {
        let configuration = ModelConfiguration(architecture: architecture, width: width,
                                               classes: classes ?? dataset.classes, inputChannels: dataset.channels,
                                               imageSize: imageSize ?? dataset.height)
        let normalization = Normalization(of: dataset.train, channels: dataset.channels)
        return TrainedModel(configuration: configuration, module: try configuration.build(on: TestDevices.cpu, seed: seed),
                            normalizationMean: normalization.mean, normalizationStd: normalization.std,
                            classNames: dataset.classNames)
    }

    private func options(epochs: Int) -> TrainingOptions {
        var options = TrainingOptions()
        options.epochs = epochs
        options.batchSize = 5
        options.augment = false
        options.learningRate = 5e-3
        return options
    }

    /// Mean KL(teacher ‖ student) of the two models' class probabilities over the training images.
    private func divergence(_ teacher: TrainedModel, _ student: TrainedModel) throws -> Double {
        let p = try Evaluation.probabilities(of: teacher, on: dataset.train, dataset: dataset, batchSize: 5)
        let q = try Evaluation.probabilities(of: student, on: dataset.train, dataset: dataset, batchSize: 5)
        return zip(p, q).reduce(0) { $0 + Double($1.0) * log(Double(max($1.0, 1e-12)) / Double(max($1.1, 1e-12))) }
            / Double(dataset.train.count)
    }

    func testTheDistilledStudentImitatesTheTeacherBetterThanAScratchStudent() throws {
        // 5×5 grey images (≤ 64 px): every model keeps full resolution through its stride-1 stem.
        let teacher = try model("resnet20", width: 0.5, seed: 1)
        _ = try Training.train(teacher, on: dataset, options: options(epochs: 8), checkpointPath: nil)
        let scratch = try model("mobilenetv2", width: 0.25, seed: 2)
        _ = try Training.train(scratch, on: dataset, options: options(epochs: 6), checkpointPath: nil)
        let distilled = try model("mobilenetv2", width: 0.25, seed: 2)
        let distillation = try HintonDistillation(teacher: teacher, student: distilled, temperature: 4, alpha: 1)
        _ = try Training.train(distilled, on: dataset, options: options(epochs: 6), checkpointPath: nil,
                               objective: distillation.objective)
        let (kd, plain) = (try divergence(teacher, distilled), try divergence(teacher, scratch))
        XCTAssertLessThan(kd, plain, "KL(teacher ‖ distilled) \(kd) should be below KL(teacher ‖ scratch) \(plain)")
    }

    func testAttentionTransferAddsItsTermAndTrains() throws {
        let teacher = try model("resnet20", width: 0.5, seed: 1), student = try model("mobilenetv2", width: 0.25, seed: 2)
        let backend = TestDevices.cpu
        var random = SeededGenerator(seed: 3)
        let images = Variable(try backend.tensor(random.floats(5 * 25), shape: [5, 1, 5, 5]))
        let labels = try backend.allocate([5], dtype: .int32)
        try dataset.train.labels.withUnsafeBytes { try backend.write($0, to: labels) }
        func loss(attention: Float) throws -> Float {
            let distillation = try HintonDistillation(teacher: teacher, student: student, temperature: 4, alpha: 0.9,
                                                      attention: attention)
            return try Tape.record { try distillation.objective(images: images, labels: labels).loss }.result.value.toHost()[0]
        }
        let plain = try loss(attention: 0), withAttention = try loss(attention: 1000)
        XCTAssertGreaterThan(withAttention, plain, "the attention term is positive for unrelated networks")
        let distillation = try HintonDistillation(teacher: teacher, student: student, temperature: 4, alpha: 0.9,
                                                  attention: 1000)
        let summary = try Training.train(student, on: dataset, options: options(epochs: 2), checkpointPath: nil,
                                         objective: distillation.objective)
        XCTAssertTrue(summary.test.accuracy.isFinite)
    }

    func testMismatchedPairsAndParametersAreRejected() throws {
        let teacher = try model("resnet20", width: 0.25, seed: 1)
        func reason(_ student: TrainedModel, temperature: Float = 4, alpha: Float = 0.9) -> String {
            do {
                _ = try HintonDistillation(teacher: teacher, student: student, temperature: temperature, alpha: alpha)
                return "no error"
            } catch { return "\(error)" }
        }
        let student = try model("mobilenetv2", width: 0.25, seed: 2)
        XCTAssertEqual(reason(student), "no error")
        XCTAssertTrue(reason(try model("mobilenetv2", width: 0.25, seed: 2, classes: 5)).contains("classes"))
        XCTAssertTrue(reason(try model("mobilenetv2", width: 0.25, seed: 2, imageSize: 8)).contains("images"))
        XCTAssertTrue(reason(student, temperature: 0).contains("temperature must be > 0"))
        XCTAssertTrue(reason(student, alpha: 1.5).contains("alpha must be in [0, 1]"))
        XCTAssertThrowsError(try HintonDistillation(teacher: teacher, student: student, temperature: 4, alpha: 0.9,
                                                    attention: -1))
    }
}
