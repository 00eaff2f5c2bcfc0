import CondenseCore

/// The bounds on every number that sizes a model, checked by `ModelConfiguration.validate()` before any of them
/// sizes memory or a loop, whether it came from a command-line flag or a checkpoint's metadata.
///
/// They are generous for medical imaging (torchvision's widest standard models, 21k-class label sets, 4k-pixel
/// tiles, hyperspectral stacks) and exist to turn absurd values (`--width 1000000`, a width of `inf`, 1e9 classes)
/// into a clear error instead of a trap or an allocation the machine cannot hold.
public enum ModelLimits {
    /// Width multipliers: finite, at least 1/64 and at most 8 (every layer of every family then has at most
    /// `maximumChannels` channels).
    public static let width: ClosedRange<Double> = 0.015625...8
    /// Classes of the classifier.
    public static let classes: ClosedRange<Int> = 1...100_000
    /// Channels of the input images (1 grey, 3 RGB, more for multi-modal or hyperspectral stacks).
    public static let inputChannels: ClosedRange<Int> = 1...1024
    /// Side of the square input images, in pixels.
    public static let imageSize: ClosedRange<Int> = 1...4096
    /// Channels of any one layer, and so of each `blockChannels` entry.
    public static let maximumChannels = 16_384

    /// Throws `CondenseError.invalidArgument` for `op` unless every one of `counts` is in 1…`maximumChannels`; the
    /// blocks check the channel counts they are given before any of them sizes a layer.
    static func checkChannels(_ counts: [Int], op: String) throws {
        guard counts.allSatisfy({ (1...maximumChannels).contains($0) }) else {
            throw CondenseError.invalidArgument(op: op, "channel counts \(counts.abbreviatedDescription) must be in " +
                                                "1…\(maximumChannels)")
        }
    }

    /// "1…100000": a range as error messages write it.
    static func describe<Bound>(_ range: ClosedRange<Bound>) -> String { "\(range.lowerBound)…\(range.upperBound)" }
}

extension ModelConfiguration {
    /// The configuration's fields, named as checkpoint metadata names them (`Checkpoint.Key`), so that a caller can
    /// map a problem to its flag or metadata key.
    public enum Field: String, Sendable {
        case architecture, width, classes
        case inputChannels = "input_shape[0]"
        case imageSize = "input_shape[1]"
        case blockChannels = "block_channels"
        case normalizationMean = "normalization_mean"
        case normalizationStd = "normalization_std"
    }

    /// A field outside `ModelLimits` (or an architecture `build` does not know).
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

    /// Throws `InvalidField` for the first field outside `ModelLimits`: an unknown architecture, a width that is
    /// not finite or out of range, classes, input channels or image size out of range, or a `blockChannels` entry
    /// outside 1…`ModelLimits.maximumChannels`. (How many entries `blockChannels` must have depends on the
    /// architecture's structure; `build` checks that.)
    public func validate() throws {
        guard Self.architectures.contains(architecture) else {
            throw InvalidField(field: .architecture, value: "'\(architecture)'",
                               expected: "one of " + Self.architectures.joined(separator: ", "))
        }
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

extension Array {
    /// The list as Swift prints it, cut after its first 16 elements ("[1, 2, …, 16, … (1000 values)]"), for error
    /// messages about lists that may be huge.
    var abbreviatedDescription: String {
        count <= 16 ? description : "\(Array(prefix(16)).description.dropLast()), … (\(count) values)]"
    }
}
