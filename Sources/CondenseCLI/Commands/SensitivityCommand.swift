import Condense
import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN
import Foundation

/// `condense sensitivity`: validation accuracy with each prunable layer alone pruned at a sweep of ratios; a table,
/// a JSON file (`--out`, what `prune --from-sensitivity` reads) and an SVG plot.
let sensitivityCommand = Command(
    name: "sensitivity",
    usage: "sensitivity --model C --data F [--ratios R,…] [--unstructured] [--max-images N] [--out F] [--plot F]",
    summary: "per-layer pruning ratio → validation accuracy: table, JSON and SVG plot",
    options: [OptionSpec(name: "model", help: "checkpoint (.safetensors) written by condense"),
              OptionSpec(name: "data", help: "MedMNIST .npz file or CIFAR binary folder", defaultValue: "Data/bloodmnist.npz"),
              OptionSpec(name: "ratios", help: "comma-separated pruning ratios in [0, 1)",
                         defaultValue: "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9"),
              OptionSpec(name: "unstructured", help: "zero single weights of every conv/linear weight instead of " +
                         "removing channels", takesValue: false),
              OptionSpec(name: "include-first-last", help: "unstructured: also sweep the first conv and the classifier",
                         takesValue: false),
              OptionSpec(name: "max-images", help: "use only the first N validation images (default: all)"),
              OptionSpec(name: "out", help: "JSON profile to write", defaultValue: "sensitivity.json"),
              OptionSpec(name: "plot", help: "SVG plot to write", defaultValue: "sensitivity.svg"),
              OptionSpec(name: "batch", help: "batch size", defaultValue: "256")] + commonOptions
) { arguments, console in
    guard let checkpoint = arguments.values["model"] else { throw UsageError("--model CHECKPOINT is required") }
    var options = SensitivityOptions()
    options.ratios = try parseRatios(arguments.values["ratios"]!)
    options.structured = !arguments.flag("unstructured")
    options.includeFirstAndLast = arguments.flag("include-first-last")
    options.maxImages = try arguments.value("max-images", "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } }
    options.batchSize = try arguments.value("batch", "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } } ?? 256
    let backend = try selectBackend(arguments, console)
    let model = try PruningPipeline.loadFloatModel(checkpoint, on: backend)
    let dataset = try loadImageDataset(arguments.values["data"]!)
    try Evaluation.checkCompatible(model, dataset)
    let images = min(options.maxImages ?? dataset.validation.count, dataset.validation.count)
    console.notice(String(format: "sensitivity of %@ width %g (%@) on %d validation images, ratios %@",
                          model.configuration.architecture, model.configuration.width,
                          options.structured ? "structured" : "unstructured", images, "\(options.ratios)"))
    let start = Stopwatch.now()
    var row: [String] = []
    let profile = try SensitivityAnalysis.run(model, on: dataset, options: options) { layer, index, count, _, accuracy in
        row.append(String(format: "%.3f", accuracy))
        guard row.count == options.ratios.count else { return }
        console.notice("layer \(index + 1)/\(count) \(layer): \(row.joined(separator: " "))")
        row = []
    }
    let wall = Stopwatch.now() - start
    let out = arguments.values["out"]!, plot = arguments.values["plot"]!
    try profile.write(to: out)
    try profile.chart(title: String(format: "Pruning sensitivity of %@ width %g (%@)", model.configuration.architecture,
                                    model.configuration.width, options.structured ? "structured" : "unstructured"))
        .write(to: plot)
    let size = ModelSizeReport(try ModelSize(of: model, checkpoint: checkpoint))
    console.print(profile.table())
    console.print(String(format: "%d layers × %d ratios on %d images in %.1f s; wrote %@ and %@", profile.layers.count,
                         options.ratios.count, images, wall, out, plot))
    console.print(size.summary)
    let layers = profile.layers.map { ["name": $0.name, "ratios": $0.ratios, "accuracy": $0.accuracy] as [String: Any] }
    try console.emit(size.jsonFields.merging([
        "layers": layers, "baseline_accuracy": profile.baselineAccuracy, "structured": profile.structured,
        "images": images, "wall_s": wall, "out": out, "plot": plot, "checkpoint": checkpoint,
    ]) { $1 })
}

/// Comma-separated ratios, each in [0, 1).
func parseRatios(_ text: String) throws -> [Double] {
    let ratios = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard !ratios.isEmpty, ratios.allSatisfy({ $0.map { $0 >= 0 && $0 < 1 } ?? false }) else {
        throw UsageError("--ratios: expected comma-separated numbers in [0, 1), got '\(text)'")
    }
    return ratios.compactMap { $0 }
}
