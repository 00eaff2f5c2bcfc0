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

    private func model(_ architecture: Architecture, width: Double, seed: UInt64, classes: Int? = nil,
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
        options.optimizer = .adamw  // the optimizer these tests were written for, not today's default
        return options
    }

    /// Mean KL(teacher ‖ student) of the two models' class probabilities over the training images.
    private func divergence(_ teacher: TrainedModel, _ student: TrainedModel) throws -> Double {
        let p = try Evaluation.predictions(of: teacher, on: dataset.train, dataset: dataset, batchSize: 5).probabilities
        let q = try Evaluation.predictions(of: student, on: dataset.train, dataset: dataset, batchSize: 5).probabilities
        return zip(p, q).reduce(0) { $0 + Double($1.0) * log(Double(max($1.0, 1e-12)) / Double(max($1.1, 1e-12))) }
            / Double(dataset.train.count)
    }

    func testTheDistilledStudentImitatesTheTeacherBetterThanAScratchStudent() throws {
        // 5×5 grey images (≤ 64 px): every model keeps full resolution through its stride-1 stem.
        let teacher = try model(.resnet20, width: 0.5, seed: 1)
        _ = try Training.train(teacher, on: dataset, options: options(epochs: 8), checkpointPath: nil)
        let scratch = try model(.mobilenetv2, width: 0.25, seed: 2)
        _ = try Training.train(scratch, on: dataset, options: options(epochs: 6), checkpointPath: nil)
        let distilled = try model(.mobilenetv2, width: 0.25, seed: 2)
        let distillation = try Distillation(teacher: teacher, student: distilled, temperature: 4, alpha: 1)
        _ = try Training.train(distilled, on: dataset, options: options(epochs: 6), checkpointPath: nil,
                               objective: distillation.objective)
        let (kd, plain) = (try divergence(teacher, distilled), try divergence(teacher, scratch))
        XCTAssertLessThan(kd, plain, "KL(teacher ‖ distilled) \(kd) should be below KL(teacher ‖ scratch) \(plain)")
    }

    func testAttentionTransferAddsItsTermAndTrains() throws {
        let teacher = try model(.resnet20, width: 0.5, seed: 1), student = try model(.mobilenetv2, width: 0.25, seed: 2)
        let backend = TestDevices.cpu
        var random = SeededGenerator(seed: 3)
        let images = Variable(try backend.tensor(random.floats(5 * 25), shape: [5, 1, 5, 5]))
        let labels = try backend.allocate([5], dtype: .int32)
        try dataset.train.labels.withUnsafeBytes { try backend.write($0, to: labels) }
        func loss(attention: Float) throws -> Float {
            let distillation = try Distillation(teacher: teacher, student: student, temperature: 4, alpha: 0.9,
                                                      attention: attention)
            let batch = TrainingBatch(images: images, labels: labels, indices: Array(0..<5))
            return try Tape.record { try distillation.objective(batch).loss }.result.value.toHost()[0]
        }
        let plain = try loss(attention: 0), withAttention = try loss(attention: 1000)
        XCTAssertGreaterThan(withAttention, plain, "the attention term is positive for unrelated networks")
        let distillation = try Distillation(teacher: teacher, student: student, temperature: 4, alpha: 0.9,
                                                  attention: 1000)
        let summary = try Training.train(student, on: dataset, options: options(epochs: 2), checkpointPath: nil,
                                         objective: distillation.objective)
        XCTAssertTrue(summary.test.accuracy.isFinite)
    }

    func testMismatchedPairsAndParametersAreRejected() throws {
        let teacher = try model(.resnet20, width: 0.25, seed: 1)
        func reason(_ student: TrainedModel, temperature: Float = 4, alpha: Float = 0.9) -> String {
            do {
                _ = try Distillation(teacher: teacher, student: student, temperature: temperature, alpha: alpha)
                return "no error"
            } catch { return "\(error)" }
        }
        let student = try model(.mobilenetv2, width: 0.25, seed: 2)
        XCTAssertEqual(reason(student), "no error")
        XCTAssertTrue(reason(try model(.mobilenetv2, width: 0.25, seed: 2, classes: 5)).contains("classes"))
        XCTAssertTrue(reason(try model(.mobilenetv2, width: 0.25, seed: 2, imageSize: 8)).contains("images"))
        XCTAssertTrue(reason(student, temperature: 0).contains("temperature must be > 0"))
        XCTAssertTrue(reason(student, alpha: 1.5).contains("alpha must be in [0, 1]"))
        XCTAssertThrowsError(try Distillation(teacher: teacher, student: student, temperature: 4, alpha: 0.9,
                                                    attention: -1))
    }

    /// The loss on the first five training images, un-augmented, as training would see them.
    private func firstBatch(_ model: TrainedModel) throws -> TrainingBatch {
        let loader = BatchLoader(dataset.train, of: dataset, batchSize: 5,
                                 normalization: Normalization(mean: model.normalizationMean, std: model.normalizationStd),
                                 shuffle: false, augment: false, seed: 0)
        let batch = loader.batches(epoch: 0).next()!
        let backend = TestDevices.cpu
        let labels = try backend.allocate([batch.labels.count], dtype: .int32)
        try batch.labels.withUnsafeBytes { try backend.write($0, to: labels) }
        return TrainingBatch(images: Variable(try backend.tensor(batch.images, shape: Shape(batch.shape))), labels: labels,
                             indices: batch.indices)
    }

    func testCachedTeacherLogitsGiveTheSameLossAsRunningTheTeacher() throws {
        let teacher = try model(.resnet20, width: 0.5, seed: 1), student = try model(.mobilenetv2, width: 0.25, seed: 2)
        let cache = try TeacherLogitCache(logits: Evaluation.predictions(of: teacher, on: dataset.train, dataset: dataset,
                                                                         batchSize: 4).logits,
                                          classes: dataset.classes)
        XCTAssertEqual(cache.count, dataset.train.count)
        let batch = try firstBatch(student)
        student.module.train(false)  // no dropout: both losses see the same student logits
        func loss(_ cache: TeacherLogitCache?) throws -> Float {
            let distillation = try Distillation(teacher: teacher, student: student, temperature: 4, alpha: 0.7,
                                                      teacherLogits: cache)
            return try Tape.record { try distillation.objective(batch).loss }.result.value.toHost()[0]
        }
        XCTAssertEqual(try loss(cache), try loss(nil), accuracy: 1e-5)
        XCTAssertThrowsError(try cache.logits(for: [dataset.train.count], on: TestDevices.cpu))
        XCTAssertThrowsError(try Distillation(teacher: teacher, student: student, temperature: 4, alpha: 0.9,
                                                    attention: 1, teacherLogits: cache))
    }

    /// DKD through `Distillation`: the objective's loss is CE + w·(α·T²·TCKD + β·T²·NCKD) with the warm-up factor
    /// w = step/4 over its first 4 steps and 1 after, from cached teacher logits, and attention adds its term.
    func testDecoupledDistillationRampsInOverItsWarmup() throws {
        let teacher = try model(.resnet20, width: 0.5, seed: 1), student = try model(.mobilenetv2, width: 0.25, seed: 2)
        let cache = try TeacherLogitCache(logits: Evaluation.predictions(of: teacher, on: dataset.train, dataset: dataset,
                                                                         batchSize: 4).logits,
                                          classes: dataset.classes)
        let batch = try firstBatch(student), backend = TestDevices.cpu
        student.module.train(false)  // no dropout: every call sees the same student logits
        let decoupled = try DecoupledDistillation(warmupSteps: 4)
        let distillation = try Distillation(teacher: teacher, student: student, temperature: 4, alpha: 0.9,
                                            decoupled: decoupled, teacherLogits: cache)
        let losses = try (1...5).map { _ in
            try Tape.record { try distillation.objective(batch).loss }.result.value.toHost()[0]
        }
        let logits = try Tape.withoutRecording { try student.module(batch.images).value }
        let terms = try backend.allocate([3], dtype: .float32), loss = try backend.allocate([1], dtype: .float32)
        try backend.decoupledDistillationLoss(student: logits, teacher: try cache.logits(for: batch.indices, on: backend),
                                              labels: batch.labels, temperature: 4, alpha: 1, beta: 8, loss: loss,
                                              gradStudent: nil, terms: terms)
        let (tckd, nckd, ce) = try { (t: [Float]) in (t[0], t[1], t[2]) }(terms.toHost())
        XCTAssertGreaterThan(tckd + nckd, 0.01, "an untrained student differs from its teacher")
        for (step, value) in losses.enumerated() {
            let factor = min(Float(step + 1) / 4, 1)
            XCTAssertEqual(value, ce + factor * (tckd + nckd), accuracy: 1e-4 * max(1, value), "step \(step + 1)")
        }
        let withAttention = try Distillation(teacher: teacher, student: student, temperature: 4, alpha: 0.9,
                                             decoupled: try DecoupledDistillation(warmupSteps: 0), attention: 1000)
        let attentionLoss = try Tape.record { try withAttention.objective(batch).loss }.result.value.toHost()[0]
        XCTAssertGreaterThan(attentionLoss, losses[4] + 1e-4, "attention adds a positive term to DKD")
    }

    /// A distilled student's checkpoint records its loss and parameters (and a reload keeps them); a model trained
    /// from scratch records none.
    func testTheStudentsCheckpointRecordsHowItWasDistilled() throws {
        let teacher = try model(.resnet20, width: 0.5, seed: 1)
        XCTAssertNil(teacher.metadata[Checkpoint.Key.distillation])
        let cases: [(DecoupledDistillation?, Float, String)] = [
            (nil, 0, #"{"alpha":0.7,"attention":0.0,"hint":0.0,"loss":"kd","temperature":3.0}"#),
            (try DecoupledDistillation(alpha: 2, beta: 6, warmupSteps: 9), 100,
             #"{"alpha":2.0,"attention":100.0,"beta":6.0,"hint":0.0,"loss":"dkd","temperature":3.0,"warmup_steps":9}"#),
        ]
        for (index, (decoupled, attention, expected)) in cases.enumerated() {
            let student = try model(.mobilenetv2, width: 0.25, seed: 2)
            _ = try Distillation(teacher: teacher, student: student, temperature: 3, alpha: 0.7, decoupled: decoupled,
                                 attention: attention)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("distilled-\(getpid())-\(index)")
                .appendingPathExtension("safetensors").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try student.save(to: path)
            XCTAssertEqual(try Checkpoint(contentsOf: path).metadata[Checkpoint.Key.distillation], expected)
            let reloaded = try TrainedModel.load(path, on: TestDevices.cpu)
            XCTAssertEqual(reloaded.distillation, expected)
            XCTAssertEqual(reloaded.derived(configuration: reloaded.configuration, module: reloaded.module).distillation,
                           expected, "a pruned or quantized model keeps the record")
            let json = try JSONSerialization.jsonObject(with: Data(expected.utf8)) as? [String: Any]
            XCTAssertEqual(json?["loss"] as? String, decoupled == nil ? "kd" : "dkd")
        }
    }

    func testDecoupledDistillationSettingsAreCheckedAndTheWarmupResolves() throws {
        XCTAssertEqual(try DistillationWarmup.parse("0.08"), .fraction(0.08))
        XCTAssertEqual(try DistillationWarmup.parse("20"), .steps(20))
        XCTAssertEqual(try DistillationWarmup.parse("0"), .fraction(0))
        for bad in ["1.5", "-1", "x", "nan", "inf"] {
            XCTAssertThrowsError(try DistillationWarmup.parse(bad), bad)
        }
        // 1000 images in batches of 128: 8 steps per epoch (the last partial), 5 epochs = 40 steps, 8 % of them 3.
        XCTAssertEqual(DistillationWarmup.fraction(0.08).steps(epochs: 5, trainingImages: 1000, batchSize: 128), 3)
        XCTAssertEqual(DistillationWarmup.steps(7).steps(epochs: 5, trainingImages: 1000, batchSize: 128), 7)
        let ramp = try DecoupledDistillation(warmupSteps: 3)
        XCTAssertEqual([1, 2, 3, 4].map(ramp.warmupFactor(atStep:)), [1.0 / 3, 2.0 / 3, 1, 1])
        XCTAssertEqual(try DecoupledDistillation(warmupSteps: 0).warmupFactor(atStep: 1), 1)
        XCTAssertThrowsError(try DecoupledDistillation(beta: -1, warmupSteps: 0))
        XCTAssertThrowsError(try DecoupledDistillation(alpha: .infinity, warmupSteps: 0))
        XCTAssertThrowsError(try DecoupledDistillation(warmupSteps: -1))
    }

    func testHintRegressorsTrainAndShrinkTheHintTerm() throws {
        let teacher = try model(.resnet20, width: 0.5, seed: 1), student = try model(.mobilenetv2, width: 0.25, seed: 2)
        let distillation = try Distillation(teacher: teacher, student: student, temperature: 4, alpha: 0.9,
                                                  hint: 10, seed: 5)
        let plain = try Distillation(teacher: teacher, student: student, temperature: 4, alpha: 0.9)
        XCTAssertEqual(distillation.pairs, [FeaturePair(student: 0, teacher: 0), FeaturePair(student: 1, teacher: 1),
                                            FeaturePair(student: 2, teacher: 2)])
        XCTAssertEqual(distillation.regressors.count, 3)
        let batch = try firstBatch(student)
        // γ/2 · mean((r(Fₛ) − Fₜ)²) summed over the pairs, on the host; the student in evaluation mode (no dropout)
        // to compare with the objective, in training mode (batch statistics) to see what training optimizes.
        func hintTerm(training: Bool = false) throws -> Float {
            student.module.train(training)
            teacher.module.train(false)
            return try Tape.withoutRecording {
                let studentFeatures = try (student.module as! FeatureExtracting).forwardWithFeatures(batch.images).features
                let teacherFeatures = try (teacher.module as! FeatureExtracting).forwardWithFeatures(batch.images).features
                return try zip(distillation.pairs, distillation.regressors).reduce(Float(0)) { sum, item in
                    let regressed = try item.1(studentFeatures[item.0.student]).value.toHost()
                    let target = try teacherFeatures[item.0.teacher].value.toHost()
                    let squares = zip(regressed, target).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                    return sum + 10 / 2 * squares / Float(target.count)
                }
            }
        }
        let before = try hintTerm()
        XCTAssertGreaterThan(before, 0)
        let total = try Tape.record { try distillation.objective(batch).loss }.result.value.toHost()[0]
        let kd = try Tape.record { try plain.objective(batch).loss }.result.value.toHost()[0]
        XCTAssertEqual(total - kd, before, accuracy: 1e-3 * before, "the objective adds exactly the hint terms")
        let regressorWeights = try distillation.regressors[0].conv.weight.value.toHost()
        let beforeTraining = try hintTerm(training: true)
        var training = options(epochs: 60)
        training.learningRate = 1e-2
        _ = try Training.train(student, on: dataset, options: training, checkpointPath: nil,
                               objective: distillation.objective, auxiliaryParameters: distillation.auxiliaryParameters)
        XCTAssertNotEqual(try distillation.regressors[0].conv.weight.value.toHost(), regressorWeights,
                          "the regressors are trained with the student")
        XCTAssertLessThan(try hintTerm(training: true), beforeTraining / 2, "training brings the regressed student features toward the teacher's")
    }

    func testFeaturePairsParseAndMustMatchInSize() throws {
        XCTAssertEqual(try FeaturePair.parse("0:0, 2:1"), [FeaturePair(student: 0, teacher: 0),
                                                          FeaturePair(student: 2, teacher: 1)])
        XCTAssertThrowsError(try FeaturePair.parse("0-0"))
        let teacher = try model(.resnet20, width: 0.5, seed: 1), student = try model(.mobilenetv2, width: 0.25, seed: 2)
        for (pairs, message) in [([FeaturePair(student: 0, teacher: 1)], "spatial sizes must match"),
                                 ([FeaturePair(student: 9, teacher: 0)], "stages")] {
            XCTAssertThrowsError(try Distillation(teacher: teacher, student: student, temperature: 4, alpha: 0.9,
                                                        attention: 1, pairs: pairs)) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
    }
}
