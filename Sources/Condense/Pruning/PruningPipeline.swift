import CondenseCompress
import CondenseCore
import CondenseData
import CondenseDistributed
import CondenseNN

/// How `PruningPipeline.run` prunes and fine-tunes.
public struct PruningOptions: Sendable {
    /// Overall sparsity in [0, 1): structured, the fraction of prunable channels removed; unstructured, the
    /// fraction of prunable weights zeroed.
    public var sparsity: Double
    /// Remove channels (a physically smaller model) rather than zero single weights.
    public var structured = false
    /// Unstructured: rank each tensor alone or all together (ignored with a sensitivity profile, which sets
    /// per-layer ratios).
    public var scope = PruningScope.layerWise
    /// Unstructured: also prune the first conv and the classifier.
    public var includeFirstAndLast = false
    /// Per-layer ratios from this profile (`SensitivityProfile.layerRatios`); nil: every layer at `sparsity`.
    public var sensitivity: SensitivityProfile?
    /// The accuracy drop (absolute) a layer may cost in the profile to count as tolerant.
    public var tolerance = 0.02
    /// Structured: re-estimate batch-norm statistics on this many training images right after pruning
    /// (`BatchNormRecalibration`; 0: off).
    public var calibrationImages = 1024
    /// Fine-tuning after (structured) or during (unstructured) pruning, the training recipe at its fine-tuning
    /// learning rate; `epochs` 0 prunes without it.
    public var fineTuning: TrainingOptions = {
        var options = TrainingOptions()
        options.learningRate = TrainingOptions.fineTuningLearningRate
        return options
    }()
    /// Hinton distillation settings used when a teacher is given.
    public var temperature = Distillation.defaultTemperature
    public var alpha = Distillation.defaultAlpha
    /// Unstructured with fine-tuning: the polynomial schedule reaches `sparsity` after this fraction of the steps
    /// (power 3), recomputing masks every `frequency` steps (nil: ten times along the way).
    public var scheduleEnd = 0.7
    public var power = 3.0
    public var frequency: Int?

    public init(sparsity: Double, structured: Bool = false) {
        self.sparsity = sparsity
        self.structured = structured
    }
}

/// One layer's pruning ratio.
public struct LayerRatio: Equatable, Sendable {
    public let name: String
    public let ratio: Double
}

/// What a pruning run produced.
public struct PruningResult {
    /// The pruned (and fine-tuned) model: physically smaller when structured.
    public let model: TrainedModel
    public let layers: [LayerRatio]
    /// The accuracy drop the sensitivity rule settled on (`SensitivityProfile.layerRatios`; nil without a profile).
    public let tolerance: Double?
    /// The overall sparsity reached (channels or weights, as `PruningOptions.sparsity`).
    public let sparsity: Double
    /// Validation accuracy right after pruning (and batch-norm recalibration), before fine-tuning (nil when pruning
    /// happens gradually during fine-tuning, as unstructured pruning with epochs does).
    public let prunedValidationAccuracy: Double?
    /// The fine-tuning run (nil without epochs).
    public let training: TrainingSummary?
    /// The final model on the test split.
    public let test: EvaluationResult
}

/// Pruning end to end: choose per-layer ratios (uniform or from a sensitivity profile), prune — structured: remove
/// the lowest-L1 channels of every channel group and recalibrate batch-norm statistics; unstructured: magnitude
/// masks on a polynomial schedule that stay applied after every optimizer step — then fine-tune, with Hinton distillation from `teacher` when given, keeping
/// the best validation accuracy, and write `checkpointPath`.
public enum PruningPipeline {
    /// Loads a float checkpoint for pruning; a quantized one (its metadata has `quantization`) is refused.
    public static func loadFloatModel(_ path: String, on backend: Backend) throws -> TrainedModel {
        if try Checkpoint(contentsOf: path).metadata[Checkpoint.Key.quantization] != nil {
            throw CondenseError.file(path: path, "the model is quantized (its __metadata__ has '" +
                                     Checkpoint.Key.quantization + "'); prune the float model, then quantize")
        }
        return try TrainedModel.load(path, on: backend)
    }

    /// Prunes `model` and fine-tunes the result on `dataset`.
    ///
    /// - Parameters:
    ///   - model: the model to prune. Structured pruning leaves it as it is and returns a new, smaller model;
    ///     unstructured pruning masks its weights in place (the result's `model` is the same object).
    ///   - teacher: when given, fine-tuning is Hinton distillation from it (`options.temperature`, `alpha`).
    ///   - checkpointPath: where the best fine-tuned (or, without epochs, the pruned) model is written.
    ///   - progress: fine-tuning progress, as `Training.train` reports it.
    public static func run(_ model: TrainedModel, on dataset: ImageDataset, options: PruningOptions,
                           teacher: TrainedModel? = nil, checkpointPath: String?,
                           progress: (TrainingEvent) -> Void = { _ in }) throws -> PruningResult {
        guard options.sparsity >= 0, options.sparsity < 1 else {
            throw CondenseError.invalidArgument(op: "prune", "sparsity must be in [0, 1), got \(options.sparsity)")
        }
        guard options.fineTuning.epochs == 0 || dataset.train.count > 0, dataset.validation.count > 0 else {
            throw CondenseError.invalidArgument(op: "prune", "\(dataset.name) needs training images to fine-tune " +
                                                "and validation images to choose the best epoch")
        }
        if let profile = options.sensitivity, profile.structured != options.structured {
            throw CondenseError.invalidArgument(op: "prune", "the sensitivity profile is \(profile.structured ? "" : "un")" +
                                                "structured, the pruning asked for is not")
        }
        try Evaluation.checkCompatible(model, dataset)
        let pruning: PruningStage = options.structured ? try StructuredStage(model, options)
            : try UnstructuredStage(model, options)
        let pruned = pruning.model
        if options.structured, options.calibrationImages > 0 {
            try BatchNormRecalibration.run(pruned, on: dataset.train, dataset: dataset, images: options.calibrationImages,
                                           batchSize: options.fineTuning.batchSize)
        }
        let prunedValidation = pruning.isPrunedBeforeTraining
            ? try Evaluation.evaluate(pruned, on: dataset.validation, dataset: dataset).accuracy : nil
        var training: TrainingSummary? = nil
        if options.fineTuning.epochs > 0 {
            let distillation = try teacher.map {
                try Distillation(teacher: $0, student: pruned, temperature: options.temperature, alpha: options.alpha)
            }
            let batch = options.fineTuning.batchSize
            let steps = min(options.fineTuning.epochs * ((dataset.train.count + batch - 1) / max(batch, 1)),
                            options.fineTuning.maxSteps ?? .max)  // the pruning schedule ends by the last step
            training = try Training.train(pruned, on: dataset, options: options.fineTuning, checkpointPath: checkpointPath,
                                          objective: distillation?.objective, hooks: try pruning.hooks(steps: steps),
                                          progress: progress)
        } else if let checkpointPath, World.group.isPrimary {  // in a data-parallel job rank 0 writes
            try pruned.save(to: checkpointPath)
        }
        let test = try training?.test ?? Evaluation.evaluate(pruned, on: dataset.test, dataset: dataset)
        return PruningResult(model: pruned, layers: pruning.layers, tolerance: pruning.tolerance,
                             sparsity: try pruning.sparsity(),
                             prunedValidationAccuracy: prunedValidation, training: training, test: test)
    }
}
