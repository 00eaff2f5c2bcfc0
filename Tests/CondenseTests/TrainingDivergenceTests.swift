import Condense
import CondenseCompress
import CondenseCore
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// A run whose loss or weights stop being finite stops with a `TrainingDivergence` that says where and what to try,
/// and never writes (or keeps as the best) weights that are not finite, on the CPU and on OpenCL.
final class TrainingDivergenceTests: TrainingTestCase {
    private func options(epochs: Int, batchSize: Int, learningRate: Float = 2e-3) -> TrainingOptions {
        var options = TrainingOptions()
        options.epochs = epochs
        options.batchSize = batchSize
        options.learningRate = learningRate
        options.seed = 3
        // The recipe this test was written for (AdamW with random crops), not today's defaults.
        (options.optimizer, options.cropPadding) = (.adamw, nil)
        return options
    }

    private func model(on backend: Backend) throws -> TrainedModel {
        try ModelFactory.model(.resnet20, width: 0.25, for: dataset, seed: 3, on: backend)
    }

    /// The divergence `body` throws (a failure when it throws something else or nothing).
    private func divergence(_ body: () throws -> Void) -> TrainingDivergence? {
        do {
            try body()
            XCTFail("training that diverges must throw")
        } catch let error as TrainingDivergence {
            return error
        } catch {
            XCTFail("expected a TrainingDivergence, got \(error)")
        }
        return nil
    }

    private func checkLossDivergenceKeepsTheGoodCheckpoint(on backend: Backend) throws {
        let out = folder.appendingPathComponent("\(backend.name).safetensors").path
        _ = try Training.train(try model(on: backend), on: dataset, options: options(epochs: 1, batchSize: 2),
                               checkpointPath: out)
        let good = try XCTUnwrap(FileManager.default.contents(atPath: out))
        var reports: [TrainingEvent] = []
        let error = divergence {
            _ = try Training.train(try model(on: backend), on: dataset,
                                   options: options(epochs: 2, batchSize: 2, learningRate: 1e30),
                                   checkpointPath: out, progress: { reports.append($0) })
        }
        // 5 images in batches of 2: three steps; the first (at a tenth of 1e30 after warm-up) blows the weights up,
        // so a later step of the first epoch has a loss that is not finite, and no epoch ends.
        XCTAssertEqual(error?.epoch, 1)
        XCTAssertEqual(error?.steps, 3)
        XCTAssertGreaterThan(error?.step ?? 0, 1)
        XCTAssertTrue(error?.symptom.hasPrefix("the loss is ") ?? false, "\(String(describing: error))")
        let message = "\(String(describing: error))"
        XCTAssertTrue(message.contains("epoch 1/2, step ") && message.contains("--lr, peak 1e+30") &&
                      message.contains("--clip"), message)
        XCTAssertFalse(reports.contains { if case .epoch = $0 { true } else { false } }, "no epoch may be reported")
        XCTAssertEqual(FileManager.default.contents(atPath: out), good, "the good checkpoint must stay as it was")
    }

    func testADivergingLearningRateStopsAndKeepsTheGoodCheckpointOnTheCPU() throws {
        try checkLossDivergenceKeepsTheGoodCheckpoint(on: TestDevices.cpu)
    }

    func testADivergingLearningRateStopsAndKeepsTheGoodCheckpointOnOpenCL() throws {
        try checkLossDivergenceKeepsTheGoodCheckpoint(on: try TestDevices.openCL())
    }

    private func checkOneStepDivergenceIsNeverKept(on backend: Backend) throws {
        // One step per epoch: its loss is still finite, the update it makes is not, so the end of the epoch (the
        // weights or the validation logits they give) must catch it before anything is written.
        let out = folder.appendingPathComponent("one-step-\(backend.name).safetensors").path
        let error = divergence {
            _ = try Training.train(try model(on: backend), on: dataset,
                                   options: options(epochs: 2, batchSize: 8, learningRate: 1e30), checkpointPath: out)
        }
        XCTAssertEqual(error?.epoch, 1)
        XCTAssertEqual(error?.step, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "diverged weights must not be written")
    }

    func testADivergenceWithinOneStepEpochsIsNeverSavedOnTheCPU() throws {
        try checkOneStepDivergenceIsNeverKept(on: TestDevices.cpu)
    }

    func testADivergenceWithinOneStepEpochsIsNeverSavedOnOpenCL() throws {
        try checkOneStepDivergenceIsNeverKept(on: try TestDevices.openCL())
    }

    func testWeightsThatAreNotFiniteAtTheEndOfAnEpochAreNamedAndNotSaved() throws {
        let model = try model(on: TestDevices.cpu)
        let bias = try XCTUnwrap(model.module.namedParameters().first { $0.name == "fc.bias" }?.variable)
        let hooks = TrainingHooks(afterStep: { step in
            if step == 2 { try bias.assign(try TestDevices.cpu.full(bias.shape, value: .nan)) }
        })
        let out = folder.appendingPathComponent("poisoned.safetensors").path
        let error = divergence {
            _ = try Training.train(model, on: self.dataset, options: self.options(epochs: 1, batchSize: 2),
                                   checkpointPath: out, hooks: hooks)
        }
        XCTAssertEqual(error?.symptom, "'fc.bias' holds values that are not finite")
        XCTAssertEqual(error.map { [$0.epoch, $0.step] }, [1, 3])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testNonFiniteRatesAreRefusedBeforeTrainingByName() throws {
        for (change, expected) in [({ (o: inout TrainingOptions) in o.learningRate = .infinity },
                                    "learning rate must be a finite number > 0, got inf"),
                                   ({ $0.weightDecay = .infinity }, "weight decay must be a finite number ≥ 0, got inf"),
                                   ({ $0.clipNorm = .nan }, "gradient clipping norm must be a finite number > 0, got nan")] {
            var options = options(epochs: 1, batchSize: 2)
            change(&options)
            XCTAssertThrowsError(try Training.train(try model(on: TestDevices.cpu), on: dataset, options: options,
                                                    checkpointPath: nil)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
    }
}

/// Distillation, pruning fine-tuning and QAT train through the same loop, so a diverging learning rate stops them
/// the same way.
final class CompressionDivergenceTests: TrainingTestCase {
    private func diverging(epochs: Int = 1) -> TrainingOptions {
        var options = TrainingOptions()
        options.epochs = epochs
        options.batchSize = 2
        options.learningRate = 1e30
        // The recipe this test was written for (AdamW with random crops), not today's defaults.
        (options.optimizer, options.cropPadding) = (.adamw, nil)
        return options
    }

    private func model(seed: UInt64) throws -> TrainedModel {
        try ModelFactory.model(.resnet20, width: 0.25, for: dataset, seed: seed, on: TestDevices.cpu)
    }

    private func assertDiverges(_ what: String, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), what) { error in
            XCTAssertTrue(error is TrainingDivergence, "\(what): expected a TrainingDivergence, got \(error)")
        }
    }

    func testDistillationPruningFineTuningAndQATStopWhenTheyDiverge() throws {
        let teacher = try model(seed: 1)
        let student = try ModelFactory.student(.mobilenetv2, width: 0.25, of: teacher, seed: 2)
        let distillation = try Distillation(teacher: teacher, student: student, temperature: 4, alpha: 0.9)
        assertDiverges("distillation") {
            _ = try Training.train(student, on: dataset, options: diverging(), checkpointPath: nil,
                                   objective: distillation.objective)
        }
        var pruning = PruningOptions(sparsity: 0.5)
        pruning.fineTuning = diverging()
        let pruned = folder.appendingPathComponent("pruned.safetensors").path
        assertDiverges("pruning fine-tuning") {
            _ = try PruningPipeline.run(try model(seed: 3), on: dataset, options: pruning, checkpointPath: pruned)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: pruned))
        var quantization = QuantizationOptions()
        quantization.training = diverging()
        assertDiverges("QAT") {
            _ = try Quantization.quantizeAwareTraining(try model(seed: 4), on: dataset, options: quantization)
        }
    }
}
