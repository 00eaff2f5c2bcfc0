import CondenseCore
import Foundation

/// Turns a folder of class folders, a split folder or a CSV manifest into an `ImageDataset`, as if the images had
/// been converted to a MedMNIST file: catalog the files, read every header (sizes, channels; limits checked before
/// any pixel memory), choose the side and channels, split, decode and resample every image once over all cores, and
/// cache the result (`DatasetCache`), which later loads read instead.
public enum ImageFolderLoader {
    /// The dataset and what the import found.
    public static func load(_ path: String, options: ImageFolderOptions = ImageFolderOptions(),
                            limits: DataLimits = .standard,
                            observer: ImportObserver = .silent) throws -> (dataset: ImageDataset, summary: ImportSummary) {
        let isCSV = !ClassFolders.isFolder(path)
        let catalog = isCSV ? try CSVManifest.catalog(path, limits: limits) : try ClassFolders.catalog(path)
        let name = ((path as NSString).standardizingPath as NSString).lastPathComponent
        let stem = isCSV ? (name as NSString).deletingPathExtension : name
        let entry = try DatasetCache.entry(for: catalog, name: stem, options: options)
        if let cached = DatasetCache.read(entry, name: stem, drawnSplit: drawnSplit(catalog, options), limits: limits) {
            observer.notice("\(path): read the decoded images from the cache, \(entry.images)")
            return cached
        }
        let (dataset, summary) = try decode(catalog, name: stem, options: options, limits: limits, observer: observer)
        var resolved = options
        resolved.imageSize = dataset.height  // what a command giving the size (a model's input size) asks for
        do {
            let aliases = options.imageSize == nil ? [try DatasetCache.entry(for: catalog, name: stem, options: resolved)] : []
            try DatasetCache.write(dataset, summary, to: entry, aliases: aliases)
            observer.notice("\(path): cached the decoded images in \(entry.images)")
        } catch {
            observer.notice("\(path): not cached (\(error)); the next load decodes again")
        }
        return (dataset, summary)
    }

    private static func decode(_ catalog: ImageCatalog, name: String, options: ImageFolderOptions, limits: DataLimits,
                               observer: ImportObserver) throws -> (ImageDataset, ImportSummary) {
        let entries = catalog.entries, total = entries.count
        let headers = ConcurrentMap.map(total, stopAtFirstFailure: !options.skipBad, progress: { _ in }) { index in
            Result { try entries[index].file.header(limits: limits) }
        }
        var skipped = try failures(headers, entries, skipBad: options.skipBad)
        let read = entries.indices.compactMap { index in (try? headers[index]?.get()).map { (index, $0) } }
        guard !read.isEmpty else { throw CondenseError.file(path: catalog.source, "no readable image") }
        let geometry = ImportGeometry(read.map(\.1), options: options, observer: observer)
        let splits = StratifiedSplit.assign(catalog, split: options.split)
        let ordered = ImageCatalog.SplitName.allCases.flatMap { split in read.filter { splits[$0.0] == split } }
        let imageBytes = geometry.channels * geometry.side * geometry.side
        try limits.checkMemory(2 * ordered.count * imageBytes, for: "decoding \(ordered.count) images of " +
                               "\(geometry.channels)×\(geometry.side)×\(geometry.side)", path: catalog.source)
        let resampler = ImageResampler(side: geometry.side, channels: geometry.channels)
        let pixels = SharedPixels(count: ordered.count * imageBytes)
        let decoded = ConcurrentMap.map(ordered.count, stopAtFirstFailure: !options.skipBad,
                                        progress: { observer.progress($0, ordered.count) }) { slot in
            let (index, header) = ordered[slot]
            return Result {
                let image = try entries[index].file.decode(header, window: options.window)
                resampler.resample(image, header, into: pixels.slice(slot * imageBytes, imageBytes))
            }
        }
        skipped += try failures(decoded, ordered.map { entries[$0.0] }, skipBad: options.skipBad)
        var built: [ImageCatalog.SplitName: (pixels: [UInt8], labels: [Int32])] = [:]
        for (slot, (index, _)) in ordered.enumerated() where (try? decoded[slot]?.get()) != nil {
            built[splits[index], default: ([], [])].pixels += pixels.slice(slot * imageBytes, imageBytes)
            built[splits[index], default: ([], [])].labels.append(Int32(entries[index].label))
        }
        let split = { (name: ImageCatalog.SplitName) in
            ImageSplit(pixels: built[name]?.pixels ?? [], labels: built[name]?.labels ?? [])
        }
        var dataset = ImageDataset(name: name, channels: geometry.channels, height: geometry.side, width: geometry.side,
                                   classNames: catalog.classNames, train: split(.train), validation: split(.val),
                                   test: split(.test))
        dataset.drawnSplit = drawnSplit(catalog, options)
        try checkSplits(dataset, source: catalog.source)
        let summary = ImportSummary(
            source: catalog.source, classNames: catalog.classNames,
            counts: Dictionary(uniqueKeysWithValues: ImageCatalog.SplitName.allCases.map { name in
                (name.rawValue, catalog.classNames.indices.map { label in
                    (built[name]?.labels ?? []).lazy.filter { $0 == label }.count
                })
            }),
            sizes: Dictionary(read.map { ("\($0.1.width)×\($0.1.height)", 1) }, uniquingKeysWith: +),
            channelsFound: Dictionary(read.map { ("\($0.1.channels)", 1) }, uniquingKeysWith: +),
            imageSize: geometry.side, channels: geometry.channels, skipped: skipped, ignored: catalog.ignored,
            split: splitDescription(catalog, options))
        observer.notice("\(catalog.source): \(catalog.classNames.count) classes, \(dataset.train.count) train / " +
                        "\(dataset.validation.count) val / \(dataset.test.count) test images of \(geometry.channels)×" +
                        "\(geometry.side)×\(geometry.side) (split \(summary.split)); \(skipped.count) skipped as bad, " +
                        "\(catalog.ignored.count) ignored as not images")
        return (dataset, summary)
    }

    /// How the splits were made, as printed and kept in the summary.
    private static func splitDescription(_ catalog: ImageCatalog, _ options: ImageFolderOptions) -> String {
        guard let drawn = drawnSplit(catalog, options) else { return "as given" }
        return catalog.entries.contains { $0.split != nil } ? "as given, val drawn from train by \(drawn)" : "\(drawn)"
    }

    /// The split the import draws: all of it when no split is given, the validation split when only it is missing.
    private static func drawnSplit(_ catalog: ImageCatalog, _ options: ImageFolderOptions) -> DataSplit? {
        catalog.entries.contains { $0.split == .val } ? nil : options.split
    }

    /// With `skipBad`, the files whose job failed, listed; without, the first failure (in file order), thrown.
    private static func failures<T>(_ results: [Result<T, Error>?], _ entries: [ImageCatalog.Entry],
                                    skipBad: Bool) throws -> [ImportSummary.SkippedFile] {
        var skipped: [ImportSummary.SkippedFile] = []
        for (entry, result) in zip(entries, results) {
            guard case .failure(let error)? = result else { continue }
            let reason: String
            if case .file(_, let detail)? = error as? CondenseError { reason = detail } else { reason = "\(error)" }
            guard skipBad else {
                throw CondenseError.file(path: entry.file.path, "\(reason) (--skip-bad skips and lists such files)")
            }
            skipped.append(ImportSummary.SkippedFile(path: entry.name, reason: reason))
        }
        return skipped
    }

    /// Every split must hold an image (a class too small to split, or every image of a split skipped, leaves one empty).
    private static func checkSplits(_ dataset: ImageDataset, source: String) throws {
        for (name, split) in [("train", dataset.train), ("val", dataset.validation), ("test", dataset.test)]
        where split.count == 0 {
            throw CondenseError.file(path: source, "the \(name) split is empty; add images (a class needs at least " +
                                                   "three to be split three ways) or give the splits as folders")
        }
    }

    /// The decoded pixels of every image, one slice per image, each written by one decoding job.
    private final class SharedPixels: @unchecked Sendable {
        private let storage: UnsafeMutableBufferPointer<UInt8>
        init(count: Int) { storage = .allocate(capacity: count); storage.initialize(repeating: 0) }
        deinit { storage.deallocate() }
        func slice(_ start: Int, _ count: Int) -> UnsafeMutableBufferPointer<UInt8> {
            UnsafeMutableBufferPointer(rebasing: storage[start..<(start + count)])
        }
    }
}
