import CondenseCore
import CondenseData
import CondenseNN

/// The training loop: seeded batches, each through the shared `TrainingStep` (forward and backward on the tape,
/// gradient hook, clipping, optimizer update with a warm-up + cosine schedule), validation every epoch, and the best
/// weights on validation kept (and written to `checkpointPath`, atomically, whenever they improve; `hooks` may run
/// after each step and rule epochs out). Loss and accuracy accumulate on the device; the tallied loss at every
/// progress report, and every epoch's weights and validation logits, are checked so that a diverging run stops
/// (`TrainingDivergence`) before it writes or keeps weights that are not finite.
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
        try options.validate()
        for (name, split) in [("training", dataset.train), ("validation", dataset.validation), ("test", dataset.test)]
            where split.count == 0 {
            throw CondenseError.invalidArgument(op: "train", "\(dataset.name): the \(name) split is empty; training " +
                                                "needs images to train on, validate and test")
        }
        let objective = objective ?? { batch in
            let logits = try model.module(batch.images)
            return (try crossEntropy(logits, labels: batch.labels, labelSmoothing: options.labelSmoothing), logits)
        }
        return try TrainingRun(model, on: dataset, options: options, checkpointPath: checkpointPath,
                               objective: objective, auxiliaryParameters: auxiliaryParameters, hooks: hooks)
            .run(progress: progress)
    }
}
