import Condense
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// The SVG chart is well-formed XML, places points where the axis mapping puts them, escapes text, and picks
/// round ticks.
final class SVGLineChartTests: XCTestCase {
    private func chart() -> SVGLineChart {
        var chart = SVGLineChart(title: "Accuracy <&> ratio", xLabel: "ratio", yLabel: "accuracy", series: [
            .init(label: "layer \"a\"", points: [.init(x: 0, y: 0.5), .init(x: 0.5, y: 1)]),
            .init(label: "baseline", points: [.init(x: 0, y: 0.75), .init(x: 1, y: 0.75)], dashed: true, color: "black"),
        ])
        chart.xRange = 0...1
        chart.yRange = 0.5...1
        return chart
    }

    /// Every element of the document, by name, with its attributes.
    private func elements(_ svg: String) throws -> [(name: String, attributes: [String: String])] {
        final class Collector: NSObject, XMLParserDelegate {
            var elements: [(name: String, attributes: [String: String])] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String]) {
                elements.append((name, attributes))
            }
        }
        let parser = XMLParser(data: Data(svg.utf8)), collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "well-formed XML: \(String(describing: parser.parserError))")
        return collector.elements
    }

    func testPointsLandWhereTheAxesMapThem() throws {
        let svg = chart().svg()
        let found = try elements(svg)
        XCTAssertEqual(found.first?.name, "svg")
        let lines = found.filter { $0.name == "polyline" }
        XCTAssertEqual(lines.count, 2)
        // Plot area: x from 70 to 70 + 640, y from 40 (y = 1) to 40 + 400 (y = 0.5).
        XCTAssertEqual(lines[0].attributes["points"], "70,440 390,40")
        XCTAssertEqual(lines[1].attributes["points"], "70,240 710,240")
        XCTAssertEqual(lines[1].attributes["stroke-dasharray"], "6 4")
        XCTAssertNil(lines[0].attributes["stroke-dasharray"])
        XCTAssertEqual(lines.map { $0.attributes["stroke"] }, ["#4e79a7", "black"], "palette first, then the given colour")
        XCTAssertEqual(found.filter { $0.name == "circle" }.count, 4)
        XCTAssertTrue(svg.contains("Accuracy &lt;&amp;&gt; ratio"))
        XCTAssertTrue(svg.contains(">layer &quot;a&quot;</text>"))
    }

    func testTicksAreRoundAndTheDataRangeIsWidenedToThem() throws {
        var chart = chart()
        chart.xRange = nil
        chart.yRange = nil
        chart.series = [.init(label: "s", points: [.init(x: 0.1, y: 0.913), .init(x: 0.9, y: 0.42)])]
        let labels = try elements(chart.svg()).count
        XCTAssertGreaterThan(labels, 0)
        let svg = chart.svg()
        for tick in ["0.2", "0.4", "0.6", "0.8", "1"] { XCTAssertTrue(svg.contains(">\(tick)</text>"), "x tick \(tick)") }
        XCTAssertFalse(svg.contains(">-0</text>"))
        var logarithmic = chart
        logarithmic.xScale = .logarithmic
        logarithmic.series = [.init(label: "size", points: [.init(x: 2_000, y: 0.9), .init(x: 300_000, y: 0.95)])]
        let logSVG = logarithmic.svg()
        for tick in ["1000", "10000", "100000", "1e+06"] { XCTAssertTrue(logSVG.contains(">\(tick)</text>"), tick) }
        // 2,000 on a 10³…10⁶ axis: log10(2) / 3 of the way, 70 + 640 · 0.30103 / 3 = 134.22.
        XCTAssertTrue(logSVG.contains("points=\"134.22,"), logSVG)
    }
}
