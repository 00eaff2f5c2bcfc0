import CondenseCore
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

    /// Throws unless the run has epochs, batches and a learning rate.
    func validate() throws {
        guard epochs >= 1, batchSize >= 1, learningRate > 0 else {
            throw CondenseError.invalidArgument(op: "train", "epochs, batch size and learning rate must be positive")
        }
    }

    /// The optimizer `optimizer` names, updating `parameters`.
    func makeOptimizer(for parameters: [Variable]) throws -> Optimizer {
        switch optimizer {
        case "sgd": try SGD(parameters, options: SGDOptions(learningRate: learningRate, momentum: 0.9,
                                                            weightDecay: weightDecay, nesterov: true))
        case "adamw": try AdamW(parameters, options: AdamWOptions(learningRate: learningRate, weightDecay: weightDecay))
        default: throw CondenseError.invalidArgument(op: "train", "unknown optimizer '\(optimizer)' (sgd, adamw)")
        }
    }

    /// The learning rate of every step: a linear warm-up from a tenth of the peak over the first epoch, in front of
    /// a cosine decay to zero at the last of `epochs × stepsPerEpoch` steps.
    func schedule(stepsPerEpoch: Int) -> some LearningRateSchedule {
        WarmupSchedule(CosineSchedule(base: Double(learningRate), totalSteps: epochs * stepsPerEpoch),
                       warmupSteps: stepsPerEpoch, startFactor: 0.1)
    }
}
