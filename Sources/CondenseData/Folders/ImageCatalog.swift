/// The image files of a folder or manifest before any is decoded: each file with its class and, where the user
/// gave one, its split; the class names in sorted order; and the files that are not images, ignored and counted.
struct ImageCatalog: Sendable {
    /// The three splits by the names folders and manifests use.
    enum SplitName: String, Sendable, CaseIterable {
        case train, val, test
    }

    /// One image file.
    struct Entry: Sendable {
        let file: ImageFile
        /// The path as the user wrote it (relative to the folder or the CSV), for messages and the cache key.
        let name: String
        let label: Int
        let split: SplitName?
    }

    /// The folder or CSV file read.
    let source: String
    let classNames: [String]
    let entries: [Entry]
    /// Files that are not images (names relative to the source), skipped without error.
    let ignored: [String]
}
