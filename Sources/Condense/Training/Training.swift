import CondenseCore
import CondenseData
import CondenseNN

/// How a model is trained (PyTorch-style defaults for small medical images).
public struct TrainingOptions: Sendable {
    public var epochs = 10
    public var batchSize = 128
    /// Peak learning rate (after a one-epoch linear warm-up, then cosine decay to zero).
    public var learningRate: Float = 2e-3
    public var weightDecay: Float = 5e-4
    /// `adamw`, or `sgd` (momentum 0.9, Nesterov).
    public var optimizer = "adamw"
    public var labelSmoothing: Float = 0
    /// Clip the global gradient norm to this value (nil: no clipping).
    public var clipNorm: Float?
    /// Random crop from padded images and horizontal flips.
    public var augment = true
    /// Zero padding of the random crop when augmenting (nil: an eighth of the image side, at least 2; 0: flips only).
    public var cropPadding: Int?
    public var seed: UInt64 = 0

    public init() {}
}

/// Progress of a training run, for terminals (`--json` runs stay quiet).
public enum TrainingEvent {
    case step(epoch: Int, epochs: Int, step: Int, steps: Int, loss: Double, accuracy: Double, imagesPerSecond: Double,
              etaSeconds: Double)
    case epoch(epoch: Int, epochs: Int, loss: Double, accuracy: Double, validationAccuracy: Double, improved: Bool)
}

/// Calls the training loop makes into code that shapes the model while it trains, such as pruning masks.
public struct TrainingHooks {
    /// After every optimizer step, with the step's index from 0 (e.g. re-applying pruning masks).
    public var afterStep: (_ step: Int) throws -> Void
    /// Whether the weights at the end of an epoch whose last step had index `lastStep` may be kept as the best on
    /// validation (e.g. not before a pruning schedule reaches its final sparsity).
    public var mayKeep: (_ lastStep: Int) -> Bool

    public init(afterStep: @escaping (_ step: Int) throws -> Void = { _ in },
                mayKeep: @escaping (_ lastStep: Int) -> Bool = { _ in true }) {
        self.afterStep = afterStep
        self.mayKeep = mayKeep
    }
}

/// What a training run produced.
public struct TrainingSummary: Sendable {
    public let bestValidationAccuracy: Double
    public let test: EvaluationResult
    public let imagesPerSecond: Double
    public let wallSeconds: Double
}

/// The training loop: seeded batches, forward and backward on the tape, optimizer step with a warm-up + cosine
/// schedule, validation every epoch, and the best-on-validation weights kept (and written to `checkpointPath`,
/// atomically, whenever they improve; `hooks` may run after each step and rule epochs out). Loss and accuracy
/// accumulate on the device and are read back only to report.
public enum Training {
    /// The student's forward pass and loss on one batch, returning both (cross entropy by default; distillation
    /// passes its own, which may also look at intermediate features or cached teacher outputs).
    public typealias Objective = (_ batch: TrainingBatch) throws -> (loss: Variable, logits: Variable)

    /// Trains `model` (and `auxiliaryParameters`, trained alongside but not part of the model, such as FitNets
    /// regressors) with `objective`.
    public static func train(_ model: TrainedModel, on dataset: ImageDataset, options: TrainingOptions,
                             checkpointPath: String?, objective: Objective? = nil,
                             auxiliaryParameters: [Variable] = [], hooks: TrainingHooks = TrainingHooks(),
                             progress: (TrainingEvent) -> Void = { _ in }) throws -> TrainingSummary {
        try Evaluation.checkCompatible(model, dataset)
        guard options.epochs >= 1, options.batchSize >= 1, options.learningRate > 0 else {
            throw CondenseError.invalidArgument(op: "train", "epochs, batch size and learning rate must be positive")
        }
        let backend = try model.module.backend
        let normalization = Normalization(mean: model.normalizationMean, std: model.normalizationStd)
        let loader = BatchLoader(dataset.train, of: dataset, batchSize: options.batchSize, normalization: normalization,
                                 shuffle: true, augment: options.augment, cropPadding: options.cropPadding,
                                 seed: options.seed)
        let parameters = model.module.namedParameters().map(\.variable) + auxiliaryParameters
        let optimizer: Optimizer = switch options.optimizer {
        case "sgd": try SGD(parameters, options: SGDOptions(learningRate: options.learningRate, momentum: 0.9,
                                                            weightDecay: options.weightDecay, nesterov: true))
        case "adamw": try AdamW(parameters, options: AdamWOptions(learningRate: options.learningRate,
                                                                  weightDecay: options.weightDecay))
        default: throw CondenseError.invalidArgument(op: "train", "unknown optimizer '\(options.optimizer)' (sgd, adamw)")
        }
        let totalSteps = options.epochs * loader.batchCount
        let schedule = WarmupSchedule(CosineSchedule(base: Double(options.learningRate), totalSteps: totalSteps),
                                      warmupSteps: loader.batchCount, startFactor: 0.1)
        let objective = objective ?? { batch in
            let logits = try model.module(batch.images)
            return (try crossEntropy(logits, labels: batch.labels, labelSmoothing: options.labelSmoothing), logits)
        }
        var best: (accuracy: Double, checkpoint: Checkpoint)? = nil
        let start = Stopwatch.now()
        var trainedImages = 0, step = 0
        for epoch in 0..<options.epochs {
            model.module.train(true)
            let lossSum = try backend.full([1], value: 0), correct = try backend.full([1], value: 0)
            let count = try backend.allocate([1], dtype: .float32)
            var epochImages = 0, lastReport = Stopwatch.now()
            for (index, batch) in loader.batches(epoch: epoch).enumerated() {
                let images = Variable(try backend.tensor(batch.images, shape: Shape(batch.shape)))
                let labels = try backend.allocate([batch.labels.count], dtype: .int32)
                try batch.labels.withUnsafeBytes { try backend.write($0, to: labels) }
                optimizer.learningRate = Float(schedule.learningRate(at: step))
                model.module.zeroGrad()
                for parameter in auxiliaryParameters { parameter.zeroGrad() }
                let (loss, tape) = try Tape.record {
                    try objective(TrainingBatch(images: images, labels: labels, indices: batch.indices))
                }
                try tape.backward(from: loss.0)
                if let clipNorm = options.clipNorm { try clipGradientNorm(parameters, maxNorm: clipNorm) }
                try optimizer.step()
                try hooks.afterStep(step)
                try backend.axpy(alpha: Float(batch.labels.count), x: loss.0.value, y: lossSum)
                try backend.countCorrect(logits: loss.1.value, labels: labels, output: count)
                try backend.axpy(alpha: 1, x: count, y: correct)
                epochImages += batch.labels.count
                trainedImages += batch.labels.count
                step += 1
                if Stopwatch.now() - lastReport > 1 || index + 1 == loader.batchCount {
                    lastReport = Stopwatch.now()
                    let rate = Double(trainedImages) / max(lastReport - start, 1e-9)
                    progress(.step(epoch: epoch + 1, epochs: options.epochs, step: index + 1, steps: loader.batchCount,
                                   loss: Double(try lossSum.toHost()[0]) / Double(epochImages),
                                   accuracy: Double(try correct.toHost()[0]) / Double(epochImages),
                                   imagesPerSecond: rate,
                                   etaSeconds: Double(totalSteps - step) * Double(options.batchSize) / rate))
                }
            }
            let validation = try Evaluation.evaluate(model, on: dataset.validation, dataset: dataset)
            let improved = hooks.mayKeep(step - 1) && validation.accuracy > (best?.accuracy ?? -1)
            if improved {
                let checkpoint = try model.checkpoint()
                best = (validation.accuracy, checkpoint)
                if let checkpointPath { try checkpoint.write(to: checkpointPath) }
            }
            progress(.epoch(epoch: epoch + 1, epochs: options.epochs,
                            loss: Double(try lossSum.toHost()[0]) / Double(max(epochImages, 1)),
                            accuracy: Double(try correct.toHost()[0]) / Double(max(epochImages, 1)),
                            validationAccuracy: validation.accuracy, improved: improved))
        }
        let wall = Stopwatch.now() - start
        if let best { try model.load(best.checkpoint, path: checkpointPath ?? "best weights") }
        let test = try Evaluation.evaluate(model, on: dataset.test, dataset: dataset)
        return TrainingSummary(bestValidationAccuracy: best?.accuracy ?? 0, test: test,
                               imagesPerSecond: Double(trainedImages) / max(wall, 1e-9), wallSeconds: wall)
    }
}
