import CondenseCore
import Foundation

/// Reads a CSV manifest: one image per line, `path,label` or `path,label,split` (`train`, `val` or `test`; every
/// line or none), paths relative to the CSV's folder unless absolute, an optional header line `path,label[,split]`,
/// fields optionally in double quotes. Classes are the distinct labels in sorted order; with a split column they
/// are the training lines' labels, and a label found only in `val` or `test` is an error.
enum CSVManifest {
    static func catalog(_ csvPath: String, limits: DataLimits) throws -> ImageCatalog {
        let source = try ByteSource(file: csvPath)
        try limits.checkMemory(source.size, for: "the manifest", path: csvPath)
        guard let text = String(data: try source.bytes(0, source.size), encoding: .utf8) else {
            throw CondenseError.file(path: csvPath, "not UTF-8 text; expected CSV lines path,label[,split]")
        }
        let folder = (csvPath as NSString).deletingLastPathComponent
        var rows: [(line: Int, path: String, label: String, split: ImageCatalog.SplitName?)] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let fields = fields(of: String(line))
            if rows.isEmpty, index == 0, fields.first?.lowercased() == "path" { continue }
            guard fields.count == 2 || fields.count == 3, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw CondenseError.file(path: csvPath, "line \(index + 1): expected path,label or path,label,split; " +
                                                        "got \(fields.count) field(s): \(line.prefix(80))")
            }
            var split: ImageCatalog.SplitName?
            if fields.count == 3 {
                guard let name = ImageCatalog.SplitName(rawValue: fields[2]) else {
                    throw CondenseError.file(path: csvPath, "line \(index + 1): split '\(fields[2].prefix(40))'; " +
                                                            "expected train, val or test")
                }
                split = name
            }
            if let first = rows.first, (first.split == nil) != (split == nil) {
                throw CondenseError.file(path: csvPath, "line \(index + 1): \(fields.count) fields, line \(first.line) " +
                                                        "has \(first.split == nil ? 2 : 3); give a split on every line or none")
            }
            rows.append((index + 1, fields[0], fields[1], split))
        }
        let training = rows.filter { $0.split == nil || $0.split == .train }
        let classes = Set(training.map(\.label)).sorted()
        try ClassFolders.checkClassCount(classes, root: csvPath)
        let labels = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let entries = try rows.map { row -> ImageCatalog.Entry in
            guard let label = labels[row.label] else {
                throw CondenseError.file(path: csvPath, "line \(row.line): label '\(row.label.prefix(40))' is not in the " +
                                                        "class list of the training lines (\(classes.joined(separator: ", ")))")
            }
            let path = row.path.hasPrefix("/") ? row.path : ClassFolders.join(folder, row.path)
            guard FileManager.default.fileExists(atPath: path), !ClassFolders.isFolder(path) else {
                throw CondenseError.file(path: csvPath, "line \(row.line): '\(row.path)' does not exist (paths are " +
                                                        "relative to the CSV's folder)")
            }
            guard let format = ImageFileFormat.of(path) else {
                throw CondenseError.file(path: csvPath, "line \(row.line): '\(row.path)' is not a PNG, JPEG or DICOM file")
            }
            return ImageCatalog.Entry(file: ImageFile(path: path, format: format), name: row.path, label: label,
                                      split: row.split)
        }
        return ImageCatalog(source: csvPath, classNames: classes, entries: entries, ignored: [])
    }

    /// The comma-separated fields of one line, trimmed; a field in double quotes may hold commas, and `""` inside
    /// quotes is one quote.
    static func fields(of line: String) -> [String] {
        var fields: [String] = [], field = "", quoted = false, quoteJustClosed = false
        for character in line {
            if quoted {
                if character == "\"" { quoted = false; quoteJustClosed = true } else { field.append(character) }
                continue
            }
            switch character {
            case "\"":
                if quoteJustClosed { field.append("\"") }
                quoted = true
            case ",":
                fields.append(field)
                field = ""
            default: field.append(character)
            }
            quoteJustClosed = false
        }
        fields.append(field)
        return fields.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
