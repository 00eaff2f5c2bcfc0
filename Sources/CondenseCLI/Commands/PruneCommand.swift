import Condense
import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN
import Foundation

/// `condense prune`: magnitude (unstructured) or channel (structured, physically smaller) pruning, uniform or
/// guided by a sensitivity profile, then fine-tuning (with Hinton distillation when a teacher is given).
let pruneCommand = Command(
    name: "prune",
    usage: "prune --model C --data F --sparsity S [--structured] [--teacher C] [--epochs N] --out C",
    summary: "prune a model (unstructured masks or structured channels), fine-tune; accuracy and size before/after",
    options: [OptionSpec(name: "model", help: "float checkpoint written by condense (not a quantized one)"),
              OptionSpec(name: "sparsity", help: "overall fraction in [0, 1): of prunable channels (structured) " +
                         "or weights (unstructured)"),
              OptionSpec(name: "structured", help: "remove the lowest-L1 channels of every block: a smaller model",
                         takesValue: false),
              OptionSpec(name: "scope", help: "unstructured ranking: layer (each tensor alone) | global",
                         defaultValue: "layer"),
              OptionSpec(name: "include-first-last", help: "unstructured: also prune the first conv and the classifier",
                         takesValue: false),
              OptionSpec(name: "from-sensitivity", help: "per-layer ratios from a condense sensitivity JSON file"),
              OptionSpec(name: "tolerance", help: "with --from-sensitivity: accuracy drop a layer may cost (absolute)",
                         defaultValue: "0.02"),
              OptionSpec(name: "frequency", help: "unstructured: recompute masks every N steps (default: 10 times " +
                         "until the final sparsity, reached at 70% of the steps)"),
              OptionSpec(name: "calibration-images", help: "structured: re-estimate batch-norm statistics on this many " +
                         "training images after pruning (0: off)", defaultValue: "1024"),
              OptionSpec(name: "teacher", help: "fine-tune with Hinton distillation from this checkpoint"),
              OptionSpec(name: "temperature", help: "distillation temperature T", defaultValue: "4"),
              OptionSpec(name: "alpha", help: "distillation weight α", defaultValue: "0.9"),
              OptionSpec(name: "out", help: "pruned checkpoint to write", defaultValue: "pruned.safetensors")]
        + trainingOptions(defaults: ["epochs": "2"]) + commonOptions
) { arguments, console in
    guard let checkpoint = arguments.values["model"] else { throw UsageError("--model CHECKPOINT is required") }
    guard let sparsity = try arguments.value("sparsity", "a number in [0, 1)", {
        Double($0).flatMap { $0 >= 0 && $0 < 1 ? $0 : nil }
    }) else { throw UsageError("--sparsity S in [0, 1) is required") }
    var options = PruningOptions(sparsity: sparsity, structured: arguments.flag("structured"))
    options.scope = try arguments.value("scope", "layer or global") { PruningScope(rawValue: $0) } ?? .layerWise
    options.includeFirstAndLast = arguments.flag("include-first-last")
    options.sensitivity = try arguments.values["from-sensitivity"].map { try SensitivityProfile(contentsOf: $0) }
    options.tolerance = try arguments.value("tolerance", "a number ≥ 0") { Double($0).flatMap { $0 >= 0 ? $0 : nil } } ?? 0.02
    options.frequency = try arguments.value("frequency", "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } }
    options.calibrationImages = try arguments.value("calibration-images", "an integer ≥ 0") {
        Int($0).flatMap { $0 >= 0 ? $0 : nil }
    } ?? 1024
    options.temperature = try arguments.value("temperature", "a number") { Float($0) } ?? 4
    options.alpha = try arguments.value("alpha", "a number") { Float($0) } ?? 0.9
    options.fineTuning = try parseTrainingOptions(arguments, minimumEpochs: 0)
    let backend = try selectBackend(arguments, console)
    let model = try PruningPipeline.loadFloatModel(checkpoint, on: backend)
    let teacher = try arguments.values["teacher"].map { try TrainedModel.load($0, on: backend) }
    let dataset = try loadImageDataset(arguments.values["data"]!)
    try Evaluation.checkCompatible(model, dataset)
    let reference = try ModelSize(checkpoint: checkpoint)
    let original = try Evaluation.evaluate(model, on: dataset.test, dataset: dataset)
    console.notice(String(format: "%@ width %g: test ACC %.4f, %d parameters; pruning %@ to sparsity %g%@",
                          model.configuration.architecture, model.configuration.width, original.accuracy,
                          reference.parameters, options.structured ? "channels" : "weights", sparsity,
                          teacher.map { _ in ", fine-tuning with distillation" } ?? ""))
    let out = arguments.values["out"]!
    let result = try PruningPipeline.run(model, on: dataset, options: options, teacher: teacher, checkpointPath: out,
                                         progress: ProgressReporter(console: console).report)
    if let tolerance = result.tolerance {
        console.notice(String(format: "per-layer ratios from the sensitivity profile at a tolerance of %.4f%@; " +
                              "sparsity reached %.3f", tolerance, tolerance > options.tolerance ?
                              String(format: " (raised from %g to reach the sparsity)", options.tolerance) : "",
                              result.sparsity))
    }
    if let accuracy = result.prunedValidationAccuracy {
        console.notice(String(format: "right after pruning (before fine-tuning): validation ACC %.4f", accuracy))
    }
    console.print(String(format: "test ACC %.4f → %.4f after pruning to sparsity %.3f%@", original.accuracy,
                         result.test.accuracy, result.sparsity, result.training == nil ? "" : " and fine-tuning"))
    var extra: [String: Any] = [
        "original_accuracy": original.accuracy, "original_auc": original.auc, "sparsity": result.sparsity,
        "structured": options.structured,
        "layers": result.layers.map { ["name": $0.name, "ratio": $0.ratio] as [String: Any] },
    ]
    extra["pruned_val_accuracy"] = result.prunedValidationAccuracy
    extra["tolerance"] = result.tolerance
    extra["best_val_accuracy"] = result.training?.bestValidationAccuracy
    extra["wall_s"] = result.training?.wallSeconds
    try reportResult(result.test, model: result.model, checkpoint: out, reference: reference, console: console, extra: extra)
}
