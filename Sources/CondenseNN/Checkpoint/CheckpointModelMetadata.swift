import CondenseCore

/// What a Condense checkpoint's metadata says about its model, read and checked field by field before any of it
/// sizes memory: the configuration (within `ModelLimits`), the per-channel normalization (one finite mean and one
/// finite positive standard deviation per input channel) and one class name per class.
///
/// Every problem is a `CondenseError.file` naming the checkpoint, the metadata key and what was expected
/// ("metadata 'width' is inf; expected a finite number in 0.015625…8.0").
public struct CheckpointModelMetadata: Equatable, Sendable {
    public let configuration: ModelConfiguration
    public let normalizationMean: [Float]
    public let normalizationStd: [Float]
    public let classNames: [String]

    /// Reads the model metadata of `checkpoint`, read from `path`.
    public init(_ checkpoint: Checkpoint, path: String) throws {
        typealias Key = Checkpoint.Key
        var checkpoint = checkpoint
        checkpoint.source = path  // so that the typed accessors' errors name it too
        func required<T>(_ value: T?, _ key: String) throws -> T {
            guard let value else { throw CondenseError.file(path: path, "metadata lacks '\(key)': not a Condense checkpoint") }
            return value
        }
        func invalid(_ key: String, _ detail: String) -> CondenseError {
            CondenseError.file(path: path, "metadata '\(key)' \(detail)")
        }
        let architectureName = try required(checkpoint.metadataString(Key.architecture), Key.architecture)
        let inputShape = try required(try checkpoint.metadataInts(Key.inputShape), Key.inputShape)
        guard inputShape.count == 3, inputShape[1] == inputShape[2] else {
            throw invalid(Key.inputShape, "is \(inputShape.abbreviatedDescription); expected [C, H, W] of square images " +
                          "(H = W)")
        }
        let width = try checkpoint.metadataFloat(Key.width) ?? 1
        let classes = try required(try checkpoint.metadataInt(Key.classes), Key.classes)
        let blockChannels = try checkpoint.metadataInts(Key.blockChannels)
        let blocksPerStage = try checkpoint.metadataInts(Key.blocksPerStage)
        let mean = try required(try checkpoint.metadataFloats(Key.normalizationMean), Key.normalizationMean)
        let std = try required(try checkpoint.metadataFloats(Key.normalizationStd), Key.normalizationStd)
        let configuration: ModelConfiguration
        do {
            configuration = ModelConfiguration(
                architecture: try ModelConfiguration.architecture(named: architectureName), width: Double(width),
                classes: classes, inputChannels: inputShape[0], imageSize: inputShape[1], blockChannels: blockChannels,
                blocksPerStage: blocksPerStage)
            try configuration.validate()
            try configuration.validateNormalization(mean: mean, std: std)
        } catch let error as ModelConfiguration.InvalidField {
            throw error.field == .architecture ? CondenseError.file(path: path, "metadata \(error)")
                : invalid(error.field.rawValue, "is \(error.value); expected \(error.expected)")
        }
        let classNames = try required(try checkpoint.metadataStrings(Key.classNames), Key.classNames)
        guard classNames.count == configuration.classes else {
            throw invalid(Key.classNames, "has \(classNames.count) names; expected \(configuration.classes), one per " +
                          "class")
        }
        self.configuration = configuration
        normalizationMean = mean
        normalizationStd = std
        self.classNames = classNames
    }
}
