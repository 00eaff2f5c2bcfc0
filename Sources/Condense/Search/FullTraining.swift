import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN
import Foundation

/// A candidate trained as `condense run` trains its student, and scored on the test split.
public struct FullTrainingRecord: Codable, Equatable, Sendable {
    public var key: String
    public var proxyAccuracy: Double
    /// The INT8 model's best validation accuracy in QAT (what the chosen model is picked by).
    public var validationAccuracy: Double
    public var testAccuracy: Double
    /// The INT8 ONNX file's bytes (`model-int8.onnx` of the chosen model).
    public var int8Bytes: Int
    /// The float checkpoint (after distillation and, for a refined candidate, pruning and KD fine-tuning) and the
    /// INT8 one, relative to the search folder.
    public var floatCheckpoint: String
    public var int8Checkpoint: String
    public var wallSeconds: Double

    enum CodingKeys: String, CodingKey {
        case key
        case proxyAccuracy = "proxy_accuracy", validationAccuracy = "validation_accuracy"
        case testAccuracy = "test_accuracy", int8Bytes = "int8_bytes", floatCheckpoint = "float_checkpoint"
        case int8Checkpoint = "int8_checkpoint", wallSeconds = "wall_s"
    }
}

/// The full training of one candidate: the grid point's student (its width and depth) distilled from the teacher for `studentEpochs` (on the
/// whole training split, with the recipe's augmentation; shared by every candidate of that grid point and kept in
/// `students/`), then — for a refined candidate — pruned to its channel counts (lowest-L1 channels, batch norms
/// recalibrated) and fine-tuned with distillation for `pruneEpochs` at the fine-tuning learning rate, then
/// quantization-aware training with distillation for `qatEpochs`; the INT8 model is scored on the test split.
struct FullTraining {
    let settings: SearchSettings
    let teacher: TrainedModel
    let dataset: ImageDataset
    let folder: URL
    let progress: (TrainingEvent) -> Void

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func run(_ candidate: SearchCandidate) throws -> FullTrainingRecord {
        let start = Stopwatch.now()
        let architecture = candidate.architecture
        let student = try distilledStudent(architecture)
        var floatFile = student
        if let channels = architecture.blockChannels {
            floatFile = "full/\(candidate.key)-float.safetensors"
            var options = trainingOptions(epochs: settings.pruneEpochs)
            options.learningRate = TrainingOptions.fineTuningLearningRate
            _ = try PrunedFineTuning.run(try TrainedModel.load(path(student), on: teacher.module.backend), to: channels,
                                         teacher: teacher, dataset: dataset, options: options,
                                         checkpointPath: path(floatFile), progress: progress)
        }
        let float = try TrainedModel.load(path(floatFile), on: teacher.module.backend)
        var options = QuantizationOptions()
        options.training.epochs = settings.qatEpochs
        options.training.seed = settings.seed
        let result = try Quantization.quantizeAwareTraining(float, on: dataset, options: options, teacher: teacher,
                                                            progress: progress)
        let int8File = "full/\(candidate.key)-int8.safetensors"
        try result.model.save(to: path(int8File))
        let test = try Evaluation.evaluate(result.model, on: dataset.test, dataset: dataset)
        return FullTrainingRecord(key: candidate.key, proxyAccuracy: candidate.proxyAccuracy,
                                  validationAccuracy: result.training?.bestValidationAccuracy ?? 0,
                                  testAccuracy: test.accuracy,
                                  int8Bytes: try ONNXExport.int8(result.model).serialized().count,
                                  floatCheckpoint: floatFile, int8Checkpoint: int8File,
                                  wallSeconds: Stopwatch.now() - start)
    }

    /// The grid point's distilled student (`students/KEY.safetensors`, the key of its width and depth), trained
    /// unless an earlier candidate or run left it.
    func distilledStudent(_ architecture: CandidateArchitecture) throws -> String {
        let grid = architecture.gridPoint
        let file = "students/\(grid.key).safetensors"
        if FileManager.default.fileExists(atPath: path(file)) { return file }
        let student = try DistillationProxy.student(grid, of: teacher, seed: settings.seed &+ 1)
        _ = try Training.train(student, on: dataset, options: trainingOptions(epochs: settings.studentEpochs),
                               checkpointPath: path(file), objective: try distillation(of: student).objective,
                               progress: progress)
        return file
    }

    private func distillation(of student: TrainedModel) throws -> Distillation {
        try Distillation(teacher: teacher, student: student, temperature: Distillation.defaultTemperature,
                         alpha: Distillation.defaultAlpha)
    }

    private func trainingOptions(epochs: Int) -> TrainingOptions {
        var options = TrainingOptions()
        options.epochs = epochs
        options.seed = settings.seed
        return options
    }
}
