import CondenseCore
import CondenseNN

/// How a model is trained (PyTorch-style defaults for small medical images).
public struct TrainingOptions: Sendable {
    public var epochs = 10
    public var batchSize = 128
    /// Peak learning rate (after a one-epoch linear warm-up, then cosine decay to zero).
    public var learningRate: Float = 2e-3
    public var weightDecay: Float = 5e-4
    public var optimizer = OptimizerKind.adamw
    public var labelSmoothing: Float = 0
    /// Clip the global gradient norm to this value (nil: no clipping).
    public var clipNorm: Float?
    /// Random crop from padded images and horizontal flips.
    public var augment = true
    /// Zero padding of the random crop when augmenting (nil: an eighth of the image side, at least 2; 0: flips only).
    public var cropPadding: Int?
    public var seed: UInt64 = 0
    /// In a data-parallel job, batch-norm statistics over the whole global batch rather than each process's part
    /// (PyTorch's `SyncBatchNorm`); no effect in a single process.
    public var synchronizeBatchNorm = false

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

    /// The learning rate of every step: a linear warm-up from a tenth of the peak over the first epoch, in front of
    /// a cosine decay to zero at the last of `epochs × stepsPerEpoch` steps.
    func schedule(stepsPerEpoch: Int) -> some LearningRateSchedule {
        WarmupSchedule(CosineSchedule(base: Double(learningRate), totalSteps: epochs * stepsPerEpoch),
                       warmupSteps: stepsPerEpoch, startFactor: 0.1)
    }
}
