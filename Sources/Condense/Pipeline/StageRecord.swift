/// One epoch of a training curve.
public struct EpochPoint: Codable, Equatable, Sendable {
    public let epoch: Int
    public let loss: Double
    public let trainAccuracy: Double
    public let validationAccuracy: Double
}

/// What one stage of `condense run` produced: the model file and its figures on the test split. Written next to the
/// model when the stage finishes, so a rerun skips the stage and reports the same figures.
public struct StageRecord: Codable, Equatable, Sendable {
    /// `teacher`, `student`, `pruned`, `int8` or `final`.
    public let stage: String
    /// The model, in words (`resnet20 ×2`, `mobilenetv2 ×0.35, 50% channels pruned`).
    public let model: String
    /// The file the figures describe, relative to the output folder.
    public let file: String
    public let accuracy: Double
    /// Nil where the AUC is undefined (one class among the test labels).
    public let auc: Double?
    public let parameters: Int
    public let nonzeroParameters: Int
    public let sizeBytes: Int
    /// Inference throughput on the test split.
    public let imagesPerSecond: Double
    /// The whole stage's wall time (set by the pipeline when the stage ends).
    public var wallSeconds: Double
    /// The training curve (empty for stages that do not train).
    public let history: [EpochPoint]
    /// The training warnings (`TrainingWarning`: loss jumps, validation far below training accuracy) of a stage that
    /// trains; nil for stages that do not, and in records written before warnings were kept.
    public let warnings: [String]?
}
