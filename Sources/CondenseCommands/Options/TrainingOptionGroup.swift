import Condense
import CondenseCore
import CondenseData

/// The options of every command that trains, declared once over the library's `TrainingOptions`: a command's
/// defaults are those of the `TrainingOptions` it starts from.
enum TrainingOptionGroup {
    /// The most epochs a command line may ask for.
    static let maximumEpochs = 100_000

    /// The options; `minimumEpochs` is 0 where no training is a choice (pruning without fine-tuning).
    static func specs(minimumEpochs: Int = 1) -> [OptionSpec<TrainingOptions>] {
        [
            .value("epochs", \.epochs, bounds: .within(minimumEpochs...maximumEpochs), help: "training epochs"),
            .value("max-steps", \.maxSteps, bounds: .within(1...1_000_000_000),
                   help: "stop after this many optimizer steps, keeping the whole run's schedule (smoke runs, tests)"),
            .value("batch", \.batchSize, bounds: .within(1...65_536),
                   help: "batch size (under mpirun: the global batch, a multiple of the processes)"),
            .value("lr", \.learningRate, bounds: .above(0, upTo: 10),
                   help: "peak learning rate (warm-up of one epoch, at most a quarter of the run; cosine decay)"),
            .value("weight-decay", \.weightDecay, bounds: .from(0, below: 1), help: "weight decay"),
            .value("optimizer", \.optimizer, help: "optimizer (sgd: momentum 0.9, Nesterov)"),
            .value("label-smoothing", \.labelSmoothing, bounds: .from(0, below: 1), help: "label smoothing ε"),
            .value("clip", \.clipNorm, bounds: .above(0, upTo: 1_000_000),
                   help: "clip the global gradient norm to this value"),
            .flag("no-augment", \.augment, setting: false, help: "no random crop or flip"),
            .value("crop-padding", \.cropPadding, bounds: .within(0...4096),
                   help: "zero padding of the random crop, below the image side (0: flips only)"),
            .value("seed", \.seed, help: "seed for initialization, shuffling and augmentation"),
            .value("bn-recalibration", \.batchNormRecalibrationImages, bounds: .within(0...10_000_000),
                   help: "before every validation, re-estimate batch-norm statistics from this many training images " +
                       "(0: keep the running averages)"),
            .flag("sync-bn", \.synchronizeBatchNorm,
                  help: "under mpirun: batch-norm statistics over the global batch, not each process's part"),
        ]
    }

    /// Refuses what only the data shows wrong, before any work: a crop padding not below the image side.
    static func check(_ options: TrainingOptions, against dataset: ImageDataset) throws {
        if let padding = options.cropPadding, options.augment, padding >= dataset.height {
            throw CondenseError.invalidArgument(op: "--crop-padding", "\(padding) is not below the image side " +
                                                "(\(dataset.height) px of \(dataset.name)); use 0…\(dataset.height - 1)")
        }
    }
}
