/// When quantization-aware training stops updating activation ranges and batch-norm statistics (PyTorch's
/// `disable_observer` and `freeze_bn_stats`), counted in training steps: steps 1…N update them, later steps use the
/// values reached. nil: never frozen.
public struct QuantizationSchedule: Equatable, Sendable {
    /// Steps during which the activation observers update their ranges.
    public var freezeObserversAfter: Int?
    /// Steps during which batch norm normalizes with batch statistics and updates its running ones; afterwards it
    /// uses the running statistics (still training γ and β), as the folded INT8 model will.
    public var freezeBatchNormAfter: Int?

    public init(freezeObserversAfter: Int? = nil, freezeBatchNormAfter: Int? = nil) {
        self.freezeObserversAfter = freezeObserversAfter
        self.freezeBatchNormAfter = freezeBatchNormAfter
    }

    /// Whether the observers update during training step `step` (counted from 1).
    public func observes(atStep step: Int) -> Bool { freezeObserversAfter.map { step <= $0 } ?? true }

    /// Whether batch norm uses batch statistics during training step `step`.
    public func trainsBatchNorm(atStep step: Int) -> Bool { freezeBatchNormAfter.map { step <= $0 } ?? true }
}
