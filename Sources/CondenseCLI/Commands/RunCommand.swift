import Condense
import CondenseData
import Foundation

/// `condense run`: the whole pipeline (teacher → distilled student → pruned → INT8 → exported) on the embedded
/// BloodMNIST data or any MedMNIST file, with a report.
let runCommand = Command(
    name: "run", usage: "run [--data F] [--out DIR] [--quick]",
    summary: "the whole pipeline: teacher → distilled student → pruned → INT8 → exported, with report.md",
    options: [OptionSpec(name: "data", help: "MedMNIST .npz file or CIFAR binary folder", defaultValue: "Data/bloodmnist.npz"),
              OptionSpec(name: "out", help: "output folder (a rerun resumes from the stages it holds)",
                         defaultValue: "condense-out"),
              OptionSpec(name: "quick", help: "a one-minute smoke run (small teacher, one epoch per stage, part of the data)",
                         takesValue: false)] + commonOptions
) { arguments, console in
    let backend = try selectBackend(arguments, console)
    let dataset = try loadImageDataset(arguments.values["data"]!)
    let settings = arguments.flag("quick") ? PipelineSettings.quick : PipelineSettings()
    let reporter = ProgressReporter(console: console)
    let pipeline = try Pipeline(settings: settings, dataset: dataset, backend: backend, folder: arguments.values["out"]!) { event in
        guard !console.json else { return }
        switch event {
        case let .started(stage, what): console.notice("== \(stage): \(what)")
        case let .resumed(record): console.notice("== \(record.stage): done earlier, kept \(record.file)")
        case let .finished(record):
            console.notice(String(format: "== %@: test ACC %.4f, AUC %.4f, %d bytes (%@)", record.stage, record.accuracy,
                                  record.auc, record.sizeBytes, record.file))
        case let .training(event): reporter.report(event)
        case let .note(text): console.notice(text)
        }
    }
    let summary = try pipeline.run()
    console.print(try String(contentsOfFile: summary.reportPath, encoding: .utf8))
    var object: [String: Any] = ["wall_s": summary.wallSeconds, "report": summary.reportPath]
    for record in summary.records {
        object[record.stage] = ["accuracy": record.accuracy, "auc": record.auc, "size_bytes": record.sizeBytes,
                                "parameters": record.parameters, "nonzero_parameters": record.nonzeroParameters,
                                "images_per_s": record.imagesPerSecond, "wall_s": record.wallSeconds, "file": record.file]
    }
    try console.emit(object)
}
