/// What an import of an image folder or manifest found, for `condense data info` and kept beside the cache: the
/// classes, images per split and class, the image sizes and channels met, what the dataset was made of, the files
/// skipped as bad (with the reason) and the files ignored as not images.
public struct ImportSummary: Codable, Sendable, Equatable {
    /// One file left out with `--skip-bad`.
    public struct SkippedFile: Codable, Sendable, Equatable {
        public let path: String, reason: String
    }

    public let source: String
    public let classNames: [String]
    /// Images per class, per split (`train`, `val`, `test`).
    public let counts: [String: [Int]]
    /// How many images had each size, as `W×H`.
    public let sizes: [String: Int]
    /// How many images were grey (`1`) and colour (`3`).
    public let channelsFound: [String: Int]
    /// The dataset's image side and channels.
    public let imageSize: Int, channels: Int
    public let skipped: [SkippedFile]
    public let ignored: [String]
    /// The split's fractions and seed, as printed.
    public let split: String
}
