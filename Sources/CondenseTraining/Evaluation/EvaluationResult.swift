/// A model's figures on one split.
public struct EvaluationResult: Sendable {
    public let accuracy: Double
    public let auc: Double
    public let images: Int
    public let imagesPerSecond: Double
}
