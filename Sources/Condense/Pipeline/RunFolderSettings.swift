import CondenseCore
import Foundation

/// What `settings.json` in a run folder holds: the recipe (`PipelineSettings`, its fields at the top level as
/// before) and, under `dataset`, the data it ran on. A rerun into the folder resumes only when both match.
struct RunFolderSettings: Codable, Equatable {
    var settings: PipelineSettings
    /// Absent in folders written before datasets were recorded; such a folder is adopted and the dataset recorded.
    var dataset: DatasetFingerprint?

    private enum CodingKeys: String, CodingKey { case dataset }

    init(settings: PipelineSettings, dataset: DatasetFingerprint) {
        self.settings = settings
        self.dataset = dataset
    }

    init(from decoder: Decoder) throws {
        settings = try PipelineSettings(from: decoder)
        dataset = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(DatasetFingerprint.self, forKey: .dataset)
    }

    func encode(to encoder: Encoder) throws {
        try settings.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dataset, forKey: .dataset)
    }

    /// The record in `path` (`settings.json` of `folder`), nil when there is none.
    ///
    /// - Throws: `CondenseError.file` naming the file when it cannot be read, is not valid JSON, or is JSON that
    ///   does not hold run settings.
    static func read(_ path: String, folder: String) throws -> RunFolderSettings? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CondenseError.file(path: path, "cannot be read; check its permissions")
        }
        do {
            _ = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw CondenseError.file(path: path, "settings.json in \(folder) is not valid JSON: \(Self.reason(error)); " +
                                     "delete the folder (or this file) to start over")
        }
        do {
            return try JSONDecoder().decode(RunFolderSettings.self, from: data)
        } catch {
            throw CondenseError.file(path: path, "settings.json in \(folder) does not hold condense run settings: " +
                                     "\(Self.reason(error)); delete the folder (or this file) to start over")
        }
    }

    /// Why `earlier` (what the folder recorded) and this record differ, one clause per differing field; empty when
    /// they match. A folder that recorded no dataset matches any.
    func differences(from earlier: RunFolderSettings) throws -> [String] {
        var differences: [String] = []
        let mine = try Self.fields(settings), theirs = try Self.fields(earlier.settings)
        for key in Set(mine.keys).union(theirs.keys).sorted() where mine[key] != theirs[key] {
            differences.append("\(key) was \(theirs[key] ?? "unset"), now \(mine[key] ?? "unset")")
        }
        if let recorded = earlier.dataset, let dataset, recorded.bytes != dataset.bytes || recorded.hash != dataset.hash {
            differences.append("the dataset was \(recorded.summary), now \(dataset.summary)")
        }
        return differences
    }

    /// Each setting's JSON text, by key.
    private static func fields(_ settings: PipelineSettings) throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try JSONSerialization.jsonObject(with: try encoder.encode(settings)) as? [String: Any] ?? [:]
        return try object.mapValues { value in
            let data = try JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .fragmentsAllowed])
            return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        }
    }

    /// A Foundation decoding error's own words, without its type and coding-path dump.
    private static func reason(_ error: Error) -> String {
        switch error {
        case let DecodingError.dataCorrupted(context), let DecodingError.typeMismatch(_, context),
             let DecodingError.valueNotFound(_, context):
            return context.debugDescription + Self.location(context.codingPath)
        case let DecodingError.keyNotFound(key, context):
            return "missing '\(key.stringValue)'" + Self.location(context.codingPath)
        default:
            return (error as NSError).localizedDescription
        }
    }

    private static func location(_ path: [CodingKey]) -> String {
        path.isEmpty ? "" : " (at " + path.map(\.stringValue).joined(separator: ".") + ")"
    }
}
