import CondenseCore
import Foundation

/// Decoded image folders, kept so that decoding and resizing happen once: `<folder>/<name>-<key>.npz` (a MedMNIST
/// file with the class names, readable by `MedMNISTLoader` and NumPy) and `<name>-<key>.json` (the
/// `ImportSummary`). The key is a 64-bit FNV-1a hash of every image's path, class, split, size and modification time
/// and of every `ImageFolderOptions` field, so a changed, added or removed file, or another option, makes a new entry.
/// The folder is `$CONDENSE_CACHE_DIR`, else `$XDG_CACHE_HOME/condense/images`, else `~/.cache/condense/images`.
public enum DatasetCache {
    /// The files of one entry.
    struct Entry {
        let images: String, summary: String
    }

    public static func defaultFolder() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let folder = environment["CONDENSE_CACHE_DIR"], !folder.isEmpty { return folder }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache")
        return (base as NSString).appendingPathComponent("condense/images")
    }

    /// The entry for `catalog` read with `options`.
    static func entry(for catalog: ImageCatalog, name: String, options: ImageFolderOptions) throws -> Entry {
        let folder = options.cacheFolder ?? defaultFolder()
        var hash = FNV1a()
        hash.add("condense image cache 1|\(options.imageSize ?? 0)|\(options.split)|" +
                 "\(options.window.map { "\($0.center),\($0.width)" } ?? "file")|\(options.skipBad)|" +
                 catalog.classNames.joined(separator: "/"))
        for entry in catalog.entries {
            var status = stat()
            guard stat(entry.file.path, &status) == 0 else {
                throw CondenseError.file(path: entry.file.path, "cannot read file (missing or unreadable)")
            }
            hash.add("\n\(entry.name)|\(entry.label)|\(entry.split?.rawValue ?? "-")|\(status.st_size)|" +
                     "\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)")
        }
        let stem = (folder as NSString).appendingPathComponent("\(name)-\(String(hash.value, radix: 16))")
        return Entry(images: stem + ".npz", summary: stem + ".json")
    }

    /// The cached dataset (named `name`, recording `drawnSplit`) and summary, or nil when the entry is absent or
    /// unreadable (it is then rebuilt).
    static func read(_ entry: Entry, name: String, drawnSplit: DataSplit?,
                     limits: DataLimits) -> (ImageDataset, ImportSummary)? {
        guard let json = FileManager.default.contents(atPath: entry.summary),
              let summary = try? JSONDecoder().decode(ImportSummary.self, from: json),
              let stored = try? MedMNISTLoader.load(entry.images, limits: limits) else { return nil }
        var dataset = ImageDataset(name: name, channels: stored.channels, height: stored.height, width: stored.width,
                                   classNames: stored.classNames, train: stored.train, validation: stored.validation,
                                   test: stored.test)
        dataset.drawnSplit = drawnSplit
        return (dataset, summary)
    }

    /// Writes the entry (the images first, so a summary never names images that are not there), and hard links to it
    /// under `aliases`, the entries of other options that give the same dataset.
    static func write(_ dataset: ImageDataset, _ summary: ImportSummary, to entry: Entry, aliases: [Entry]) throws {
        let folder = (entry.images as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw CondenseError.file(path: folder, "cannot create the cache folder (\(error.localizedDescription))")
        }
        try MedMNISTWriter.write(dataset, to: entry.images)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFileWriter.write(Array(try encoder.encode(summary)), to: entry.summary)
        for alias in aliases where alias.images != entry.images {
            for (target, link) in [(entry.images, alias.images), (entry.summary, alias.summary)] {
                try? FileManager.default.removeItem(atPath: link)
                do {
                    try FileManager.default.linkItem(atPath: target, toPath: link)
                } catch {
                    throw CondenseError.file(path: link, "cannot link the cache entry (\(error.localizedDescription))")
                }
            }
        }
    }

    /// 64-bit FNV-1a over UTF-8 text.
    private struct FNV1a {
        private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325
        mutating func add(_ text: String) {
            for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
    }
}
