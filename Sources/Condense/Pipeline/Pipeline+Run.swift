import CondenseCore
import CondenseNN
import Foundation

/// What a whole run produced.
public struct PipelineSummary: Sendable {
    /// Every stage's record, in pipeline order.
    public let records: [StageRecord]
    /// The stages' wall time added up (stages resumed from an earlier run count with their original time).
    public let wallSeconds: Double
    /// `report.md` in the output folder.
    public let reportPath: String
}

extension Pipeline {
    /// The stages, in the order they run.
    public static let stageNames = ["teacher", "student", "pruned", "int8", "final"]

    /// The files `report.md` measures in their runtimes, in its table's order.
    static let deploymentFiles = ["model-fp32.onnx", "model-int8.onnx", "model-fp32.tflite", "model-int8.tflite"]

    /// Runs (or resumes) every stage, then writes `report.md` and the figure. In a data-parallel job the processes
    /// other than rank 0 return after the last stage, with its records; rank 0 alone measures the deployment files
    /// and writes the report.
    public func run() throws -> PipelineSummary {
        var records = [try trainTeacher()]
        records.append(try distilStudent())
        let sensitivity = try analyseSensitivity()
        records.append(try settings.budgetBytes.map { try pruneStudent(toBudget: $0) }
                       ?? pruneStudent(sensitivity: sensitivity))
        records.append(try quantizeStudent())
        records.append(try export(int8: records[records.count - 1]))
        let wall = records.reduce(0) { $0 + $1.wallSeconds }
        let summary = PipelineSummary(records: records, wallSeconds: wall, reportPath: path("report.md"))
        guard group.isPrimary else { return summary }
        progress(.note("measuring the deployment files in onnxruntime and LiteRT"))
        let deployment = DeploymentMeasurement.measure(Self.deploymentFiles.map(path).filter {
            FileManager.default.fileExists(atPath: $0)
        }, test: dataset.test, dataset: dataset)
        let report = PipelineReport(settings: settings, datasetName: dataset.name, device: backend.info.name,
                                    records: records, wallSeconds: wall, figures: try drawFigures(records),
                                    deployment: deployment)
        try AtomicFileWriter.write(Array(report.markdown.utf8), to: summary.reportPath)
        return summary
    }
}
