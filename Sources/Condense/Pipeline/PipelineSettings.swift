import CondenseCompress
import CondenseNN

/// What `condense run` does at each stage: the teacher and student models and their epochs, the distillation,
/// pruning and quantization settings, and how much of the data a smoke run uses. Saved beside the results, so a
/// resumed run continues the same recipe.
public struct PipelineSettings: Codable, Equatable, Sendable {
    public var teacherArchitecture = Architecture.resnet20
    public var teacherWidth = 2.0
    public var teacherEpochs = 4
    /// A ResNet-20 ×1 student: on BloodMNIST it distils to within a point of the ResNet-20 ×2 teacher in 4 epochs, and
    /// its 3×3 convolutions (9 × 16–64 weights per output channel) keep its INT8 `.tflite` ≤ 1/3.5 of the FP32 one,
    /// where a MobileNetV2's narrow layers spend 20–30 % on per-channel scales (`Benchmarks/RESULTS.md`).
    public var studentArchitecture = Architecture.resnet20
    public var studentWidth = 1.0
    public var studentEpochs = 4
    public var temperature = Distillation.defaultTemperature
    public var alpha = Distillation.defaultAlpha
    /// The student's loss on the logits: nil or `.kd` for Hinton's (`temperature`, `alpha`), `.dkd` for decoupled KD
    /// with its defaults (`DecoupledDistillation`) at `temperature`. Only pruning's and QAT's fine-tuning stay on KD.
    public var distillationLoss: DistillationLossKind?
    /// Fraction of the student's prunable channels that structured pruning removes (per group from the sensitivity
    /// profile). 0.25 of the ResNet-20 ×1 student's inner block channels costs little accuracy, leaves its INT8 ONNX
    /// file at about 1/20 of the teacher's checkpoint, and keeps enough weights per channel for the `.tflite` ratio.
    public var pruneRatio = 0.25
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
    /// teacher's bytes; MedMNIST's ResNet-18 reaches 0.958 after 100 epochs): the standard teacher and student, each
    /// trained for 40 epochs, the standard quarter of the student's prunable channels removed with 10 epochs of
    /// fine-tuning, and 3 epochs of QAT. Its deployed file is the standard run's size (about 1/20 of the teacher's
    /// checkpoint). About an hour and a half of the idle 2-core CPU on BloodMNIST (`Benchmarks/RESULTS.md`).
    public static var full: PipelineSettings {
        var settings = PipelineSettings()
        settings.teacherEpochs = 40
        settings.studentEpochs = 40
        settings.pruneEpochs = 10
        settings.qatEpochs = 3
        return settings
    }

    /// A smoke run of about a minute on two cores: a small teacher, a MobileNetV2 ×0.35 student (smaller than the
    /// teacher, 65 % of its channels pruned), two epochs of training and distillation and one of each compression
    /// stage, on part of the data.
    public static var quick: PipelineSettings {
        var settings = PipelineSettings()
        settings.teacherWidth = 1
        settings.studentArchitecture = .mobilenetv2
        settings.studentWidth = 0.35
        settings.pruneRatio = 0.65
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
