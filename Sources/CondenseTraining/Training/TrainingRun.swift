import CondenseCore
import CondenseData
import CondenseDistributed
import CondenseNN

/// One run of the training loop: epochs of seeded batches through the shared `TrainingStep`, the epoch's loss and
/// accuracy tallied on the device, paced progress reports, batch-norm statistics re-estimated for the epoch's final
/// weights (`BatchNormRecalibration`), validation after every epoch, and the best weights on validation kept. It
/// stops with a `TrainingDivergence` as soon as the loss tallied at a progress report (at most a second apart, and at
/// every epoch's end), the weights at the end of an epoch or the validation logits are not
/// finite, so diverged weights are never written or kept. A `TrainingWatch` reports loss jumps and validation far
/// below training accuracy as they happen (`TrainingEvent.warning`) and in the summary.
///
/// In a data-parallel job (`World.group` of more than one process) every process starts from rank 0's weights, trains
/// on its shard of every global batch, and averages gradients over the group before clipping and the update (the
/// gradient hook), so all processes keep the same weights; only rank 0 writes the best checkpoint. Batch norm uses
/// each process's own batch statistics, as PyTorch's DDP does, or with `synchronizeBatchNorm` the global batch's.
final class TrainingRun {
    private let model: TrainedModel
    private let dataset: ImageDataset
    private let options: TrainingOptions
    private let hooks: TrainingHooks
    private let backend: Backend
    private let loader: BatchLoader
    private let step: TrainingStep
    /// Averages gradients over the job's processes; nil when the job is this process alone.
    private let averager: GradientAverager?
    private let schedule: any LearningRateSchedule
    private var meter: ProgressMeter
    private var best: BestCheckpoint
    private var watch: TrainingWatch
    /// Optimizer steps taken so far.
    private var stepsDone = 0

    init(_ model: TrainedModel, on dataset: ImageDataset, options: TrainingOptions, checkpointPath: String?,
         objective: @escaping Training.Objective, auxiliaryParameters: [Variable], hooks: TrainingHooks) throws {
        backend = try model.module.backend
        let group = World.group
        guard options.batchSize % group.size == 0 else {
            throw CondenseError.invalidArgument(op: "train", "the batch of \(options.batchSize) images does not split " +
                                                "evenly over \(group.size) processes; give a multiple of \(group.size)")
        }
        loader = BatchLoader(dataset.train, of: dataset, batchSize: options.batchSize,
                             normalization: Normalization(mean: model.normalizationMean, std: model.normalizationStd),
                             shuffle: true, augment: options.augment, cropPadding: options.cropPadding,
                             seed: options.seed, shard: group.rank, of: group.size)
        let parameters = model.module.namedParameters().map(\.variable) + auxiliaryParameters
        try ModelBroadcast.synchronize(model.module, over: group)
        let averager = group.size > 1 ? GradientAverager(group: group) : nil
        step = TrainingStep(parameters: parameters, optimizer: try options.makeOptimizer(for: parameters),
                            objective: objective, clipNorm: options.clipNorm, averager: averager,
                            afterBackward: hooks.afterBackward)
        self.averager = averager
        if options.synchronizeBatchNorm { for norm in Self.batchNorms(of: model) { norm.synchronization = averager } }
        schedule = options.schedule(stepsPerEpoch: loader.batchCount)
        meter = ProgressMeter(totalSteps: min(options.epochs * loader.batchCount, options.maxSteps ?? .max),
                              batchSize: options.batchSize)
        best = BestCheckpoint(path: group.isPrimary ? checkpointPath : nil)
        watch = TrainingWatch(stepsPerEpoch: loader.batchCount,
                              warmupSteps: options.warmupSteps(stepsPerEpoch: loader.batchCount))
        self.model = model
        self.dataset = dataset
        self.options = options
        self.hooks = hooks
    }

    /// Trains every epoch, reporting to `progress`, loads the best weights back and scores them on the test split.
    func run(progress: (TrainingEvent) -> Void) throws -> TrainingSummary {
        defer { for norm in Self.batchNorms(of: model) { norm.synchronization = nil } }
        for epoch in 1...options.epochs where stepsDone < options.maxSteps ?? .max {
            let tally = try trainEpoch(epoch, progress: progress)
            try recalibrateBatchNorm(after: epoch)
            try ModelBroadcast.synchronize(model.module, over: World.group, buffersOnly: true)
            let snapshot = try finiteSnapshot(after: epoch)
            let validationAccuracy = try validate(after: epoch)
            let improved = try keepIfBest(snapshot, validationAccuracy: validationAccuracy)
            let trainingAccuracy = try tally.accuracy()
            progress(.epoch(epoch: epoch, epochs: options.epochs, loss: try tally.meanLoss(),
                            accuracy: trainingAccuracy, validationAccuracy: validationAccuracy, improved: improved))
            if let warning = watch.observeEpoch(epoch, step: loader.batchCount, trainingAccuracy: trainingAccuracy,
                                                validationAccuracy: validationAccuracy) {
                progress(.warning(warning))
            }
        }
        let wall = meter.wallSeconds
        try best.restore(into: model)
        let test = try Evaluation.evaluate(model, on: dataset.test, dataset: dataset, over: World.group)
        return TrainingSummary(bestValidationAccuracy: best.accuracy ?? 0, test: test,
                               imagesPerSecond: Double(meter.images) / max(wall, 1e-9), wallSeconds: wall,
                               warnings: watch.warnings)
    }

    /// One pass over the shuffled training split (`epoch` from 1), returning its tally.
    private func trainEpoch(_ epoch: Int, progress: (TrainingEvent) -> Void) throws -> EpochTally {
        model.module.train(true)
        let tally = try EpochTally(on: backend)
        meter.startEpoch()
        watch.startEpoch()
        for (index, shard) in loader.batches(epoch: epoch - 1).enumerated() {
            averager?.share = Float(shard.labels.count) / Float(shard.globalCount)
            let batch = try TrainingBatch(uploading: shard, to: backend)
            let output = try step(batch, learningRate: Float(schedule.learningRate(at: stepsDone)))
            try hooks.afterStep(stepsDone)
            try tally.add(loss: output.loss.value, logits: output.logits.value, labels: batch.labels)
            stepsDone += 1
            if watch.readsLoss(afterStep: index + 1, of: loader.batchCount),
               let warning = watch.observeLoss(meanLoss: try tally.meanLoss(), images: tally.images, epoch: epoch,
                                               step: index + 1, stepsDone: stepsDone) {
                progress(.warning(warning))
            }
            let stopsHere = stepsDone == options.maxSteps
            if let (rate, eta) = meter.step(images: shard.globalCount, stepsDone: stepsDone,
                                            endsEpoch: index + 1 == loader.batchCount || stopsHere) {
                // The tally is read only when progress is reported (at most once a second, and at the epoch's end),
                // so the device queue is not drained every step; a loss that is not finite stays in the tally's sum.
                let meanLoss = try tally.meanLoss()
                guard meanLoss.isFinite else {
                    throw divergence("the loss is \(meanLoss) (the epoch's mean so far)", epoch: epoch, step: index + 1)
                }
                progress(.step(epoch: epoch, epochs: options.epochs, step: index + 1, steps: loader.batchCount,
                               loss: meanLoss, accuracy: try tally.accuracy(), imagesPerSecond: rate,
                               etaSeconds: eta))
            }
            if stopsHere { break }
        }
        return tally
    }

    /// Re-estimates the batch norms' statistics for the weights `epoch` ended with (`TrainingOptions.
    /// batchNormRecalibrationImages`; a different seeded draw of training images every epoch). A training split
    /// smaller than that sample keeps the running averages: on a handful of images the exact statistics make an
    /// evaluation-mode model far more confident than its running averages do (a teacher trained for two steps on 8
    /// DICOM images of 4×4 px then drove its student's distillation to diverge).
    private func recalibrateBatchNorm(after epoch: Int) throws {
        let images = options.batchNormRecalibrationImages
        guard images > 0, dataset.train.count >= images else { return }
        try BatchNormRecalibration.run(model, on: dataset.train, dataset: dataset,
                                       images: images, batchSize: options.batchSize,
                                       shuffleSeed: options.seed &+ 0x5052_4543 &+ UInt64(epoch))
    }

    /// The validation accuracy after `epoch`, refusing logits that overflowed.
    private func validate(after epoch: Int) throws -> Double {
        let (validation, logits) = try Evaluation.evaluateWithLogits(model, on: dataset.validation, dataset: dataset,
                                                                     over: World.group)
        guard logits.allSatisfy(\.isFinite) else {
            throw divergence("the validation logits are not finite", epoch: epoch, step: loader.batchCount)
        }
        return validation.accuracy
    }

    /// The model's weights and buffers after `epoch`, refused unless every value is finite.
    private func finiteSnapshot(after epoch: Int) throws -> Checkpoint {
        let snapshot = try model.checkpoint()
        if let name = snapshot.firstNonFiniteTensor {
            throw divergence("'\(name)' holds values that are not finite", epoch: epoch, step: loader.batchCount)
        }
        return snapshot
    }

    /// Keeps (and writes) `snapshot` when the hooks allow it and `validationAccuracy` is the best so far; returns
    /// whether it kept it.
    private func keepIfBest(_ snapshot: Checkpoint, validationAccuracy: Double) throws -> Bool {
        guard hooks.mayKeep(stepsDone - 1), best.isBeaten(by: validationAccuracy) else { return false }
        try best.keep(snapshot, validationAccuracy: validationAccuracy)
        return true
    }

    private static func batchNorms(of model: TrainedModel) -> [BatchNorm2d] {
        model.module.descendants.compactMap { $0 as? BatchNorm2d }
    }

    private func divergence(_ symptom: String, epoch: Int, step: Int) -> TrainingDivergence {
        TrainingDivergence(epoch: epoch, epochs: options.epochs, step: step, steps: loader.batchCount,
                           symptom: symptom, learningRate: options.learningRate)
    }
}
