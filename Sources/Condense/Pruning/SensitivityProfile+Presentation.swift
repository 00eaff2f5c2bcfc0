import CondenseCompress
import Foundation

extension SensitivityProfile {
    /// Accuracy against pruning ratio, one line per layer, with the baseline dashed.
    public func chart(title: String) -> SVGLineChart {
        let ratios = layers.flatMap(\.ratios)
        let baseline = SVGLineChart.Series(
            label: String(format: "baseline %.3f", baselineAccuracy),
            points: [ratios.min() ?? 0, ratios.max() ?? 1].map { SVGLineChart.Point(x: $0, y: baselineAccuracy) },
            dashed: true, color: "black")
        let lines = layers.map { layer in
            SVGLineChart.Series(label: layer.name, points: zip(layer.ratios, layer.accuracy).map {
                SVGLineChart.Point(x: $0, y: $1)
            })
        }
        return SVGLineChart(title: title, xLabel: structured ? "fraction of channels removed" : "fraction of weights zeroed",
                            yLabel: "validation accuracy", series: [baseline] + lines)
    }

    /// A text table: one row per layer, one column per ratio (accuracy), after a line with the baseline.
    public func table() -> String {
        let ratios = layers.first?.ratios ?? []
        let nameWidth = max(5, layers.map(\.name.count).max() ?? 0)
        let header = "layer".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            + ratios.map { String(format: " %6.2f", $0) }.joined()
        let rows = layers.map { layer in
            layer.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + layer.accuracy.map { String(format: " %6.4f", $0) }.joined()
        }
        return ([String(format: "baseline validation accuracy %.4f; accuracy with one layer pruned at each ratio:",
                        baselineAccuracy), header] + rows).joined(separator: "\n")
    }
}
