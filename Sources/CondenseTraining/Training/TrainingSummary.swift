/// What a training run produced.
public struct TrainingSummary: Sendable {
    public let bestValidationAccuracy: Double
    public let test: EvaluationResult
    public let imagesPerSecond: Double
    public let wallSeconds: Double
    /// Loss jumps and validation gaps seen while training, in order (empty for a healthy run).
    public let warnings: [TrainingWarning]
}
