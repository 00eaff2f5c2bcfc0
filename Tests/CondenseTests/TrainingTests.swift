import Condense
import CondenseCore
import CondenseData
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// Training end to end on a tiny MedMNIST-shaped file: checkpoints that reload exactly, determinism for a seed,
/// and clear errors for checkpoints that do not fit.
final class TrainingTests: TrainingTestCase {
    private func train(_ architecture: Architecture, seed: UInt64, out: String) throws -> (TrainedModel, TrainingSummary) {
        let model = try ModelFactory.model(architecture, width: 0.25, for: dataset, seed: seed, on: TestDevices.cpu)
        var options = TrainingOptions()
        options.epochs = 2
        options.batchSize = 2
        options.seed = seed
        // The recipe this test was written for (AdamW 2e-3 with random crops), not today's defaults.
        (options.optimizer, options.learningRate, options.cropPadding) = (.adamw, 2e-3, nil)
        var events = 0
        let summary = try Training.train(model, on: dataset, options: options, checkpointPath: out,
                                         progress: { _ in events += 1 })
        XCTAssertGreaterThanOrEqual(events, 4, "a step and an epoch event per epoch at least")
        return (model, summary)
    }

    func testTheBestCheckpointReloadsWithIdenticalPredictions() throws {
        let out = folder.appendingPathComponent("resnet20.safetensors").path
        let (model, summary) = try train(.resnet20, seed: 1, out: out)
        let reloaded = try TrainedModel.load(out, on: TestDevices.cpu)
        XCTAssertEqual(reloaded.configuration, model.configuration)
        XCTAssertEqual(reloaded.classNames, dataset.classNames)
        let before = try Evaluation.predictions(of: model, on: dataset.test, dataset: dataset, batchSize: 2).probabilities
        let after = try Evaluation.predictions(of: reloaded, on: dataset.test, dataset: dataset, batchSize: 3).probabilities
        XCTAssertEqual(before, after)
        XCTAssertEqual(try Evaluation.evaluate(reloaded, on: dataset.test, dataset: dataset).accuracy,
                       summary.test.accuracy)
    }

    func testTrainingIsDeterministicForASeedOnTheCPU() throws {
        let first = folder.appendingPathComponent("a.safetensors").path
        let second = folder.appendingPathComponent("b.safetensors").path
        _ = try train(.mobilenetv2, seed: 7, out: first)
        _ = try train(.mobilenetv2, seed: 7, out: second)
        XCTAssertEqual(FileManager.default.contents(atPath: first), FileManager.default.contents(atPath: second))
    }

    func testAnEmptySplitOrBatchIsRefusedByNameInsteadOfScoredZero() throws {
        let empty = ImageSplit(pixels: [], labels: [])
        let model = try ModelFactory.model(.resnet20, width: 0.25, for: dataset, seed: 1, on: TestDevices.cpu)
        for (name, split) in [("training", \ImageDataset.train), ("validation", \.validation), ("test", \.test)] {
            let splits = [\ImageDataset.train, \.validation, \.test].map { $0 == split ? empty : dataset[keyPath: $0] }
            let hollow = ImageDataset(name: "hollow", channels: dataset.channels, height: dataset.height,
                                      width: dataset.width, classNames: dataset.classNames, train: splits[0],
                                      validation: splits[1], test: splits[2])
            var options = TrainingOptions()
            options.batchSize = 2
            XCTAssertThrowsError(try Training.train(model, on: hollow, options: options, checkpointPath: nil)) { error in
                XCTAssertEqual("\(error)", "train: hollow: the \(name) split is empty; training needs images to train " +
                               "on, validate and test")
            }
        }
        XCTAssertThrowsError(try Evaluation.evaluate(model, on: empty, dataset: dataset)) { error in
            XCTAssertTrue("\(error)".contains("the split to evaluate has no images"), "\(error)")
        }
        XCTAssertThrowsError(try Evaluation.evaluate(model, on: dataset.test, dataset: dataset, batchSize: 0)) { error in
            XCTAssertEqual("\(error)", "evaluate: batch size must be ≥ 1, got 0")
        }
    }

    func testTheAUCIsUndefinedOnASplitWithOneClassAndDefinedOnOneWithMore() throws {
        let model = try ModelFactory.model(.resnet20, width: 0.25, for: dataset, seed: 1, on: TestDevices.cpu)
        XCTAssertEqual(Set(dataset.test.labels).count, 1, "the fixture's test split holds a single class")
        XCTAssertNil(try Evaluation.evaluate(model, on: dataset.test, dataset: dataset).auc)
        XCTAssertGreaterThan(Set(dataset.train.labels).count, 1)
        let probabilities = try Evaluation.probabilities(of: model, on: dataset.train, dataset: dataset, batchSize: 4)
        let expected = try ClassificationMetrics.macroAUC(probabilities: probabilities, labels: dataset.train.labels,
                                                          classes: model.configuration.classes)
        XCTAssertNotNil(expected)
        XCTAssertEqual(try Evaluation.evaluate(model, on: dataset.train, dataset: dataset).auc, expected)
    }

    func testACheckpointOfAnotherShapeIsRejectedByName() throws {
        let out = folder.appendingPathComponent("r20.safetensors").path
        let (model, _) = try train(.resnet20, seed: 2, out: out)
        var checkpoint = try model.checkpoint()
        let index = try XCTUnwrap(checkpoint.tensors.firstIndex { $0.name == "fc.weight" })
        let wrong = checkpoint.tensors[index]
        checkpoint.tensors[index] = NamedTensorData(name: wrong.name, shape: [wrong.shape[0] + 1, wrong.shape[1]],
                                                    floats: [Float](repeating: 0, count: (wrong.shape[0] + 1) * wrong.shape[1]))
        let broken = folder.appendingPathComponent("broken.safetensors").path
        try checkpoint.write(to: broken)
        XCTAssertThrowsError(try TrainedModel.load(broken, on: TestDevices.cpu)) { error in
            XCTAssertTrue("\(error)".contains("fc.weight") && "\(error)".contains("broken.safetensors"), "\(error)")
        }
        checkpoint.metadata[Checkpoint.Key.architecture] = "mobilenetv2"
        try checkpoint.write(to: broken)
        let mobilenet = TrainedModel(configuration: ModelConfiguration(architecture: .resnet20, width: 0.25, classes: 3,
                                                                       inputChannels: 1, imageSize: 5),
                                     module: model.module, normalizationMean: [0], normalizationStd: [1], classNames: [])
        XCTAssertThrowsError(try mobilenet.load(try Checkpoint(contentsOf: broken), path: broken)) { error in
            XCTAssertTrue("\(error)".contains("checkpoint is mobilenetv2"), "\(error)")
        }
    }
}
