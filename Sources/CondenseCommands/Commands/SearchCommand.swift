import Condense
import CondenseCore
import CondenseNN
import Foundation

/// `condense search`: the most accurate student within a size, multiply-add or latency budget (a grid of widths and
/// depths, then NetAdapt-style greedy channel refinement, each candidate scored by a short distillation from cached teacher
/// logits; the best trained fully and exported).
enum SearchCommand: Command {
    struct Options: CommandOptions {
        var teacher = ""
        var budgetBytes: Int?
        var budgetMultiplyAdds: Int?
        var budgetLatency: Double?
        var architecture = Architecture.mobilenetv2
        var widths: [Double]?
        var depths: [[Int]]?
        var trials = SearchSettings(budget: .bytes(0)).trials
        var timeLimit: Double?
        var fullyTrained = SearchSettings(budget: .bytes(0)).fullyTrained
        var proxy = ProxySettings()
        var folder = "condense-search"
        var data = DatasetOption()
        var common = CommonOptions()

        func validate() throws {
            let budgets = [budgetBytes.map { SearchBudget.bytes($0) }, budgetMultiplyAdds.map { .multiplyAdds($0) },
                           budgetLatency.map { .latencyMilliseconds($0) }].compactMap { $0 }
            guard budgets.count == 1 else {
                throw UsageError("give exactly one budget: --budget-bytes, --budget-macs or --budget-latency-ms " +
                                 "(got \(budgets.count))")
            }
            let stages = ModelConfiguration.defaultBlocksPerStage(architecture).count
            if let depths, let wrong = depths.first(where: { $0.count != stages }) {
                throw UsageError("--depths: \(architecture) has \(stages) stages, so each depth needs \(stages) block " +
                                 "counts; got \(wrong.count) (\(wrong.map(String.init).joined(separator: ",")))")
            }
        }

        var budget: SearchBudget {
            if let budgetBytes { return .bytes(budgetBytes) }
            if let budgetMultiplyAdds { return .multiplyAdds(budgetMultiplyAdds) }
            return .latencyMilliseconds(budgetLatency ?? 0)
        }
    }

    static let name = "search"
    static let usage = "search --teacher C --data F (--budget-bytes B | --budget-macs M | --budget-latency-ms L) " +
        "[--student mobilenetv2|resnet20|…] [--trials N] [--time-limit MIN] --out DIR"
    static let summary = "the most accurate student within a size, compute or latency budget (width grid + greedy " +
        "channel refinement, distillation proxy), trained fully and exported"
    static let options: [OptionSpec<Options>] = [
        .value("teacher", \.teacher, placeholder: "C", help: "teacher checkpoint written by condense train",
               required: true),
        .value("budget-bytes", \.budgetBytes, bounds: .within(1...1_000_000_000),
               help: "largest INT8 ONNX file, in bytes"),
        .value("budget-macs", \.budgetMultiplyAdds, bounds: .within(1...1_000_000_000_000),
               help: "most multiply-adds per image"),
        .value("budget-latency-ms", \.budgetLatency, bounds: .within(0.001...1_000_000),
               help: "longest batch-1 latency of Condense's integer inference on this machine, in ms"),
        .choice("student", \.architecture, placeholder: "NAME", help: "student family"),
        .parsed("widths", \.widths, placeholder: "W,…",
                help: "grid of width multipliers (default: 0.25,0.35,0.5 for mobilenetv2, 0.25,0.5,1 for the ResNets)",
                convert: parseWidths),
        .parsed("depths", \.depths, placeholder: "D,…;…",
                help: "grid of depths, blocks per stage, ';' between depths (default: the family's own and halved; " +
                    "resnet20: 3,3,3;2,2,2;1,1,1)", convert: parseDepths),
        .value("trials", \.trials, bounds: .within(1...10_000), help: "candidates measured at most"),
        .value("time-limit", \.timeLimit, bounds: .within(0.01...100_000),
               help: "minutes for measuring candidates; then the best found so far is trained fully"),
        .value("full", \.fullyTrained, bounds: .within(1...100),
               help: "candidates within the budget trained fully and scored on the test split"),
        .value("proxy-images", \.proxy.trainingImages, bounds: .within(1...100_000_000),
               help: "training images of each candidate's short distillation"),
        .value("proxy-validation-images", \.proxy.validationImages, bounds: .within(1...100_000_000),
               help: "validation images each candidate's proxy accuracy is measured on"),
        .value("proxy-epochs", \.proxy.epochs, bounds: .within(1...1000),
               help: "epochs of each candidate's short distillation"),
        .value("out", \.folder, placeholder: "DIR", help: "output folder (a rerun resumes the search it holds)"),
    ] + DatasetOption.specs().lifted(\.data) + CommonOptions.specs.lifted(\.common)

    static func parseWidths(_ text: String) throws -> [Double] {
        let widths = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
        guard !widths.isEmpty, widths.allSatisfy({ $0.map(ModelWidth.bounds.contains) ?? false }) else {
            throw UsageError("expected comma-separated width multipliers, each in \(ModelWidth.bounds.text), got '\(text)'")
        }
        return widths.map { $0! }
    }

    static func parseDepths(_ text: String) throws -> [[Int]] {
        let depths = text.split(separator: ";", omittingEmptySubsequences: false).map { depth in
            depth.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        }
        guard depths.allSatisfy({ depth in depth.allSatisfy { $0.map(ModelLimits.blocksPerStage.contains) ?? false } })
        else {
            throw UsageError("expected depths separated by ';', each comma-separated blocks per stage in " +
                             "\(ModelLimits.blocksPerStage.lowerBound)…\(ModelLimits.blocksPerStage.upperBound), " +
                             "got '\(text)'")
        }
        return depths.map { $0.map { $0! } }
    }

    static func run(_ options: Options, console: Console) throws {
        try OutputLocations.check(files: [], folder: NamedPath("--out", options.folder),
                                  inputs: [NamedPath("--teacher", options.teacher),
                                           NamedPath("--data", options.data.path)])
        let backend = try options.common.backend(console)
        let teacher = try TrainedModel.load(options.teacher, on: backend)
        let dataset = try options.data.load(console, for: teacher)
        var settings = SearchSettings(budget: options.budget)
        settings.architecture = options.architecture
        settings.widths = options.widths
        settings.depths = options.depths
        settings.trials = options.trials
        settings.timeLimitMinutes = options.timeLimit
        settings.fullyTrained = options.fullyTrained
        settings.proxy = options.proxy
        console.notice("searching \(settings.architecture) at widths \(settings.gridWidths) and depths " +
                       (settings.depths ?? SearchSettings.defaultDepths(settings.architecture)).description +
                       " for \(settings.budget); " +
                       "at most \(settings.trials) candidates" +
                       (settings.timeLimitMinutes.map { " or \($0) minutes" } ?? ""))
        let reporter = ProgressReporter(console: console)
        let search = try ArchitectureSearch(settings: settings, teacher: teacher, dataset: dataset,
                                            folder: options.folder, progress: { event in
                                                guard !console.json else { return }
                                                console.notice(describe(event))
                                            }, training: reporter.report)
        let result = try search.run()
        let document = result.document
        console.print(table(document, budget: settings.budget))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var object = try JSONSerialization.jsonObject(with: try encoder.encode(document)) as? [String: Any] ?? [:]
        object[settings.budget.key] = settings.budget.limit
        object["record"] = result.recordPath
        object["chart"] = result.chartPath
        try console.emit(object)
    }

    static func describe(_ event: SearchEvent) -> String {
        switch event {
        case let .measuring(index, limit, key, origin, eta):
            return "== candidate \(index)/≤\(limit): \(key) (\(origin))" +
                (eta.map { ", ETA ≤ " + ProgressReporter.duration($0) } ?? "")
        case let .measured(candidate), let .resumed(candidate):
            let resumed = if case .resumed = event { " (measured earlier)" } else { "" }
            return String(format: "   %@: proxy ACC %.4f, %d INT8 bytes, %.2f M MACs%@%@", candidate.key,
                          candidate.proxyAccuracy, candidate.cost.int8Bytes, Double(candidate.cost.multiplyAdds) / 1e6,
                          candidate.cost.latencyMilliseconds.map { String(format: ", %.3f ms", $0) } ?? "", resumed)
        case let .note(text):
            return text
        }
    }

    /// The human-readable summary: the fully trained candidates, the proxy's rank correlation, the chosen model.
    static func table(_ document: SearchDocument, budget: SearchBudget) -> String {
        var lines = ["\(document.candidates.count) candidates measured; Pareto front: " +
                     document.pareto.joined(separator: ", "), "",
                     "| candidate | proxy ACC (val) | test ACC (INT8) | INT8 ONNX bytes |", "|---|---:|---:|---:|"]
        for record in document.full {
            lines.append(String(format: "| %@ | %.4f | %.4f | %d |", record.key, record.proxyAccuracy,
                                record.testAccuracy, record.int8Bytes))
        }
        lines.append("")
        if let spearman = document.spearman {
            lines.append(String(format: "proxy against full test ACC: Spearman %.2f%@", spearman,
                                spearman < 1 ? " — the proxy misranks some of the fully trained candidates" : ""))
        } else {
            lines.append("proxy against full test ACC: Spearman undefined (fewer than two distinct results)")
        }
        if let chosen = document.chosen {
            lines.append(String(format: "chosen: %@ — test ACC %.4f, model-int8.onnx %d bytes (budget: %@)", chosen.key,
                                chosen.testAccuracy, chosen.int8Bytes, budget.description))
        }
        return lines.joined(separator: "\n")
    }
}
