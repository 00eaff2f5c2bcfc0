import Condense
import CondenseCore
import CondenseData
import CondenseNN
import CondenseTestSupport
import XCTest

/// Training watches itself: a loss that jumps by a large factor from one window of steps to the next, and validation
/// accuracy far below training accuracy, are reported as they happen and in the summary, while training goes on.
/// The runs train at a learning rate so small that the model stays as it was built, so every number is known.
final class TrainingWatchTests: TrainingTestCase {
    /// Three epochs of one step each (the fixture's 5 training images in one batch), at a negligible learning rate.
    private var stillOptions: TrainingOptions {
        var options = TrainingOptions()
        (options.epochs, options.batchSize, options.learningRate, options.seed) = (3, 5, 1e-9, 5)
        return options
    }

    private func model(for data: ImageDataset) throws -> TrainedModel {
        try ModelFactory.model(.resnet20, width: 0.25, for: data, seed: 3, on: TestDevices.cpu)
    }

    private func isLossJump(_ warning: TrainingWarning) -> Bool {
        if case .lossJump = warning.symptom { true } else { false }
    }

    /// Trains with a constant `spike` added to the loss from run step `spikeFrom` (from 1) on (the gradients stay as
    /// they were); returns the summary and the warnings reported while training.
    private func trainWithSpike(_ spike: Float, from spikeFrom: Int, options: TrainingOptions? = nil) throws
        -> (TrainingSummary, [TrainingWarning]) {
        let model = try model(for: dataset)
        var step = 0
        let objective: Training.Objective = { batch in
            step += 1
            let logits = try model.module(batch.images)
            let loss = try crossEntropy(logits, labels: batch.labels)
            guard step >= spikeFrom else { return (loss, logits) }
            return (try add(loss, Variable(try TestDevices.cpu.full(loss.shape, value: spike))), logits)
        }
        var reported: [TrainingWarning] = []
        let summary = try Training.train(model, on: dataset, options: options ?? stillOptions, checkpointPath: nil,
                                         objective: objective, progress: { event in
                                             if case let .warning(warning) = event { reported.append(warning) }
                                         })
        return (summary, reported)
    }

    func testALossThatJumpsByALargeFactorIsReportedWhereItHappened() throws {
        let (summary, reported) = try trainWithSpike(20, from: 3)
        XCTAssertEqual(summary.warnings.count, 1, "\(summary.warnings)")
        let jump = try XCTUnwrap(summary.warnings.first)
        XCTAssertEqual([jump.epoch, jump.step], [3, 1])
        guard case let .lossJump(from, to) = jump.symptom else { return XCTFail("\(jump)") }
        XCTAssertEqual(to - from, 20, accuracy: 0.5, "the window's mean rose by the spike: \(jump)")
        XCTAssertEqual(reported, summary.warnings, "reported as they happen, and the same in the summary")
        XCTAssertTrue(jump.description.hasPrefix("epoch 3, step 1: the loss jumped from "), jump.description)
    }

    func testAnUnchangedLossOrOneThatJumpsDuringTheWarmUpEpochIsNotAJump() throws {
        for spikeFrom in [Int.max, 1] {
            let (summary, _) = try trainWithSpike(20, from: spikeFrom)
            XCTAssertEqual(summary.warnings, [], "spike from step \(spikeFrom)")
        }
        // Half the spike's size over a loss near 1.1 (three classes) is still a jump; a rise below 0.5 is not.
        XCTAssertEqual(try trainWithSpike(2, from: 3).0.warnings.filter(isLossJump).count, 1)
        XCTAssertEqual(try trainWithSpike(0.4, from: 3).0.warnings.filter(isLossJump).count, 0)
    }

    /// A run shorter than 4 epochs warms up for its first quarter (`TrainingOptions.warmupSteps`), and the watch
    /// checks the loss from there on: 2 epochs of 5 one-image steps warm up for 2 steps, so a spike from step 3 is a
    /// jump (under a whole epoch's warm-up it was not), and one from step 2 is not.
    func testTheWatchChecksTheLossFromTheEndOfAShortRunsWarmUp() throws {
        var options = stillOptions
        (options.epochs, options.batchSize) = (2, 1)
        XCTAssertEqual(options.warmupSteps(stepsPerEpoch: 5), 2)
        let jumps = try [2, 3].map { try trainWithSpike(20, from: $0, options: options).0.warnings.filter(isLossJump) }
        XCTAssertEqual(jumps[0], [], "a spike from step 2 starts inside the warm-up")
        XCTAssertEqual(jumps[1].map { [$0.epoch, $0.step] }, [[1, 3]], "\(jumps[1])")
    }

    func testTheWarmUpIsOneEpochOrTheFirstQuarterOfAShorterRun() {
        var options = TrainingOptions()
        let warmups = [1, 2, 3, 4, 5, 60].map { epochs in
            options.epochs = epochs
            return options.warmupSteps(stepsPerEpoch: 47)
        }
        XCTAssertEqual(warmups, [11, 23, 35, 47, 47, 47], "runs of 4 epochs or more keep one epoch's warm-up")
        options.epochs = 3
        XCTAssertEqual(options.warmupSteps(stepsPerEpoch: 1), 1, "a run of 3 steps warms up in its first")
    }

    /// Trains a model whose classifier bias makes it predict class 1 for every image, in training and evaluation
    /// (the fixture's training labels 1, 0, 1, 1, 0: training accuracy 0.6), validating on the fixture's validation
    /// images labelled `validationLabels`; returns the summary and the events.
    private func trainPredictingClassOne(validationLabels: [Int32]) throws -> (TrainingSummary, [TrainingEvent]) {
        let data = ImageDataset(name: dataset.name, channels: dataset.channels, height: dataset.height,
                                width: dataset.width, classNames: dataset.classNames, train: dataset.train,
                                validation: ImageSplit(pixels: dataset.validation.pixels, labels: validationLabels),
                                test: dataset.test)
        let model = try model(for: data)
        let bias = try XCTUnwrap(model.module.namedParameters().first { $0.name == "fc.bias" }?.variable)
        try bias.assign(try TestDevices.cpu.tensor([0, 20, 0], shape: bias.shape))
        var events: [TrainingEvent] = []
        let summary = try Training.train(model, on: data, options: stillOptions, checkpointPath: nil,
                                         progress: { events.append($0) })
        return (summary, events)
    }

    func testValidationFarBelowTrainingAccuracyIsReportedWithBothAccuracies() throws {
        let (summary, events) = try trainPredictingClassOne(validationLabels: [2, 2])
        let epochs = events.compactMap { event -> [Double]? in
            if case let .epoch(_, _, _, accuracy, validation, _) = event { [accuracy, validation] } else { nil }
        }
        XCTAssertEqual(epochs, [[0.6, 0], [0.6, 0], [0.6, 0]])
        XCTAssertEqual(summary.warnings, (1...3).map {
            TrainingWarning(symptom: .validationGap(training: 0.6, validation: 0), epoch: $0, step: 1)
        })
        XCTAssertEqual(summary.warnings.first?.description, "epoch 1: validation accuracy 0.000 is far below " +
                       "training accuracy 0.600; batch-norm running statistics far from the training batches', or " +
                       "overfitting")
        let reported = events.compactMap { if case let .warning(warning) = $0 { warning } else { nil } }
        XCTAssertEqual(reported, summary.warnings)
    }

    func testValidationWithinAQuarterOfTrainingAccuracyIsNoGap() throws {
        // Validation accuracy 0.5 (one of two images is class 1) is 0.1 below training accuracy: no warning.
        let (summary, events) = try trainPredictingClassOne(validationLabels: [1, 2])
        XCTAssertEqual(events.compactMap { if case let .epoch(_, _, _, _, validation, _) = $0 { validation } else { nil } },
                       [0.5, 0.5, 0.5])
        XCTAssertEqual(summary.warnings, [])
    }
}
