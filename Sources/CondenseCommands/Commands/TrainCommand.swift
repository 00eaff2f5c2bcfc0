import Condense
import CondenseCore
import CondenseData
import CondenseDistributed
import CondenseNN
import Foundation

/// `condense train`: trains a model from scratch on a MedMNIST file, keeping the best-on-validation checkpoint.
enum TrainCommand: Command {
    struct Options: CommandOptions {
        var architecture = Architecture.resnet20
        var width = 1.0
        var out = "model.safetensors"
        var data = DatasetOption()
        var training = TrainingOptions()
        var common = CommonOptions()
    }

    static func runsDataParallel(_ options: Options) -> Bool { true }
    static let name = "train"
    static let usage = "train --data F --model M [--width W] --epochs N --out C"
    static let summary = "train a model on a MedMNIST file; best-on-validation checkpoint, test ACC and AUC"
    static let options: [OptionSpec<Options>] = [
        .choice("model", \.architecture, placeholder: "NAME",
                help: "architecture"),
        .value("width", \.width, bounds: ModelWidth.bounds, help: "width multiplier"),
        .value("out", \.out, placeholder: "C", help: "checkpoint to write (.safetensors)"),
    ] + DatasetOption.specs().lifted(\.data) + TrainingOptionGroup.specs().lifted(\.training)
        + CommonOptions.specs.lifted(\.common)

    static func run(_ options: Options, console: Console) throws {
        try OutputLocations.check(files: [NamedPath("--out", options.out)],
                                  inputs: [NamedPath("--data", options.data.path)])
        let backend = try options.common.backend(console)
        let dataset = try options.data.load(console)
        try TrainingOptionGroup.check(options.training, against: dataset)
        let model = try ModelFactory.model(options.architecture, width: options.width, for: dataset,
                                           seed: options.training.seed, on: backend)
        let configuration = model.configuration
        console.notice("training \(configuration.architecture) width \(configuration.width) " +
                       "(\(model.module.parameterCount) parameters) on \(dataset.name): \(dataset.train.count) train / " +
                       "\(dataset.validation.count) val / \(dataset.test.count) test images")
        let reporter = ProgressReporter(console: console)
        let summary = try Training.train(model, on: dataset, options: options.training, checkpointPath: options.out,
                                         progress: reporter.report)
        guard World.group.isPrimary else { return }  // rank 0 writes and reports for the job
        try reportResult(summary.test, model: model, checkpoint: options.out, console: console, extra: [
            "best_val_accuracy": summary.bestValidationAccuracy, "images_per_s": summary.imagesPerSecond,
            "wall_s": summary.wallSeconds, "world_size": World.group.size,
            "warnings": jsonValue(warnings: summary.warnings),
        ])
    }
}
