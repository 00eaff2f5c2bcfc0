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
    /// Blocks of any one stage (`ModelConfiguration.blocksPerStage`; resnet56 has 9).
    public static let blocksPerStage: ClosedRange<Int> = 1...64

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
