import CondenseCore
import CondenseNN

/// One optimizer step on one batch, in the order every trainer shares: the objective's forward pass and loss on the
/// tape, backward, the gradient hook, clipping of the global gradient norm, and the optimizer's update. Training,
/// distillation, pruning fine-tuning and QAT all step through it (they differ only in the objective and the hooks
/// they hand to `Training.train`), so the gradient hook is the one place where data-parallel training averages
/// gradients across processes before they are clipped and applied.
public final class TrainingStep {
    /// Every parameter the step trains (the model's, then any auxiliary ones).
    public let parameters: [Variable]
    public let optimizer: Optimizer
    private let objective: Training.Objective
    private let clipNorm: Float?
    private let afterBackward: (_ parameters: [Variable]) throws -> Void

    /// A step that trains `parameters` with `optimizer` on `objective`, clipping the gradient norm to `clipNorm`
    /// when given and calling `afterBackward` with the parameters once their gradients are complete.
    public init(parameters: [Variable], optimizer: Optimizer, objective: @escaping Training.Objective,
                clipNorm: Float? = nil, afterBackward: @escaping (_ parameters: [Variable]) throws -> Void = { _ in }) {
        self.parameters = parameters
        self.optimizer = optimizer
        self.objective = objective
        self.clipNorm = clipNorm
        self.afterBackward = afterBackward
    }

    /// Runs the step on `batch` at `learningRate` and returns the batch's loss and logits, still on the device.
    public func callAsFunction(_ batch: TrainingBatch, learningRate: Float) throws -> (loss: Variable, logits: Variable) {
        optimizer.learningRate = learningRate
        for parameter in parameters { parameter.zeroGrad() }
        let (output, tape) = try Tape.record { try objective(batch) }
        try tape.backward(from: output.loss)
        try afterBackward(parameters)
        if let clipNorm { try clipGradientNorm(parameters, maxNorm: clipNorm) }
        try optimizer.step()
        return output
    }
}
