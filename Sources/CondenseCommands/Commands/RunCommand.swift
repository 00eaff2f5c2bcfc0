import Condense
import CondenseCompress
import CondenseData
import CondenseDistributed
import Foundation

/// `condense run`: the whole pipeline (teacher → distilled student → pruned → INT8 → exported) on the embedded
/// BloodMNIST data or any MedMNIST file, with a report.
enum RunCommand: Command {
    struct Options: CommandOptions {
        var data = DatasetOption()
        var folder = "condense-out"
        var quick = false
        var preset = PipelinePreset.standard
        var loss = DistillationLossKind.kd
        var budgetBytes: Int?
        var seed = PipelineSettings().seed
        var common = CommonOptions()

        func validate() throws {
            if quick && preset != .standard && preset != .quick {
                throw UsageError("--quick is --preset quick; give one of --quick and --preset \(preset.rawValue)")
            }
        }
    }

    static let name = "run"
    static let usage = "run [--data F] [--out DIR] [--preset standard|quick|full | --quick] [--loss kd|dkd] " +
        "[--budget-bytes B] [--seed S]"
    static let summary = "the whole pipeline: teacher → distilled student → pruned → INT8 → exported, with report.md"
    static let options: [OptionSpec<Options>] = DatasetOption.specs().lifted(\.data) + [
        .value("out", \.folder, placeholder: "DIR", help: "output folder (a rerun resumes from the stages it holds)"),
        .flag("quick", \.quick,
              help: "a one-minute smoke run (small teacher, one epoch per stage, part of the data): --preset quick"),
        .choice("preset", \.preset, placeholder: "NAME",
                help: "the recipe: standard (about 10 minutes on two cores), quick, or full (the long recipe: 40 " +
                    "epochs each for the ResNet-20 ×2 teacher and ResNet-20 ×1 student, for a user with time or a GPU)"),
        .choice("loss", \.loss, placeholder: "NAME",
                help: "the student's distillation loss: Hinton's KD or decoupled KD (α = 1, β = 8, 8 % warm-up)"),
        .value("budget-bytes", \.budgetBytes, bounds: .within(1...1_000_000_000),
               help: "prune the student to channels searched for an INT8 ONNX file of at most this many bytes " +
               "(instead of removing \(Int((PipelineSettings().pruneRatio * 100).rounded())) % of its channels)"),
        .value("seed", \.seed, help: "seed of every stage's initialization, shuffling and augmentation"),
    ] + CommonOptions.specs.lifted(\.common)

    /// Every stage runs data-parallel except the budgeted search, whose candidates each process would write.
    static func runsDataParallel(_ options: Options) -> Bool { options.budgetBytes == nil }

    /// The recipe the command line asks for: the preset's settings with the loss, budget and seed given.
    static func settings(_ options: Options) -> PipelineSettings {
        var settings = options.quick ? PipelineSettings.quick : options.preset.settings
        if options.loss == .dkd { settings.distillationLoss = .dkd }
        settings.budgetBytes = options.budgetBytes
        settings.seed = options.seed
        return settings
    }

    static func run(_ options: Options, console: Console) throws {
        try OutputLocations.check(files: [], folder: NamedPath("--out", options.folder),
                                  inputs: [NamedPath("--data", options.data.path)])
        let backend = try options.common.backend(console)
        let dataset = try options.data.load(console)
        let settings = settings(options)
        let reporter = ProgressReporter(console: console)
        let pipeline = try Pipeline(settings: settings, dataset: dataset, datasetPath: options.data.path,
                                    backend: backend, folder: options.folder) { event in
            guard !console.json else { return }
            switch event {
            case let .started(stage, what): console.notice("== \(stage): \(what)")
            case let .resumed(record): console.notice("== \(record.stage): done earlier, kept \(record.file)")
            case let .finished(record):
                console.notice(String(format: "== %@: test ACC %.4f, AUC %@, %d bytes (%@)", record.stage,
                                      record.accuracy, ClassificationMetrics.describe(auc: record.auc),
                                      record.sizeBytes, record.file))
            case let .training(event): reporter.report(event)
            case let .note(text): console.notice(text)
            }
        }
        let summary = try pipeline.run()
        guard World.group.isPrimary else { return }  // rank 0 writes and reports for the job
        console.print(try String(contentsOfFile: summary.reportPath, encoding: .utf8))
        var object: [String: Any] = ["wall_s": summary.wallSeconds, "report": summary.reportPath,
                                     "world_size": World.group.size]
        for record in summary.records {
            object[record.stage] = ["accuracy": record.accuracy, "auc": jsonValue(auc: record.auc), "size_bytes": record.sizeBytes,
                                    "parameters": record.parameters, "nonzero_parameters": record.nonzeroParameters,
                                    "images_per_s": record.imagesPerSecond, "wall_s": record.wallSeconds,
                                    "file": record.file, "warnings": record.warnings ?? []]
        }
        try console.emit(object)
    }
}
