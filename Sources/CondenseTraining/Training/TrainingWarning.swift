/// A sign, seen while training, that a run is going wrong without diverging: its loss jumped by a large factor
/// between two windows of steps, or its validation accuracy after an epoch fell far below its training accuracy
/// (evaluation-mode batch-norm statistics far from the training batches', or a model that stopped generalizing).
/// Training goes on; the warning is reported on the progress line, in `--json` results and in `condense run`'s
/// report.
public struct TrainingWarning: Sendable, Equatable, CustomStringConvertible {
    public enum Symptom: Sendable, Equatable {
        /// The mean loss of a window of steps was `to`, `factor` times the previous window's `from`.
        case lossJump(from: Double, to: Double)
        /// After the epoch, validation accuracy `validation` against the epoch's training accuracy `training`.
        case validationGap(training: Double, validation: Double)
    }

    public let symptom: Symptom
    /// The epoch (from 1) and the step within it (from 1) where it was seen.
    public let epoch: Int, step: Int

    public init(symptom: Symptom, epoch: Int, step: Int) {
        (self.symptom, self.epoch, self.step) = (symptom, epoch, step)
    }

    public var description: String {
        switch symptom {
        case let .lossJump(from, to):
            return "epoch \(epoch), step \(step): the loss jumped from \(Self.format(from)) to \(Self.format(to)) " +
                "(×\(Self.format(to / from))) from one tenth of an epoch to the next; an unstable run (try a " +
                "lower --lr or --clip)"
        case let .validationGap(training, validation):
            return "epoch \(epoch): validation accuracy \(Self.format(validation)) is far below training accuracy " +
                "\(Self.format(training)); batch-norm running statistics far from the training batches', or overfitting"
        }
    }

    private static func format(_ value: Double) -> String { String(format: "%.3f", value) }
}
