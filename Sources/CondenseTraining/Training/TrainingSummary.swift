/// What a training run produced.
public struct TrainingSummary: Sendable {
    public let bestValidationAccuracy: Double
    public let test: EvaluationResult
    public let imagesPerSecond: Double
    public let wallSeconds: Double
}
