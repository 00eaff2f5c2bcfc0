import CondenseCore
import CondenseData
import CondenseDistributed
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
///
/// In a data-parallel job (`World.group` of more than one process, sharing the output folder) every process runs every
/// stage (its training split over the processes), but rank 0 alone locks the folder, decides which stages are done,
/// and writes the checkpoints, records, exports, figures and report; the others take its decisions and records
/// (`ProcessGroup.primaryDecides`), which also keeps them from reading a file before rank 0 has put it in place.
public final class Pipeline {
    public let settings: PipelineSettings
    public let dataset: ImageDataset
    public let backend: Backend
    /// The output folder.
    public let folder: URL
    let progress: (PipelineEvent) -> Void
    /// The job this process is in; its rank 0 owns the folder.
    let group: any ProcessGroup = World.group
    /// Held while the pipeline lives, so no second run works in the folder at the same time (by rank 0 alone).
    private let lock: RunFolderLock?

    /// Opens (creating it if needed) and locks the output folder, and checks that an earlier run there used the same
    /// settings and data. `datasetPath`, where the data was loaded from, is recorded for people to read.
    ///
    /// - Throws: `CondenseError.file` when the folder cannot be created or written, another run holds it, its
    ///   `settings.json` is unreadable, or an earlier run there used other settings or other data;
    ///   `CondenseError.invalidArgument` for a byte budget in a data-parallel job.
    public init(settings: PipelineSettings, dataset: ImageDataset, datasetPath: String? = nil, backend: Backend,
                folder: String, progress: @escaping (PipelineEvent) -> Void) throws {
        self.settings = settings
        self.dataset = settings.imagesPerSplit.map { dataset.subset(train: $0[0], validation: $0[1], test: $0[2]) } ?? dataset
        self.backend = backend
        self.folder = URL(fileURLWithPath: folder, isDirectory: true)
        self.progress = progress
        guard settings.budgetBytes == nil || group.size == 1 else {
            throw CondenseError.invalidArgument(op: "run", "the budgeted pruning stage does not run data-parallel " +
                                                "(each process would write the search's candidates); run it as one " +
                                                "process")
        }
        guard group.isPrimary else {
            lock = nil
            try group.waitForPrimary()
            return
        }
        try Self.createFolder(self.folder.path)
        lock = try RunFolderLock(folder: self.folder.path)
        try prepareFolder(RunFolderSettings(settings: settings, dataset: DatasetFingerprint(dataset, path: datasetPath)))
        try group.waitForPrimary()
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

    /// Runs one stage unless its record is already in the folder; a failure is reported as the stage's. In a
    /// data-parallel job every process runs `work` (or, with `primaryOnly`, rank 0 alone) and returns rank 0's record.
    func stage(_ name: String, primaryOnly: Bool = false, what: String,
               _ work: () throws -> StageRecord) throws -> StageRecord {
        let recordPath = path("\(name).json")
        let earlier: StageRecord? = try group.primaryDecides {
            guard let data = FileManager.default.contents(atPath: recordPath),
                  let record = try? JSONDecoder().decode(StageRecord.self, from: data),
                  FileManager.default.fileExists(atPath: path(record.file)) else { return nil }
            return record
        }
        if let earlier {
            progress(.resumed(earlier))
            return earlier
        }
        progress(.started(stage: name, what: what))
        let start = Stopwatch.now()
        do {
            let record = try group.primaryDecides {
                var record = try work()
                record.wallSeconds = Stopwatch.now() - start
                try writeJSON(record, to: recordPath)
                return record
            } otherwise: {
                if !primaryOnly { _ = try work() }
            }
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
