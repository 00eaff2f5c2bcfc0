import CondenseNN

/// A run stopped because its loss, its weights or its outputs stopped being finite numbers (a learning rate or
/// weight decay far too large). Weights that diverged are never written or kept as the best.
public struct TrainingDivergence: Error, Equatable, CustomStringConvertible {
    /// The epoch and the step within it (both from 1) after which the divergence was seen.
    public let epoch: Int, epochs: Int, step: Int, steps: Int
    /// What was not finite, in words (`the loss is nan`).
    public let symptom: String
    /// The run's peak learning rate.
    public let learningRate: Float

    public var description: String {
        "training diverged in epoch \(epoch)/\(epochs), step \(step)/\(steps): \(symptom); nothing from this " +
            "point was saved. Try a lower learning rate (--lr, peak \(learningRate)) or clipping the gradient " +
            "norm (--clip)"
    }
}

extension Checkpoint {
    /// The name of the first tensor holding a NaN or an infinity (nil when every value is finite).
    var firstNonFiniteTensor: String? {
        tensors.first { !$0.floats().allSatisfy(\.isFinite) }?.name
    }
}
