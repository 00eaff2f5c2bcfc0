import Condense
import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN
import Foundation

/// `condense sensitivity`: validation accuracy with each prunable layer alone pruned at a sweep of ratios; a table,
/// a JSON file (`--out`, what `prune --from-sensitivity` reads) and an SVG plot.
enum SensitivityCommand: Command {
    struct Options: CommandOptions {
        var checkpoint = ""
        var analysis = SensitivityOptions()
        var out = "sensitivity.json"
        var plot = "sensitivity.svg"
        var data = DatasetOption()
        var common = CommonOptions()

        /// `--unstructured` clears `structured`.
        var unstructured: Bool {
            get { !analysis.structured }
            set { analysis.structured = !newValue }
        }
    }

    static let name = "sensitivity"
    static let usage = "sensitivity --model C --data F [--ratios R,…] [--unstructured] [--max-images N] [--out F] " +
        "[--plot F]"
    static let summary = "per-layer pruning ratio → validation accuracy: table, JSON and SVG plot"
    static let options: [OptionSpec<Options>] = [
        .value("model", \.checkpoint, placeholder: "C", help: "checkpoint (.safetensors) written by condense",
               required: true),
    ] + DatasetOption.specs().lifted(\.data) + [
        .list("ratios", \.analysis.ratios, bounds: .from(0, below: 1), help: "comma-separated pruning ratios"),
        .flag("unstructured", \.unstructured,
              help: "zero single weights of every conv/linear weight instead of removing channels"),
        .flag("include-first-last", \.analysis.includeFirstAndLast,
              help: "unstructured: also sweep the first conv and the classifier"),
        .value("max-images", \.analysis.maxImages, bounds: .within(1...1_000_000_000),
               help: "use only the first N validation images (default: all)"),
        .value("out", \.out, placeholder: "F", help: "JSON profile to write"),
        .value("plot", \.plot, placeholder: "F", help: "SVG plot to write"),
        .value("batch", \.analysis.batchSize, bounds: .within(1...65_536), help: "batch size"),
    ] + CommonOptions.specs.lifted(\.common)

    static func run(_ options: Options, console: Console) throws {
        let checkpoint = options.checkpoint, analysis = options.analysis
        try OutputLocations.check(files: [NamedPath("--out", options.out), NamedPath("--plot", options.plot)],
                                  inputs: [NamedPath("--model", checkpoint), NamedPath("--data", options.data.path)])
        let backend = try options.common.backend(console)
        let model = try PruningPipeline.loadFloatModel(checkpoint, on: backend)
        let dataset = try options.data.load(console, for: model)
        try Evaluation.checkCompatible(model, dataset)
        let images = min(analysis.maxImages ?? dataset.validation.count, dataset.validation.count)
        let kind = analysis.structured ? "structured" : "unstructured"
        console.notice(String(format: "sensitivity of %@ width %g (%@) on %d validation images, ratios %@",
                              model.configuration.architecture.rawValue, model.configuration.width, kind, images,
                              "\(analysis.ratios)"))
        let start = Stopwatch.now()
        var row: [String] = []
        let profile = try SensitivityAnalysis.run(model, on: dataset, options: analysis) { layer, index, count, _, accuracy in
            row.append(String(format: "%.3f", accuracy))
            guard row.count == analysis.ratios.count else { return }
            console.notice("layer \(index + 1)/\(count) \(layer): \(row.joined(separator: " "))")
            row = []
        }
        let wall = Stopwatch.now() - start
        try profile.write(to: options.out)
        try profile.chart(title: String(format: "Pruning sensitivity of %@ width %g (%@)",
                                        model.configuration.architecture.rawValue, model.configuration.width, kind))
            .write(to: options.plot)
        let size = ModelSizeReport(try ModelSize(of: model, checkpoint: checkpoint))
        console.print(profile.table())
        console.print(String(format: "%d layers × %d ratios on %d images in %.1f s; wrote %@ and %@",
                             profile.layers.count, analysis.ratios.count, images, wall, options.out, options.plot))
        console.print(size.summary)
        let layers = profile.layers.map { ["name": $0.name, "ratios": $0.ratios, "accuracy": $0.accuracy] as [String: Any] }
        try console.emit(size.jsonFields.merging([
            "layers": layers, "baseline_accuracy": profile.baselineAccuracy, "structured": profile.structured,
            "images": images, "wall_s": wall, "out": options.out, "plot": options.plot, "checkpoint": checkpoint,
        ]) { $1 })
    }
}
