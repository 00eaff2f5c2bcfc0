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

    /// Runs (or resumes) every stage, then writes `report.md` and the figure.
    public func run() throws -> PipelineSummary {
        var records = [try trainTeacher()]
        records.append(try distilStudent())
        let sensitivity = try analyseSensitivity()
        records.append(try pruneStudent(sensitivity: sensitivity))
        records.append(try quantizeStudent())
        records.append(try export(int8: records[records.count - 1]))
        let wall = records.reduce(0) { $0 + $1.wallSeconds }
        let report = PipelineReport(settings: settings, datasetName: dataset.name, device: backend.info.name,
                                    records: records, wallSeconds: wall, figures: try drawFigures(records))
        try AtomicFileWriter.write(Array(report.markdown.utf8), to: path("report.md"))
        return PipelineSummary(records: records, wallSeconds: wall, reportPath: path("report.md"))
    }
}
