import CondenseCore
import CondenseNN
import Foundation

/// A line chart as a standalone SVG document: any number of labelled series of (x, y) points, axes with round
/// ticks and grid lines, axis titles and a legend. Used for accuracy against pruning ratio per layer, and meant
/// for accuracy against model size and training curves too (`xScale: .logarithmic` for sizes).
public struct SVGLineChart: Sendable {
    /// One line: its points in drawing order and its legend label.
    public struct Series: Sendable {
        public var label: String
        public var points: [Point]
        /// Drawn dashed (e.g. a baseline or reference line).
        public var dashed: Bool
        /// An SVG colour; nil takes the next colour of the palette.
        public var color: String?
        /// Whether a line joins the points (false: markers only, a scatter plot).
        public var connected: Bool

        public init(label: String, points: [Point], dashed: Bool = false, color: String? = nil,
                    connected: Bool = true) {
            self.label = label
            self.points = points
            self.dashed = dashed
            self.color = color
            self.connected = connected
        }
    }

    /// A data point.
    public struct Point: Equatable, Sendable {
        public var x: Double
        public var y: Double

        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// The x axis: linear, or base-10 logarithmic (positive x only).
    public var xScale = AxisScale.linear
    /// The ranges shown (nil: the data's, widened to round ticks).
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    /// The plotting area in pixels; the legend is drawn to its right.
    public var plotWidth = 640.0
    public var plotHeight = 400.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// The SVG document.
    public func svg() -> String {
        let x = ChartAxis(values: series.flatMap { $0.points.map(\.x) }, range: xRange, scale: xScale)
        let y = ChartAxis(values: series.flatMap { $0.points.map(\.y) }, range: yRange, scale: .linear)
        let legendWidth = series.isEmpty ? 0 : 30 + 7 * Double(series.map(\.label.count).max() ?? 0)
        let width = Self.margin.left + plotWidth + 20 + legendWidth
        let height = Self.margin.top + plotHeight + Self.margin.bottom
        func px(_ value: Double) -> Double { Self.margin.left + x.fraction(value) * plotWidth }
        func py(_ value: Double) -> Double { Self.margin.top + (1 - y.fraction(value)) * plotHeight }
        var lines = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" " +
                "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            Self.text(title, x: Self.margin.left + plotWidth / 2, y: 24, anchor: "middle", extra: " font-size=\"15\""),
        ]
        for tick in x.ticks {
            let position = px(tick)
            lines.append(Self.line(position, Self.margin.top, position, Self.margin.top + plotHeight, stroke: "#e0e0e0"))
            lines.append(Self.text(ChartAxis.label(tick), x: position, y: Self.margin.top + plotHeight + 18, anchor: "middle"))
        }
        for tick in y.ticks {
            let position = py(tick)
            lines.append(Self.line(Self.margin.left, position, Self.margin.left + plotWidth, position, stroke: "#e0e0e0"))
            lines.append(Self.text(ChartAxis.label(tick), x: Self.margin.left - 8, y: position + 4, anchor: "end"))
        }
        lines.append("<rect x=\"\(Self.number(Self.margin.left))\" y=\"\(Self.number(Self.margin.top))\" " +
                     "width=\"\(Self.number(plotWidth))\" height=\"\(Self.number(plotHeight))\" " +
                     "fill=\"none\" stroke=\"black\"/>")
        lines.append(Self.text(xLabel, x: Self.margin.left + plotWidth / 2, y: height - 14, anchor: "middle"))
        let yMiddle = Self.margin.top + plotHeight / 2
        lines.append(Self.text(yLabel, x: 18, y: yMiddle, anchor: "middle",
                               extra: " transform=\"rotate(-90 18 \(Self.number(yMiddle)))\""))
        var paletteIndex = 0
        for (index, line) in series.enumerated() {
            let color = line.color ?? Self.palette[paletteIndex % Self.palette.count]
            let reused = line.color == nil && paletteIndex >= Self.palette.count
            let dash = line.dashed || reused ? " stroke-dasharray=\"6 4\"" : ""
            if line.color == nil { paletteIndex += 1 }
            let points = line.points.map { "\(Self.number(px($0.x))),\(Self.number(py($0.y)))" }
            if line.connected {
                lines.append("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\"\(dash) " +
                             "points=\"\(points.joined(separator: " "))\"><title>\(Self.escaped(line.label))</title></polyline>")
            }
            let radius = line.connected ? "2.5" : "4"
            lines += line.points.map {
                "<circle cx=\"\(Self.number(px($0.x)))\" cy=\"\(Self.number(py($0.y)))\" r=\"\(radius)\" fill=\"\(color)\"/>"
            }
            let legendX = Self.margin.left + plotWidth + 20, legendY = Self.margin.top + 8 + 18 * Double(index)
            lines.append(Self.line(legendX, legendY, legendX + 20, legendY, stroke: color,
                                   extra: " stroke-width=\"1.8\"" + dash))
            lines.append(Self.text(line.label, x: legendX + 26, y: legendY + 4, anchor: "start"))
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the SVG document atomically.
    public func write(to path: String) throws { try AtomicFileWriter.write(Array(svg().utf8), to: path) }

    // MARK: - Drawing helpers

    static let margin = (left: 70.0, top: 40.0, bottom: 50.0)
    /// Ten distinguishable colours (Tableau 10); later series reuse them dashed.
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                          "#9c755f", "#bab0ac"]

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, extra: String = "") -> String {
        "<line x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\" " +
            "stroke=\"\(stroke)\"\(extra)/>"
    }

    static func text(_ content: String, x: Double, y: Double, anchor: String, extra: String = "") -> String {
        "<text x=\"\(number(x))\" y=\"\(number(y))\" text-anchor=\"\(anchor)\"\(extra)>\(escaped(content))</text>"
    }

    /// A coordinate with at most two decimals.
    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// Text with XML's special characters escaped.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// How an axis maps values to positions.
public enum AxisScale: Sendable {
    case linear
    /// Base 10; values ≤ 0 are not drawable.
    case logarithmic
}
