import Condense
import CondenseCore
import CondenseData
import CondenseNN
import Foundation

/// Options shared by commands that read a dataset and train.
let trainingOptions = [
    OptionSpec(name: "data", help: "MedMNIST .npz file (any 2-D subset and size) or CIFAR binary folder", defaultValue: "Data/bloodmnist.npz"),
    OptionSpec(name: "epochs", help: "training epochs", defaultValue: "10"),
    OptionSpec(name: "batch", help: "batch size", defaultValue: "128"),
    OptionSpec(name: "lr", help: "peak learning rate (one-epoch warm-up, cosine decay)", defaultValue: "0.002"),
    OptionSpec(name: "weight-decay", help: "weight decay", defaultValue: "0.0005"),
    OptionSpec(name: "optimizer", help: "adamw | sgd (momentum 0.9, Nesterov)", defaultValue: "adamw"),
    OptionSpec(name: "label-smoothing", help: "label smoothing ε", defaultValue: "0"),
    OptionSpec(name: "clip", help: "clip the global gradient norm to this value"),
    OptionSpec(name: "no-augment", help: "no random crop or flip", takesValue: false),
    OptionSpec(name: "crop-padding", help: "zero padding of the random crop (0: flips only; default: image side / 8)"),
    OptionSpec(name: "seed", help: "seed for initialization, shuffling and augmentation", defaultValue: "0"),
]

/// `trainingOptions` with other defaults (fine-tuning runs shorter).
func trainingOptions(defaults: [String: String]) -> [OptionSpec] {
    trainingOptions.map { spec in
        var spec = spec
        spec.defaultValue = defaults[spec.name] ?? spec.defaultValue
        return spec
    }
}

/// `condense train`: trains a model from scratch on a MedMNIST file, keeping the best-on-validation checkpoint.
let trainCommand = Command(
    name: "train", usage: "train --data F --model M [--width W] --epochs N --out C",
    summary: "train a model on a MedMNIST file; best-on-validation checkpoint, test ACC and AUC",
    options: [OptionSpec(name: "model", help: ModelConfiguration.architectures.joined(separator: " | "),
                         defaultValue: "resnet20"),
              OptionSpec(name: "width", help: "width multiplier", defaultValue: "1"),
              OptionSpec(name: "out", help: "checkpoint to write (.safetensors)", defaultValue: "model.safetensors")]
        + trainingOptions + commonOptions
) { arguments, console in
    let backend = try selectBackend(arguments, console)
    let dataset = try loadImageDataset(arguments.values["data"]!)
    let options = try parseTrainingOptions(arguments)
    let model = try ModelFactory.model(arguments.values["model"]!,
                                       width: try arguments.value("width", "a positive number") { Double($0) } ?? 1,
                                       for: dataset, seed: options.seed, on: backend)
    let configuration = model.configuration
    let out = arguments.values["out"]!
    console.notice("training \(configuration.architecture) width \(configuration.width) (\(model.module.parameterCount) " +
                   "parameters) on \(dataset.name): \(dataset.train.count) train / \(dataset.validation.count) val / " +
                   "\(dataset.test.count) test images")
    let reporter = ProgressReporter(console: console)
    let summary = try Training.train(model, on: dataset, options: options, checkpointPath: out, progress: reporter.report)
    try reportResult(summary.test, model: model, checkpoint: out, console: console, extra: [
        "best_val_accuracy": summary.bestValidationAccuracy, "images_per_s": summary.imagesPerSecond,
        "wall_s": summary.wallSeconds,
    ])
}

/// The training options of the command line (`--epochs 0` allowed where `minimumEpochs` is 0).
func parseTrainingOptions(_ arguments: ParsedArguments, minimumEpochs: Int = 1) throws -> TrainingOptions {
    var options = TrainingOptions()
    options.epochs = try arguments.value("epochs", "an integer ≥ \(minimumEpochs)") {
        Int($0).flatMap { $0 >= minimumEpochs ? $0 : nil }
    } ?? 10
    options.batchSize = try arguments.value("batch", "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } } ?? 128
    options.learningRate = try arguments.value("lr", "a positive number") { Float($0).flatMap { $0 > 0 ? $0 : nil } } ?? 2e-3
    options.weightDecay = try arguments.value("weight-decay", "a number ≥ 0") { Float($0).flatMap { $0 >= 0 ? $0 : nil } } ?? 5e-4
    options.optimizer = arguments.values["optimizer"] ?? "adamw"
    options.labelSmoothing = try arguments.value("label-smoothing", "a number in [0, 1)") {
        Float($0).flatMap { $0 >= 0 && $0 < 1 ? $0 : nil }
    } ?? 0
    options.clipNorm = try arguments.value("clip", "a positive number") { Float($0).flatMap { $0 > 0 ? $0 : nil } }
    options.augment = !arguments.flag("no-augment")
    options.cropPadding = try arguments.value("crop-padding", "an integer ≥ 0") { Int($0).flatMap { $0 >= 0 ? $0 : nil } }
    options.seed = try arguments.value("seed", "a non-negative integer") { UInt64($0) } ?? 0
    return options
}

/// Prints a model's test figures and size (and `--json`'s object): accuracy, AUC, parameters, non-zero parameters,
/// checkpoint bytes, and the ratios to `reference` (the model it came from) when given.
func reportResult(_ result: EvaluationResult, model: TrainedModel, checkpoint: String, reference: ModelSize? = nil,
                  console: Console, extra: [String: Any]) throws {
    let size = ModelSizeReport(try ModelSize(of: model, checkpoint: checkpoint), reference: reference)
    console.print(String(format: "test ACC %.4f  AUC %.4f  checkpoint %@", result.accuracy, result.auc, checkpoint))
    console.print(size.summary)
    try console.emit(extra.merging(size.jsonFields) { $1 }.merging(["accuracy": result.accuracy, "auc": result.auc,
                                                                    "checkpoint": checkpoint]) { $1 })
}
