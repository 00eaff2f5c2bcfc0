/// A model's figures on one split.
public struct EvaluationResult: Sendable {
    public let accuracy: Double
    /// Macro one-vs-rest ROC AUC; nil where it is undefined (only one class among the labels scored).
    public let auc: Double?
    public let images: Int
    public let imagesPerSecond: Double
}
