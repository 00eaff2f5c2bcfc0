/// The search's figure: every candidate's proxy accuracy against its cost, the Pareto front, the fully trained
/// candidates' test accuracy, and the budget as a vertical line.
struct SearchChart {
    let budget: SearchBudget
    let document: SearchDocument

    func chart() -> SVGLineChart {
        let candidates = document.candidates
        func point(_ candidate: SearchCandidate, _ accuracy: Double) -> SVGLineChart.Point {
            SVGLineChart.Point(x: budget.amount(of: candidate.cost), y: accuracy)
        }
        let byKey = Dictionary(candidates.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let accuracies = candidates.map(\.proxyAccuracy) + document.full.map(\.testAccuracy)
        let low = accuracies.min() ?? 0, high = accuracies.max() ?? 1
        var series = [
            SVGLineChart.Series(label: "candidates (proxy, validation)", points: candidates.map { point($0, $0.proxyAccuracy) },
                                connected: false),
            SVGLineChart.Series(label: "Pareto front (proxy)",
                                points: document.pareto.compactMap { byKey[$0] }.map { point($0, $0.proxyAccuracy) }),
            SVGLineChart.Series(label: "budget", points: [SVGLineChart.Point(x: budget.limit, y: low),
                                                          SVGLineChart.Point(x: budget.limit, y: high)],
                                dashed: true, color: "#000000"),
        ]
        let trained = document.full.compactMap { record in byKey[record.key].map { point($0, record.testAccuracy) } }
        if !trained.isEmpty {
            series.append(SVGLineChart.Series(label: "fully trained INT8 (test)", points: trained, connected: false))
        }
        return SVGLineChart(title: "Budgeted search: accuracy against cost", xLabel: budget.unit,
                            yLabel: "accuracy", series: series)
    }
}
