/// The run's pictures, as SVG files beside `report.md`.
extension Pipeline {
    /// Test accuracy against bytes on disk (log scale), one point per stage, and the validation-accuracy curve of
    /// every training stage; returns the files written (the sensitivity chart comes from its own stage).
    func drawFigures(_ records: [StageRecord]) throws -> [String] {
        var sizeChart = SVGLineChart(
            title: "Test accuracy against model size", xLabel: "bytes on disk (log scale)", yLabel: "test accuracy",
            series: records.map {
                SVGLineChart.Series(label: "\($0.stage): \($0.model)",
                                    points: [SVGLineChart.Point(x: Double(max($0.sizeBytes, 1)), y: $0.accuracy)])
            })
        sizeChart.xScale = .logarithmic
        try sizeChart.write(to: path("size-accuracy.svg"))
        let curves = SVGLineChart(
            title: "Training curves", xLabel: "epoch of the stage", yLabel: "validation accuracy",
            series: records.filter { !$0.history.isEmpty }.map { record in
                SVGLineChart.Series(label: record.stage, points: record.history.map {
                    SVGLineChart.Point(x: Double($0.epoch), y: $0.validationAccuracy)
                })
            })
        try curves.write(to: path("training-curves.svg"))
        return ["size-accuracy.svg", "sensitivity.svg", "training-curves.svg"]
    }
}
