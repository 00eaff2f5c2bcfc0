import CondenseCore
import CondenseDistributed
import CondenseNN

/// One optimizer step on one batch, in the order every trainer shares: the objective's forward pass and loss on the
/// tape, backward, the gradient hook, clipping of the global gradient norm, and the optimizer's update. Training,
/// distillation, pruning fine-tuning and QAT all step through it (they differ only in the objective and the hooks
/// they hand to `Training.train`), so it is the one place where data-parallel training averages gradients across
/// processes (bucket by bucket while backward runs, finished before the gradient hook) before they are clipped and
/// applied.
public final class TrainingStep {
    /// Every parameter the step trains (the model's, then any auxiliary ones).
    public let parameters: [Variable]
    public let optimizer: Optimizer
    private let objective: Training.Objective
    private let clipNorm: Float?
    /// Averages the gradients over a data-parallel job; nil when the job is this process alone.
    private let averager: GradientAverager?
    private let afterBackward: (_ parameters: [Variable]) throws -> Void

    /// A step that trains `parameters` with `optimizer` on `objective`, averaging gradients with `averager` when
    /// given, clipping the gradient norm to `clipNorm` when given and calling `afterBackward` with the parameters
    /// once their gradients are complete (and averaged).
    public init(parameters: [Variable], optimizer: Optimizer, objective: @escaping Training.Objective,
                clipNorm: Float? = nil, averager: GradientAverager? = nil,
                afterBackward: @escaping (_ parameters: [Variable]) throws -> Void = { _ in }) {
        self.parameters = parameters
        self.optimizer = optimizer
        self.objective = objective
        self.clipNorm = clipNorm
        self.averager = averager
        self.afterBackward = afterBackward
    }

    /// Runs the step on `batch` at `learningRate` and returns the batch's loss and logits, still on the device.
    public func callAsFunction(_ batch: TrainingBatch, learningRate: Float) throws -> (loss: Variable, logits: Variable) {
        optimizer.learningRate = learningRate
        for parameter in parameters { parameter.zeroGrad() }
        let (output, tape) = try Tape.record { try objective(batch) }
        if let averager { try averager.backward(tape, from: output.loss, averaging: parameters) } else {
            try tape.backward(from: output.loss)
        }
        try afterBackward(parameters)
        if let clipNorm { try clipGradientNorm(parameters, maxNorm: clipNorm) }
        try optimizer.step()
        return output
    }
}
