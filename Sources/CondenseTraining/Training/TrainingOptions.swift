import CondenseCore
import CondenseNN

/// How a model is trained. The defaults are the one recipe every command (`train`, `distill`, `prune`, `quantize`) and
/// `condense run` start from: SGD with Nesterov momentum 0.9 at a peak learning rate of 0.05 (warm-up of one epoch, at
/// most a quarter of the run, cosine decay), weight decay 5e-4, batches of 128, horizontal flips without random crops.
/// On BloodMNIST at 4 epochs it trains MobileNetV2 ×0.35 to 0.891 test ACC (0.921 distilled) where AdamW 2e-3 with
/// random crops reached 0.772 (0.802) (Benchmarks/RESULTS.md). Before every validation the batch norms' statistics are
/// re-estimated from 2,048 training images. Fine-tuning after pruning uses `fineTuningLearningRate`; QAT its own
/// (`QuantizationOptions`).
public struct TrainingOptions: Sendable {
    /// The peak learning rate of fine-tuning a trained model after pruning (`condense prune` and `run`).
    public static let fineTuningLearningRate: Float = 0.01

    public var epochs = 10
    public var batchSize = 128
    /// Peak learning rate (after a one-epoch linear warm-up, then cosine decay to zero).
    public var learningRate: Float = 0.05
    public var weightDecay: Float = 5e-4
    public var optimizer = OptimizerKind.sgd
    public var labelSmoothing: Float = 0
    /// Clip the global gradient norm to this value (nil: no clipping).
    public var clipNorm: Float?
    /// Random crop from padded images and horizontal flips.
    public var augment = true
    /// Zero padding of the random crop when augmenting (nil: an eighth of the image side, at least 2; 0: flips only,
    /// which trains a better MobileNetV2 ×0.35 on BloodMNIST in 4 epochs: 0.891 against 0.884 test ACC).
    public var cropPadding: Int? = 0
    public var seed: UInt64 = 0
    /// Stop after this many optimizer steps (nil: run every epoch), then validate and keep the weights as at an
    /// epoch's end. The learning-rate schedule stays that of the whole run, so the steps taken are exactly the first
    /// steps of the full run (for smoke runs, benchmarks and tests).
    public var maxSteps: Int?
    /// In a data-parallel job, batch-norm statistics over the whole global batch rather than each process's part
    /// (PyTorch's `SyncBatchNorm`); no effect in a single process.
    public var synchronizeBatchNorm = false
    /// Before every validation, re-estimate every batch norm's statistics from this many training images (whole
    /// batches of a seeded shuffle, no augmentation) with the weights fixed, instead of keeping the running averages
    /// training left ("precise BN"; 0, or a training split smaller than this, keeps them). At a high learning rate the running averages lag the weights: on
    /// grey BloodMNIST, MobileNetV2 ×0.35 scored 0.754 on validation after epoch 2 with them and 0.852 with
    /// re-estimated ones (Benchmarks/RESULTS.md).
    public var batchNormRecalibrationImages = 2048

    public init() {}

    /// Throws unless every field is in its domain, naming the field and what it must be (`Training.train` checks
    /// this first; callers may check earlier, before loading data).
    public func validate() throws {
        func refuse(_ detail: String) -> CondenseError { .invalidArgument(op: "train", detail) }
        guard epochs >= 1 else { throw refuse("epochs must be ≥ 1, got \(epochs)") }
        guard batchSize >= 1 else { throw refuse("batch size must be ≥ 1, got \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw refuse("learning rate must be a finite number > 0, got \(learningRate)")
        }
        guard weightDecay >= 0, weightDecay.isFinite else {
            throw refuse("weight decay must be a finite number ≥ 0, got \(weightDecay)")
        }
        if let maxSteps, maxSteps < 1 { throw refuse("the most optimizer steps must be ≥ 1, got \(maxSteps)") }
        guard batchNormRecalibrationImages >= 0 else {
            throw refuse("batch-norm recalibration images must be ≥ 0, got \(batchNormRecalibrationImages)")
        }
        if let clipNorm, !(clipNorm > 0 && clipNorm.isFinite) {
            throw refuse("the gradient clipping norm must be a finite number > 0, got \(clipNorm)")
        }
    }

    /// The optimizer `optimizer` names, updating `parameters`.
    func makeOptimizer(for parameters: [Variable]) throws -> Optimizer {
        switch optimizer {
        case .sgd: try SGD(parameters, options: SGDOptions(learningRate: learningRate, momentum: 0.9,
                                                           weightDecay: weightDecay, nesterov: true))
        case .adamw: try AdamW(parameters, options: AdamWOptions(learningRate: learningRate, weightDecay: weightDecay))
        }
    }

    /// The learning rate of every step: a linear warm-up from a tenth of the peak (`warmupSteps(stepsPerEpoch:)`),
    /// in front of a cosine decay to zero at the last of `epochs × stepsPerEpoch` steps.
    func schedule(stepsPerEpoch: Int) -> some LearningRateSchedule {
        WarmupSchedule(CosineSchedule(base: Double(learningRate), totalSteps: epochs * stepsPerEpoch),
                       warmupSteps: warmupSteps(stepsPerEpoch: stepsPerEpoch), startFactor: 0.1)
    }

    /// The learning rate's warm-up: the first epoch, or the first quarter of the run's steps (at least its first
    /// step) when that is shorter. A run of 4 epochs or more warms up for exactly one epoch; a shorter one keeps three
    /// quarters of its steps for the peak and the decay (a one-epoch run warmed up for all of them and reached 0.81 on
    /// BloodMNIST, not 0.84); a run of a few steps still starts at a tenth of the peak (a 2-step run on 8 DICOM images
    /// diverged from a first step at the peak).
    public func warmupSteps(stepsPerEpoch: Int) -> Int {
        min(stepsPerEpoch, max(1, epochs * stepsPerEpoch / 4))
    }
}
