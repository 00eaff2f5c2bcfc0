extension ModelConfiguration {
    /// The configuration's fields, named as checkpoint metadata names them (`Checkpoint.Key`), so that a caller can
    /// map a problem to its flag or metadata key.
    public enum Field: String, Sendable {
        case architecture, width, classes
        case inputChannels = "input_shape[0]"
        case imageSize = "input_shape[1]"
        case blockChannels = "block_channels"
        case blocksPerStage = "blocks_per_stage"
        case normalizationMean = "normalization_mean"
        case normalizationStd = "normalization_std"
    }

    /// A field outside `ModelLimits`, or an architecture name that names no `Architecture`.
    public struct InvalidField: Error, Equatable, CustomStringConvertible {
        public let field: Field
        /// The value as given.
        public let value: String
        /// What the field must be.
        public let expected: String
        public var description: String {
            field == .architecture ? "unknown architecture \(value); choose \(expected)"
                : "\(field.rawValue) is \(value); expected \(expected)"
        }
    }

    /// The architecture `name` names; throws `InvalidField` listing the known names when it names none.
    public static func architecture(named name: String) throws -> Architecture {
        guard let architecture = Architecture(rawValue: name) else {
            throw InvalidField(field: .architecture, value: "'\(name.excerpt)'",
                               expected: "one of " + Architecture.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return architecture
    }

    /// Throws `InvalidField` for the first field outside `ModelLimits`: a width that is not finite or out of range,
    /// classes, input channels or image size out of range, or a `blockChannels` entry outside
    /// 1…`ModelLimits.maximumChannels`, or a `blocksPerStage` entry outside `ModelLimits.blocksPerStage`. (How many
    /// entries `blockChannels` and `blocksPerStage` must have depends on the architecture's structure; `build` checks
    /// that.)
    public func validate() throws {
        guard width.isFinite, ModelLimits.width.contains(width) else {
            throw InvalidField(field: .width, value: "\(width)",
                               expected: "a finite number in \(ModelLimits.describe(ModelLimits.width))")
        }
        try Self.check(classes, .classes, ModelLimits.classes)
        try Self.check(inputChannels, .inputChannels, ModelLimits.inputChannels)
        try Self.check(imageSize, .imageSize, ModelLimits.imageSize)
        if let blockChannels, !blockChannels.allSatisfy({ (1...ModelLimits.maximumChannels).contains($0) }) {
            throw InvalidField(field: .blockChannels, value: blockChannels.abbreviatedDescription,
                               expected: "channel counts in 1…\(ModelLimits.maximumChannels)")
        }
        if let blocksPerStage, !blocksPerStage.allSatisfy(ModelLimits.blocksPerStage.contains) {
            throw InvalidField(field: .blocksPerStage, value: blocksPerStage.abbreviatedDescription,
                               expected: "block counts in \(ModelLimits.describe(ModelLimits.blocksPerStage))")
        }
    }

    /// Throws `InvalidField` unless `mean` and `std` normalize this configuration's inputs: one finite mean and one
    /// finite positive standard deviation per input channel.
    public func validateNormalization(mean: [Float], std: [Float]) throws {
        guard mean.count == inputChannels, mean.allSatisfy(\.isFinite) else {
            throw InvalidField(field: .normalizationMean, value: mean.abbreviatedDescription,
                               expected: "\(inputChannels) finite numbers, one per input channel")
        }
        guard std.count == inputChannels, std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw InvalidField(field: .normalizationStd, value: std.abbreviatedDescription,
                               expected: "\(inputChannels) finite positive numbers, one per input channel")
        }
    }

    private static func check(_ value: Int, _ field: Field, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw InvalidField(field: field, value: "\(value)", expected: "an integer in \(ModelLimits.describe(range))")
        }
    }
}
