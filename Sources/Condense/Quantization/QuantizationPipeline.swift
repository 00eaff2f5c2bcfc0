import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN

/// How a float model is quantized to INT8. The defaults make a one-epoch QAT of a MobileNetV2 0.35 BloodMNIST
/// student lose less than a point of accuracy (`Benchmarks/RESULTS.md`).
public struct QuantizationOptions: Sendable {
    /// The fine-tuning run of quantization-aware training: one epoch of AdamW at 2e-4 (`condense quantize` and
    /// `run`), with the batch norms' statistics left to the QAT schedule (which freezes them) rather than
    /// re-estimated before validation; otherwise the training recipe.
    public var training: TrainingOptions = {
        var options = TrainingOptions()
        options.epochs = 1
        options.optimizer = .adamw
        options.learningRate = 2e-4
        options.batchNormRecalibrationImages = 0
        return options
    }()
    /// When observers and batch-norm statistics freeze during QAT.
    public var schedule = QuantizationSchedule(freezeObserversAfter: 60, freezeBatchNormAfter: 30)
    /// Learn the activation scales (LSQ) once the observers freeze.
    public var learnsScales = false
    /// Distillation from a teacher during QAT (when one is given): temperature and weight of the KD term.
    public var temperature = Distillation.defaultTemperature
    public var alpha = Distillation.defaultAlpha

    public init() {}
}

/// A quantization run's products.
public struct QuantizationResult {
    /// The INT8 model: save it, evaluate it, export it.
    public let model: TrainedModel
    /// The fake-quantized float model it was converted from.
    public let fakeQuantized: TrainedModel
    /// The QAT run's figures (nil after calibration).
    public let training: TrainingSummary?
}

extension Quantization {
    /// Quantization-aware training: fine-tunes `model` (a float model, whose parameters it updates in place) with
    /// fake quantization for `options.training.epochs`, on cross entropy or, given a `teacher`, on Hinton
    /// distillation from it, keeping the best-on-validation state, then converts it to INT8.
    public static func quantizeAwareTraining(_ model: TrainedModel, on dataset: ImageDataset,
                                             options: QuantizationOptions = QuantizationOptions(),
                                             teacher: TrainedModel? = nil,
                                             progress: (TrainingEvent) -> Void = { _ in }) throws -> QuantizationResult {
        for (name, steps) in [("observers", options.schedule.freezeObserversAfter),
                              ("batch norm", options.schedule.freezeBatchNormAfter)] where (steps ?? 1) < 1 {
            throw CondenseError.invalidArgument(op: "quantize", "\(name) must update for at least one step before " +
                                                "freezing, got \(steps!)")
        }
        try requireImages(dataset.train, "training")
        let prepared = try prepare(model, learnsScales: options.learnsScales, schedule: options.schedule)
        let objective = try teacher.map {
            try Distillation(teacher: $0, student: prepared, temperature: options.temperature,
                                   alpha: options.alpha).objective
        }
        let summary = try Training.train(prepared, on: dataset, options: options.training, checkpointPath: nil,
                                         objective: objective, progress: progress)
        return QuantizationResult(model: try convert(prepared), fakeQuantized: prepared, training: summary)
    }

    /// Post-training quantization: runs `batches` batches of the (shuffled, un-augmented) training split through
    /// the fake-quantized model in evaluation mode so the observers fit every activation's range, then converts to
    /// INT8. Nothing is trained.
    public static func calibrate(_ model: TrainedModel, on dataset: ImageDataset, batches: Int, batchSize: Int = 128,
                                 seed: UInt64 = 0) throws -> QuantizationResult {
        guard batches >= 1, batchSize >= 1 else {
            throw CondenseError.invalidArgument(op: "quantize", "calibration needs at least one batch of at least one " +
                                                "image, got \(batches) batches of \(batchSize)")
        }
        try requireImages(dataset.train, "training")
        try Evaluation.checkCompatible(model, dataset)
        let prepared = try prepare(model)
        let module = prepared.module as! FakeQuantizedClassifier
        let backend = try module.backend
        let loader = BatchLoader(dataset.train, of: dataset, batchSize: batchSize,
                                 normalization: Normalization(mean: model.normalizationMean, std: model.normalizationStd),
                                 shuffle: true, augment: false, seed: seed)
        module.train(false)
        module.calibrating = true
        defer { module.calibrating = false }
        for batch in loader.batches(epoch: 0).prefix(batches) {
            let images = Variable(try backend.tensor(batch.images, shape: Shape(batch.shape)))
            _ = try Tape.withoutRecording { try module(images) }
        }
        return QuantizationResult(model: try convert(prepared), fakeQuantized: prepared, training: nil)
    }

    private static func requireImages(_ split: ImageSplit, _ name: String) throws {
        guard split.count > 0 else {
            throw CondenseError.invalidArgument(op: "quantize", "the \(name) split is empty: there is nothing to " +
                                                "calibrate or train on")
        }
    }
}
