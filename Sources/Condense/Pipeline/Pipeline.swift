import CondenseCore
import CondenseData
import CondenseNN
import Foundation

/// What `condense run` reports while it works.
public enum PipelineEvent {
    case started(stage: String, what: String)
    /// The stage's output was already in the folder from an earlier run.
    case resumed(StageRecord)
    case finished(StageRecord)
    case training(TrainingEvent)
    case note(String)
}

/// The whole compression pipeline on one dataset: train the teacher → distil the student → sensitivity analysis →
/// structured pruning with distillation fine-tuning → INT8 quantization-aware training → export (ONNX FP32 and
/// INT8, FP16 safetensors), each stage scored on the test split. Every stage leaves its model and a record in the
/// output folder; a rerun skips the stages whose record is there, and a failure names its stage and keeps the rest.
public final class Pipeline {
    public let settings: PipelineSettings
    public let dataset: ImageDataset
    public let backend: Backend
    /// The output folder.
    public let folder: URL
    let progress: (PipelineEvent) -> Void
    /// Held while the pipeline lives, so no second run works in the folder at the same time.
    private let lock: RunFolderLock

    /// Opens (creating it if needed) and locks the output folder, and checks that an earlier run there used the same
    /// settings and data. `datasetPath`, where the data was loaded from, is recorded for people to read.
    ///
    /// - Throws: `CondenseError.file` when the folder cannot be created or written, another run holds it, its
    ///   `settings.json` is unreadable, or an earlier run there used other settings or other data.
    public init(settings: PipelineSettings, dataset: ImageDataset, datasetPath: String? = nil, backend: Backend,
                folder: String, progress: @escaping (PipelineEvent) -> Void) throws {
        self.settings = settings
        self.dataset = settings.imagesPerSplit.map { dataset.subset(train: $0[0], validation: $0[1], test: $0[2]) } ?? dataset
        self.backend = backend
        self.folder = URL(fileURLWithPath: folder, isDirectory: true)
        self.progress = progress
        try Self.createFolder(self.folder.path)
        lock = try RunFolderLock(folder: self.folder.path)
        try prepareFolder(RunFolderSettings(settings: settings, dataset: DatasetFingerprint(dataset, path: datasetPath)))
    }

    /// The path of `name` inside the output folder.
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Creates `folder` and its missing parents, with a message that names the part that could not be made and why.
    static func createFolder(_ folder: String) throws {
        guard !folder.isEmpty else { throw CondenseError.file(path: "''", "the output folder's path is empty") }
        var prefix = folder.hasPrefix("/") ? "" : "."
        for component in folder.split(separator: "/") {
            prefix += "/" + component
            guard mkdir(prefix, 0o777) == 0 || errno == EEXIST else {
                let reason = String(cString: strerror(errno))
                throw CondenseError.file(path: folder, "cannot create the output folder: \(reason) (at \(prefix)); " +
                                         "choose an --out folder in a place you can write to")
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CondenseError.file(path: folder, "exists and is not a folder; choose another --out folder")
        }
    }

    /// Checks that an earlier run in the folder used the same settings and data (so resuming cannot mix two recipes
    /// or two datasets), or records them for later runs.
    private func prepareFolder(_ current: RunFolderSettings) throws {
        let settingsPath = path("settings.json")
        if let earlier = try RunFolderSettings.read(settingsPath, folder: folder.path) {
            let differences = try current.differences(from: earlier)
            guard differences.isEmpty else {
                throw CondenseError.file(path: settingsPath, "an earlier run in \(folder.path) used other settings " +
                                         "or data (" + differences.joined(separator: "; ") + "); choose another " +
                                         "--out folder or delete this one to start over")
            }
            if earlier.dataset != nil { return }
        }
        try writeJSON(current, to: settingsPath)
    }

    /// Runs one stage unless its record is already in the folder; a failure is reported as the stage's.
    func stage(_ name: String, what: String, _ work: () throws -> StageRecord) throws -> StageRecord {
        let recordPath = path("\(name).json")
        if let data = FileManager.default.contents(atPath: recordPath),
           let record = try? JSONDecoder().decode(StageRecord.self, from: data),
           FileManager.default.fileExists(atPath: path(record.file)) {
            progress(.resumed(record))
            return record
        }
        progress(.started(stage: name, what: what))
        let start = Stopwatch.now()
        do {
            var record = try work()
            record.wallSeconds = Stopwatch.now() - start
            try writeJSON(record, to: recordPath)
            progress(.finished(record))
            return record
        } catch {
            throw PipelineError(stage: name, underlying: error)
        }
    }

    func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFileWriter.write(Array(try encoder.encode(value)), to: path)
    }
}

/// A stage of the pipeline failed; the stages before it keep their outputs.
public struct PipelineError: Error, CustomStringConvertible {
    public let stage: String
    public let underlying: Error
    public var description: String { "stage '\(stage)' failed: \(underlying) (earlier stages' outputs are kept)" }
}
