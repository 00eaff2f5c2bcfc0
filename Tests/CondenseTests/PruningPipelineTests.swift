import Condense
import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// Pruning end to end on a tiny dataset: a smaller structured model fine-tuned with a teacher, unstructured pruning
/// that reaches its sparsity and keeps it in the checkpoint, and clear errors for bad input.
final class PruningPipelineTests: XCTestCase {
    private let dataset = PruningTestSupport.dataset()
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-pruning-\(getpid())")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func options(sparsity: Double, structured: Bool, epochs: Int) -> PruningOptions {
        var options = PruningOptions(sparsity: sparsity, structured: structured)
        options.fineTuning.epochs = epochs
        options.fineTuning.batchSize = 8
        options.fineTuning.augment = false
        // The fine-tuning these tests were written for (AdamW 2e-3), not today's defaults.
        (options.fineTuning.optimizer, options.fineTuning.learningRate) = (.adamw, 2e-3)
        return options
    }

    func testStructuredPruningWithATeacherWritesASmallerCheckpointThatReloads() throws {
        let model = try PruningTestSupport.model(.mobilenetv2, width: 0.25, dataset: dataset)
        let teacher = try PruningTestSupport.model(.resnet20, width: 0.25, dataset: dataset, seed: 8)
        let out = folder.appendingPathComponent("pruned.safetensors").path
        let result = try PruningPipeline.run(model, on: dataset, options: options(sparsity: 0.5, structured: true, epochs: 1),
                                             teacher: teacher, checkpointPath: out)
        XCTAssertEqual(result.layers.count, 17)
        XCTAssertTrue(result.layers.allSatisfy { $0.ratio == 0.5 })
        XCTAssertEqual(result.sparsity, 0.5, accuracy: 1e-12, "every group has an even channel count")
        XCTAssertNotNil(result.prunedValidationAccuracy)
        XCTAssertNotNil(result.training)
        let reloaded = try TrainedModel.load(out, on: TestDevices.cpu)
        XCTAssertEqual(reloaded.configuration.blockChannels, result.model.configuration.blockChannels)
        let size = try ModelSize(checkpoint: out), original = try ModelSize(of: model, checkpoint: nil)
        XCTAssertEqual(size.parameters, result.model.module.parameterCount)
        XCTAssertLessThan(Double(size.parameters), 0.7 * Double(original.parameters))
        XCTAssertEqual(try Evaluation.evaluate(reloaded, on: dataset.test, dataset: dataset).accuracy, result.test.accuracy)
    }

    func testUnstructuredPruningReachesItsSparsityAndTheCheckpointKeepsTheZeros() throws {
        let model = try PruningTestSupport.model(.resnet20, width: 0.25, dataset: dataset)
        let out = folder.appendingPathComponent("sparse.safetensors").path
        var settings = options(sparsity: 0.8, structured: false, epochs: 2)
        settings.scope = .global
        let result = try PruningPipeline.run(model, on: dataset, options: settings, checkpointPath: out)
        XCTAssertEqual(result.sparsity, 0.8, accuracy: 1e-4)
        XCTAssertNil(result.prunedValidationAccuracy, "pruned gradually while fine-tuning")
        let targets = UnstructuredPruner.prunableWeights(of: model.module, includeFirstAndLast: false)
        let prunable = targets.reduce(0) { $0 + $1.variable.value.count }
        let size = try ModelSize(checkpoint: out)
        XCTAssertEqual(size.parameters - size.nonZeroParameters, Int((0.8 * Double(prunable)).rounded()),
                       "exactly the pruned weights are zero (BN β starts random here, so none of them is)")
    }

    func testOneShotPruningWithoutEpochsSavesThePrunedModel() throws {
        let model = try PruningTestSupport.model(.resnet20, width: 0.25, dataset: dataset)
        let out = folder.appendingPathComponent("oneshot.safetensors").path
        let result = try PruningPipeline.run(model, on: dataset, options: options(sparsity: 0.25, structured: true, epochs: 0),
                                             checkpointPath: out)
        XCTAssertNil(result.training)
        XCTAssertEqual(try TrainedModel.load(out, on: TestDevices.cpu).configuration.blockChannels, [3, 3, 3, 6, 6, 6, 12, 12, 12])
        XCTAssertEqual(result.prunedValidationAccuracy,
                       try Evaluation.evaluate(result.model, on: dataset.validation, dataset: dataset).accuracy)
    }

    func testBadInputIsAClearError() throws {
        let model = try PruningTestSupport.model(.resnet20, width: 0.25, dataset: dataset)
        func reason(_ options: PruningOptions, on data: ImageDataset? = nil) -> String {
            do {
                _ = try PruningPipeline.run(model, on: data ?? dataset, options: options, checkpointPath: nil)
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(reason(options(sparsity: 1, structured: true, epochs: 0)).contains("sparsity must be in [0, 1), got 1"))
        XCTAssertTrue(reason(options(sparsity: -0.1, structured: false, epochs: 0)).contains("sparsity must be in [0, 1)"))
        XCTAssertTrue(reason(options(sparsity: 0.5, structured: true, epochs: 1), on: PruningTestSupport.dataset(validation: 0))
            .contains("validation images"))
        var mismatched = options(sparsity: 0.5, structured: true, epochs: 0)
        mismatched.sensitivity = SensitivityProfile(layers: [], baselineAccuracy: 1, structured: false)
        XCTAssertTrue(reason(mismatched).contains("the sensitivity profile is unstructured"))

        let quantized = folder.appendingPathComponent("quantized.safetensors").path
        var checkpoint = try model.checkpoint()
        checkpoint.setMetadata("{\"weights\":\"int8\"}", for: Checkpoint.Key.quantization)
        try checkpoint.write(to: quantized)
        XCTAssertThrowsError(try PruningPipeline.loadFloatModel(quantized, on: TestDevices.cpu)) {
            XCTAssertTrue("\($0)".contains("quantized.safetensors: the model is quantized"), "\($0)")
        }
    }
}
