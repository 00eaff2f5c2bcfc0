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

    public init(settings: PipelineSettings, dataset: ImageDataset, backend: Backend, folder: String,
                progress: @escaping (PipelineEvent) -> Void) throws {
        self.settings = settings
        self.dataset = settings.imagesPerSplit.map { dataset.subset(train: $0[0], validation: $0[1], test: $0[2]) } ?? dataset
        self.backend = backend
        self.folder = URL(fileURLWithPath: folder, isDirectory: true)
        self.progress = progress
        try prepareFolder()
    }

    /// The path of `name` inside the output folder.
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Creates the folder, or checks that an earlier run there used the same settings (so resuming cannot mix two
    /// recipes), and records the settings.
    private func prepareFolder() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let settingsPath = path("settings.json")
        if let data = FileManager.default.contents(atPath: settingsPath) {
            let earlier = try? JSONDecoder().decode(PipelineSettings.self, from: data)
            guard earlier == settings else {
                throw CondenseError.file(path: settingsPath, "an earlier run in \(folder.path) used other settings; " +
                                         "choose another --out folder or delete this one to start over")
            }
            return
        }
        try writeJSON(settings, to: settingsPath)
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
