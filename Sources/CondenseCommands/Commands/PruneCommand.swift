import Condense
import CondenseDistributed
import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN
import Foundation

/// `condense prune`: magnitude (unstructured) or channel (structured, physically smaller) pruning, uniform or
/// guided by a sensitivity profile, then fine-tuning (with Hinton distillation when a teacher is given).
enum PruneCommand: Command {
    struct Options: CommandOptions {
        var checkpoint = ""
        var pruning: PruningOptions = {
            var options = PruningOptions(sparsity: 0)
            options.fineTuning.epochs = 2
            return options
        }()
        var sensitivityPath: String?
        var teacher: String?
        var out = "pruned.safetensors"
        var data = DatasetOption()
        var common = CommonOptions()
    }

    static func runsDataParallel(_ options: Options) -> Bool { true }
    static let name = "prune"
    static let usage = "prune --model C --data F --sparsity S [--structured] [--teacher C] [--epochs N] --out C"
    static let summary = "prune a model (unstructured masks or structured channels), fine-tune; accuracy and size " +
        "before/after"
    static let options: [OptionSpec<Options>] = [
        .value("model", \.checkpoint, placeholder: "C", help: "float checkpoint written by condense (not a quantized one)",
               required: true),
        .value("sparsity", \.pruning.sparsity, bounds: .from(0, below: 1),
               help: "overall fraction of prunable channels (structured) or weights (unstructured)", required: true),
        .flag("structured", \.pruning.structured, help: "remove the lowest-L1 channels of every block: a smaller model"),
        .value("scope", \.pruning.scope, help: "unstructured ranking: layer (each tensor alone) | global"),
        .flag("include-first-last", \.pruning.includeFirstAndLast,
              help: "unstructured: also prune the first conv and the classifier"),
        .value("from-sensitivity", \.sensitivityPath, placeholder: "F",
               help: "per-layer ratios from a condense sensitivity JSON file"),
        .value("tolerance", \.pruning.tolerance, bounds: .within(0...1),
               help: "with --from-sensitivity: accuracy drop a layer may cost (absolute)"),
        .value("frequency", \.pruning.frequency, bounds: .within(1...100_000_000),
               help: "unstructured: recompute masks every N steps (default: 10 times until the final sparsity, " +
               "reached at 70% of the steps)"),
        .value("calibration-images", \.pruning.calibrationImages, bounds: .within(0...100_000_000),
               help: "structured: re-estimate batch-norm statistics on this many training images after pruning (0: off)"),
        .value("teacher", \.teacher, placeholder: "C", help: "fine-tune with Hinton distillation from this checkpoint"),
    ] + DistillationOptionGroup.specs(temperature: \.pruning.temperature, alpha: \.pruning.alpha) + [
        .value("out", \.out, placeholder: "C", help: "pruned checkpoint to write"),
    ] + DatasetOption.specs().lifted(\.data) + TrainingOptionGroup.specs(minimumEpochs: 0).lifted(\.pruning.fineTuning)
        + CommonOptions.specs.lifted(\.common)

    static func run(_ options: Options, console: Console) throws {
        let checkpoint = options.checkpoint, out = options.out
        try OutputLocations.check(files: [NamedPath("--out", out)], inputs: [
            NamedPath("--model", checkpoint), NamedPath("--data", options.data.path),
        ] + [options.teacher.map { NamedPath("--teacher", $0) },
             options.sensitivityPath.map { NamedPath("--from-sensitivity", $0) }].compactMap { $0 })
        var pruning = options.pruning
        pruning.sensitivity = try options.sensitivityPath.map { try SensitivityProfile(contentsOf: $0) }
        let backend = try options.common.backend(console)
        let model = try PruningPipeline.loadFloatModel(checkpoint, on: backend)
        let teacher = try options.teacher.map { try TrainedModel.load($0, on: backend) }
        let dataset = try options.data.load(console, for: model)
        try Evaluation.checkCompatible(model, dataset)
        try TrainingOptionGroup.check(pruning.fineTuning, against: dataset)
        let reference = try ModelSize(checkpoint: checkpoint)
        let original = try Evaluation.evaluate(model, on: dataset.test, dataset: dataset, over: World.group)
        console.notice(String(format: "%@ width %g: test ACC %.4f, %d parameters; pruning %@ to sparsity %g%@",
                              model.configuration.architecture.rawValue, model.configuration.width, original.accuracy,
                              reference.parameters, pruning.structured ? "channels" : "weights", pruning.sparsity,
                              teacher.map { _ in ", fine-tuning with distillation" } ?? ""))
        let result = try PruningPipeline.run(model, on: dataset, options: pruning, teacher: teacher, checkpointPath: out,
                                             progress: ProgressReporter(console: console).report)
        guard World.group.isPrimary else { return }  // rank 0 writes and reports for the job
        if let tolerance = result.tolerance {
            console.notice(String(format: "per-layer ratios from the sensitivity profile at a tolerance of %.4f%@; " +
                                  "sparsity reached %.3f", tolerance, tolerance > pruning.tolerance ?
                                  String(format: " (raised from %g to reach the sparsity)", pruning.tolerance) : "",
                                  result.sparsity))
        }
        if let accuracy = result.prunedValidationAccuracy {
            console.notice(String(format: "right after pruning (before fine-tuning): validation ACC %.4f", accuracy))
        }
        console.print(String(format: "test ACC %.4f → %.4f after pruning to sparsity %.3f%@", original.accuracy,
                             result.test.accuracy, result.sparsity, result.training == nil ? "" : " and fine-tuning"))
        var extra: [String: Any] = [
            "original_accuracy": original.accuracy, "original_auc": jsonValue(auc: original.auc), "sparsity": result.sparsity,
            "structured": pruning.structured, "world_size": World.group.size,
            "layers": result.layers.map { ["name": $0.name, "ratio": $0.ratio] as [String: Any] },
        ]
        extra["pruned_val_accuracy"] = result.prunedValidationAccuracy
        extra["tolerance"] = result.tolerance
        extra["best_val_accuracy"] = result.training?.bestValidationAccuracy
        extra["wall_s"] = result.training?.wallSeconds
        extra["warnings"] = jsonValue(warnings: result.training?.warnings)
        try reportResult(result.test, model: result.model, checkpoint: out, reference: reference, console: console,
                         extra: extra)
    }
}
