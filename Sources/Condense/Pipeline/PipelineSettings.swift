import CondenseCompress
import CondenseNN

/// What `condense run` does at each stage: the teacher and student models and their epochs, the distillation,
/// pruning and quantization settings, and how much of the data a smoke run uses. Saved beside the results, so a
/// resumed run continues the same recipe.
public struct PipelineSettings: Codable, Equatable, Sendable {
    public var teacherArchitecture = Architecture.resnet20
    public var teacherWidth = 2.0
    public var teacherEpochs = 4
    public var studentArchitecture = Architecture.mobilenetv2
    public var studentWidth = 0.35
    public var studentEpochs = 4
    public var temperature = Distillation.defaultTemperature
    public var alpha = Distillation.defaultAlpha
    /// The student's loss on the logits: nil or `.kd` for Hinton's (`temperature`, `alpha`), `.dkd` for decoupled KD
    /// with its defaults (`DecoupledDistillation`) at `temperature`. Only pruning's and QAT's fine-tuning stay on KD.
    public var distillationLoss: DistillationLossKind?
    /// Fraction of the student's prunable channels that structured pruning removes (per group from the sensitivity
    /// profile). 0.65 keeps the distilled BloodMNIST student at 0.90 after INT8 while its INT8 files shrink to ≤ 1/8 of
    /// the float student (`Benchmarks/RESULTS.md`).
    public var pruneRatio = 0.65
    /// When set, the pruned stage searches the channels instead (`Pipeline.pruneStudent(toBudget:)`): the student's
    /// INT8 ONNX file must fit in this many bytes; `pruneRatio` is then unused.
    public var budgetBytes: Int?
    /// Epochs of fine-tuning (with distillation from the teacher) after pruning, and their peak learning rate.
    public var pruneEpochs = 2
    public var fineTuningLearningRate = TrainingOptions.fineTuningLearningRate
    /// Pruning ratios the sensitivity analysis sweeps, and how many validation images it scores each on.
    public var sensitivityRatios = [0.25, 0.5, 0.75]
    public var sensitivityImages = 512
    /// Epochs of quantization-aware training.
    public var qatEpochs = 1
    /// The training recipe, `TrainingOptions`' defaults (the one definition every command shares).
    public var batchSize = TrainingOptions().batchSize
    public var optimizer = TrainingOptions().optimizer
    public var learningRate = TrainingOptions().learningRate
    /// Zero padding of the random crop when training augments (nil: an eighth of the image side; 0: flips only).
    public var cropPadding = TrainingOptions().cropPadding
    public var seed: UInt64 = 0
    /// Images kept per split (train, validation, test); nil keeps them all.
    public var imagesPerSplit: [Int]?

    public init() {}

    /// The long recipe, for a user with time or a GPU (target: INT8 test ACC ≥ 0.95 on BloodMNIST at ≤ 1/10 of the
    /// teacher's bytes; MedMNIST's ResNet-18 reaches 0.958 after 100 epochs): the same teacher trained for 60 epochs,
    /// a wider student (MobileNetV2 ×0.5) distilled for 60, half of its prunable channels removed with 10 epochs of
    /// fine-tuning, and 3 epochs of QAT. About 2 hours of the idle 2-core CPU on BloodMNIST by the default run's
    /// epoch times; not yet measured end to end.
    public static var full: PipelineSettings {
        var settings = PipelineSettings()
        settings.teacherEpochs = 60
        settings.studentWidth = 0.5
        settings.studentEpochs = 60
        settings.pruneRatio = 0.5
        settings.pruneEpochs = 10
        settings.qatEpochs = 3
        return settings
    }

    /// A smoke run of about a minute on two cores: a small teacher, two epochs of training and distillation and one
    /// of each compression stage, on part of the data.
    public static var quick: PipelineSettings {
        var settings = PipelineSettings()
        settings.teacherWidth = 1
        settings.teacherEpochs = 2
        settings.studentEpochs = 2
        settings.pruneEpochs = 1
        settings.sensitivityRatios = [0.5]
        settings.sensitivityImages = 128
        settings.imagesPerSplit = [2048, 256, 512]
        return settings
    }
}

/// A named recipe for `condense run --preset`.
public enum PipelinePreset: String, CaseIterable, Sendable {
    /// `PipelineSettings()`: the default run, about 10 minutes on two cores.
    case standard
    /// `PipelineSettings.quick`: a one-minute smoke run.
    case quick
    /// `PipelineSettings.full`: the long recipe.
    case full

    public var settings: PipelineSettings {
        switch self {
        case .standard: PipelineSettings()
        case .quick: .quick
        case .full: .full
        }
    }
}
