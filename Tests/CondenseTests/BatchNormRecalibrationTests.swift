import Condense
import CondenseCore
import CondenseData
import CondenseNN
import CondenseTestSupport
import XCTest

/// Batch-norm recalibration sets running statistics to those of the images, computed here independently.
final class BatchNormRecalibrationTests: XCTestCase {
    private let dataset = PruningTestSupport.dataset()

    /// Per-channel mean and unbiased variance of the stem conv's outputs over the first `count` training images.
    private func stemStatistics(_ model: TrainedModel, count: Int) throws -> (mean: [Float], variance: [Float]) {
        let loader = BatchLoader(dataset.train.prefix(count), of: dataset, batchSize: count,
                                 normalization: Normalization(mean: model.normalizationMean, std: model.normalizationStd),
                                 shuffle: false, augment: false, seed: 0)
        let batch = loader.batches(epoch: 0).next()!
        let stem = (model.module as! StagedModel).stages[0].module
        let output = try stem(Variable(try TestDevices.cpu.tensor(batch.images, shape: Shape(batch.shape))))
        let values = try output.value.toHost(), channels = output.shape[1], plane = output.shape[2] * output.shape[3]
        var (mean, variance) = ([Float](), [Float]())
        for channel in 0..<channels {
            var samples: [Double] = []
            for image in 0..<count {
                let start = (image * channels + channel) * plane
                samples += values[start..<(start + plane)].map { Double($0) }
            }
            let average = samples.reduce(0, +) / Double(samples.count)
            let squares = samples.map { ($0 - average) * ($0 - average) }.reduce(0, +)
            mean.append(Float(average))
            variance.append(Float(squares / Double(samples.count - 1)))
        }
        return (mean, variance)
    }

    func testRunningStatisticsBecomeThoseOfTheImages() throws {
        let model = try PruningTestSupport.model(.resnet20, width: 0.5, dataset: dataset)
        let bn1 = model.module.children.first { $0.name == "bn1" }!.module as! BatchNorm2d
        let expected = try stemStatistics(model, count: 16)
        try BatchNormRecalibration.run(model, on: dataset.train, dataset: dataset, images: 16, batchSize: 16)
        assertClose(try bn1.runningMean.value.toHost(), expected.mean, rtol: 1e-4, atol: 1e-5)
        assertClose(try bn1.runningVariance.value.toHost(), expected.variance, rtol: 1e-4, atol: 1e-5)
        XCTAssertEqual(bn1.momentum, 0.1, "the momentum is restored")
        XCTAssertFalse(model.module.isTraining)
        // Two equal batches: the cumulative average of their means is the mean of all 16 images.
        let again = try PruningTestSupport.model(.resnet20, width: 0.5, dataset: dataset)
        try BatchNormRecalibration.run(again, on: dataset.train, dataset: dataset, images: 16, batchSize: 8)
        let bn = again.module.children.first { $0.name == "bn1" }!.module as! BatchNorm2d
        assertClose(try bn.runningMean.value.toHost(), expected.mean, rtol: 1e-4, atol: 1e-5)
    }

    /// Trains a width-0.25 ResNet-20 for two epochs on the 24 training images in batches of 8, re-estimating batch-norm
    /// statistics from `recalibration` images before every validation; with `poisoned`, every step leaves running
    /// means of 5 behind (running averages far from the weights'). Returns the checkpoint of the best weights.
    private func trainedCheckpoint(recalibration: Int, poisoned: Bool) throws -> Checkpoint {
        let model = try ModelFactory.model(.resnet20, width: 0.25, for: dataset, seed: 4, on: TestDevices.cpu)
        let norms = model.module.descendants.compactMap { $0 as? BatchNorm2d }
        let hooks = TrainingHooks(afterStep: { _ in
            guard poisoned else { return }
            for norm in norms { try norm.runningMean.assign(try TestDevices.cpu.full(norm.runningMean.shape, value: 5)) }
        })
        var options = TrainingOptions()
        (options.epochs, options.batchSize, options.batchNormRecalibrationImages) = (2, 8, recalibration)
        _ = try Training.train(model, on: dataset, options: options, checkpointPath: nil, hooks: hooks)
        return try model.checkpoint()
    }

    func testTrainingReestimatesTheStatisticsBeforeEveryValidation() throws {
        let means = { (checkpoint: Checkpoint) in
            checkpoint.tensors.filter { $0.name.hasSuffix("running_mean") }.flatMap { $0.floats() }
        }
        // Without recalibration the running averages training left are what validation and the checkpoint see.
        XCTAssertTrue(means(try trainedCheckpoint(recalibration: 0, poisoned: true)).allSatisfy { $0 == 5 })
        // With it they are re-estimated for the final weights: what the steps left behind no longer matters.
        let recalibrated = try trainedCheckpoint(recalibration: 16, poisoned: true)
        XCTAssertEqual(recalibrated, try trainedCheckpoint(recalibration: 16, poisoned: false))
        XCTAssertFalse(means(recalibrated).contains(5))
        // A training split (24 images) smaller than the sample keeps the running averages.
        XCTAssertTrue(means(try trainedCheckpoint(recalibration: 25, poisoned: true)).allSatisfy { $0 == 5 })
        XCTAssertThrowsError(try trainedCheckpoint(recalibration: -1, poisoned: false)) {
            XCTAssertTrue("\($0)".contains("batch-norm recalibration images must be ≥ 0, got -1"), "\($0)")
        }
    }

    func testAnEmptySplitIsAClearError() throws {
        let model = try PruningTestSupport.model(.resnet20, width: 0.25, dataset: dataset)
        XCTAssertThrowsError(try BatchNormRecalibration.run(model, on: dataset.train.prefix(0), dataset: dataset, images: 8)) {
            XCTAssertTrue("\($0)".contains("the split of synthetic it was given is empty"), "\($0)")
        }
    }
}
