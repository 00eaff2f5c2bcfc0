import CondenseCompress
import CondenseCore
import CondenseNN
import Foundation

/// The stages that train: the teacher from scratch, the student by distillation.
extension Pipeline {
    /// Trains the teacher from scratch (`teacher.safetensors`).
    func trainTeacher() throws -> StageRecord {
        let what = "\(settings.teacherArchitecture) ×\(settings.teacherWidth), \(settings.teacherEpochs) epochs"
        return try stage("teacher", what: "train the teacher, " + what) {
            let model = try ModelFactory.model(settings.teacherArchitecture, width: settings.teacherWidth, for: dataset,
                                               seed: settings.seed, on: backend)
            return try train(model, stage: "teacher", model: what, epochs: settings.teacherEpochs)
        }
    }

    /// Distils the teacher into the student with Hinton's loss or DKD (`student.safetensors`).
    func distilStudent() throws -> StageRecord {
        let what = "\(settings.studentArchitecture) ×\(settings.studentWidth), \(settings.studentEpochs) epochs"
        let decoupled = settings.distillationLoss == .dkd
            ? try DecoupledDistillation(warmupSteps: DistillationWarmup.fraction(DecoupledDistillation.defaultWarmupFraction)
                .steps(epochs: settings.studentEpochs, trainingImages: dataset.train.count,
                       batchSize: settings.batchSize))
            : nil
        let loss = decoupled.map { "DKD α = \($0.alpha), β = \($0.beta), warm-up \($0.warmupSteps) steps" }
            ?? "α = \(settings.alpha)"
        return try stage("student", what: "distil the student, \(what), T = \(settings.temperature), \(loss)") {
            let teacher = try TrainedModel.load(path("teacher.safetensors"), on: backend)
            let student = try ModelFactory.student(settings.studentArchitecture, width: settings.studentWidth,
                                                   of: teacher, seed: settings.seed &+ 1)
            let distillation = try Distillation(teacher: teacher, student: student,
                                                      temperature: settings.temperature, alpha: settings.alpha,
                                                      decoupled: decoupled)
            return try train(student, stage: "student", model: what, epochs: settings.studentEpochs,
                             objective: distillation.objective)
        }
    }

    /// The recipe every training stage shares, for `epochs` epochs.
    func trainingOptions(epochs: Int) -> TrainingOptions {
        var options = TrainingOptions()
        options.epochs = epochs
        options.batchSize = settings.batchSize
        options.optimizer = settings.optimizer
        options.learningRate = settings.learningRate
        options.cropPadding = settings.cropPadding
        options.seed = settings.seed
        return options
    }

    /// Trains `model` into `<stage>.safetensors` (best on validation) and records its test figures and curve.
    func train(_ model: TrainedModel, stage: String, model what: String, epochs: Int,
               objective: Training.Objective? = nil) throws -> StageRecord {
        let curve = CurveRecorder(progress)
        let file = "\(stage).safetensors"
        let summary = try Training.train(model, on: dataset, options: trainingOptions(epochs: epochs),
                                         checkpointPath: path(file), objective: objective, progress: curve.handle)
        return try record(stage, model: what, file: file, test: summary.test, curve: curve)
    }

    /// A stage's record: the test figures, the parameters, non-zero parameters and bytes of its checkpoint, and the
    /// training curve and warnings `curve` saw.
    func record(_ stage: String, model what: String, file: String, test: EvaluationResult,
                curve: CurveRecorder? = nil) throws -> StageRecord {
        let size = try ModelSize(checkpoint: path(file))
        return StageRecord(stage: stage, model: what, file: file, accuracy: test.accuracy, auc: test.auc,
                           parameters: size.parameters, nonzeroParameters: size.nonZeroParameters, sizeBytes: size.bytes,
                           imagesPerSecond: test.imagesPerSecond, wallSeconds: 0, history: curve?.history ?? [],
                           warnings: curve.map { $0.warnings.map(\.description) })
    }
}

/// Collects a training run's finished epochs (the curve a stage records) and its warnings while passing every event
/// on.
final class CurveRecorder {
    private(set) var history: [EpochPoint] = []
    private(set) var warnings: [TrainingWarning] = []
    private let forward: (PipelineEvent) -> Void

    init(_ forward: @escaping (PipelineEvent) -> Void) { self.forward = forward }

    func handle(_ event: TrainingEvent) {
        switch event {
        case let .epoch(epoch, _, loss, accuracy, validation, _):
            history.append(EpochPoint(epoch: epoch, loss: loss, trainAccuracy: accuracy, validationAccuracy: validation))
        case let .warning(warning): warnings.append(warning)
        case .step: break
        }
        forward(.training(event))
    }
}
