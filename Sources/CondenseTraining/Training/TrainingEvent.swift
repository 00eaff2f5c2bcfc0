/// Progress of a training run, for terminals (`--json` runs stay quiet; their results list the warnings).
public enum TrainingEvent {
    case step(epoch: Int, epochs: Int, step: Int, steps: Int, loss: Double, accuracy: Double, imagesPerSecond: Double,
              etaSeconds: Double)
    case epoch(epoch: Int, epochs: Int, loss: Double, accuracy: Double, validationAccuracy: Double, improved: Bool)
    /// A loss jump or a validation gap (`TrainingWarning`), as soon as it is seen; training goes on.
    case warning(TrainingWarning)
}
