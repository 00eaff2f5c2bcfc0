import CondenseNN
import Foundation

/// `report.md`: a table of every stage (test ACC, AUC, parameters, bytes, ratio to the teacher, images/s, wall
/// time), the training warnings, the deployment files measured in their runtimes, the figures, and the settings used.
struct PipelineReport {
    let settings: PipelineSettings
    let datasetName: String
    let device: String
    let records: [StageRecord]
    let wallSeconds: Double
    /// The SVG files to show, relative to the report.
    let figures: [String]
    let deployment: DeploymentMeasurement

    var markdown: String {
        let teacherBytes = Double(records.first?.sizeBytes ?? 0)
        var lines = ["# Condense run on \(datasetName)", "",
                     "Device: \(device). Total wall time \(Self.duration(wallSeconds)).", "",
                     "| stage | model | file | test ACC | AUC | parameters | non-zero | bytes | teacher / this | images/s | wall |",
                     "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for record in records {
            let ratio = record.sizeBytes > 0 ? String(format: "%.1f×", teacherBytes / Double(record.sizeBytes)) : "–"
            lines.append("| \(record.stage) | \(record.model) | `\(record.file)` | " +
                         String(format: "%.4f | %@ | ", record.accuracy, ClassificationMetrics.describe(auc: record.auc)) +
                         "\(record.parameters) | \(record.nonzeroParameters) | \(record.sizeBytes) | \(ratio) | " +
                         String(format: "%.0f", record.imagesPerSecond) + " | \(Self.duration(record.wallSeconds)) |")
        }
        lines += ["", "## Training warnings", ""] + trainingWarnings
        lines += ["", "## Deployment files", "",
                  "Each file in the runtime users run it in (ONNX in onnxruntime, TFLite in LiteRT), one thread, " +
                  "on this machine (`\(DeploymentMeasurement.script)`).", "",
                  "| file | bytes | test ACC in the runtime | batch-1 median ms | batch-1 p95 ms | batch-32 images/s |",
                  "|---|---:|---:|---:|---:|---:|"]
        for file in deployment.files {
            let accuracy = file.accuracy.map { String(format: "%.4f", $0) } ?? "not measured"
            let latency = file.latency.map { String(format: "%.3f | %.3f | %.0f", $0.median, $0.p95, $0.imagesPerSecond) }
                ?? "not measured | not measured | not measured"
            lines.append("| `\(file.name)` | \(file.bytes) | \(accuracy) | \(latency) |")
        }
        if let note = deployment.note { lines += ["", note] }
        lines += [""] + figures.map { "![\($0)](\($0))" }
        lines += ["", "## Settings", "", "```json", settingsJSON, "```", ""]
        return lines.joined(separator: "\n")
    }

    /// One item per warning of a stage that trained, or a line saying that every stage trained without one.
    private var trainingWarnings: [String] {
        let items = records.flatMap { record in (record.warnings ?? []).map { "- \(record.stage): \($0)" } }
        return items.isEmpty ? ["No stage's loss jumped and no validation accuracy fell far below training accuracy."]
            : items
    }

    private var settingsJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(settings)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 60 ? String(format: "%dm%02ds", total / 60, total % 60) : "\(total)s"
    }
}
