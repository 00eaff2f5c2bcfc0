/// How an image folder or CSV manifest becomes a dataset (`--image-size`, `--data-split`, `--split-seed`,
/// `--window`, `--skip-bad`). Every field is part of the cache key.
public struct ImageFolderOptions: Sendable, Hashable {
    /// Side of the square images; nil: the longer side of the most common image size, at most `defaultSideCap`.
    public var imageSize: Int?
    /// The split of a folder without split folders (or of `train/` when `val/` is missing).
    public var split = DataSplit.standard
    /// The DICOM VOI window; nil: each file's own window, else its min–max.
    public var window: DicomWindow?
    /// Skip (count and list) unreadable or corrupt images instead of stopping at the first.
    public var skipBad = false
    /// Where decoded datasets are cached; nil: `DatasetCache.defaultFolder()`.
    public var cacheFolder: String?

    /// The default side's upper bound.
    public static let defaultSideCap = 224

    public init() {}
}

/// What an import tells as it goes: one-line notices, and decoding progress (`done` of `total` images).
public struct ImportObserver: Sendable {
    public let notice: @Sendable (String) -> Void
    public let progress: @Sendable (_ done: Int, _ total: Int) -> Void

    public init(notice: @escaping @Sendable (String) -> Void, progress: @escaping @Sendable (Int, Int) -> Void) {
        self.notice = notice
        self.progress = progress
    }

    /// Says nothing.
    public static let silent = ImportObserver(notice: { _ in }, progress: { _, _ in })
}
