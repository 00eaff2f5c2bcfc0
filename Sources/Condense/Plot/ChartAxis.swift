import Foundation

/// One axis of a chart: the range shown (widened to round ticks), its ticks, and where a value falls in it.
struct ChartAxis {
    let scale: AxisScale
    let lower: Double
    let upper: Double
    let ticks: [Double]

    /// An axis over `range`, or over `values` widened to round tick steps (1, 2 or 5 × 10ᵏ; powers of ten on a
    /// logarithmic axis). A single value or no values still give a non-empty range.
    init(values: [Double], range: ClosedRange<Double>?, scale: AxisScale) {
        self.scale = scale
        let drawable = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        switch scale {
        case .linear:
            var (low, high) = range.map { ($0.lowerBound, $0.upperBound) } ?? (drawable.min() ?? 0, drawable.max() ?? 1)
            if high <= low { (low, high) = (low - 0.5, high + 0.5) }
            let step = Self.roundStep((high - low) / 5)
            if range == nil { (low, high) = ((low / step).rounded(.down) * step, (high / step).rounded(.up) * step) }
            lower = low
            upper = high
            let first = (low / step - 1e-9).rounded(.up)
            ticks = stride(from: first, through: high / step + 1e-9, by: 1).map { $0 * step }
        case .logarithmic:
            var (low, high) = range.map { (log10($0.lowerBound), log10($0.upperBound)) }
                ?? (log10(drawable.min() ?? 1), log10(drawable.max() ?? 10))
            if range == nil { (low, high) = (low.rounded(.down), high.rounded(.up)) }
            if high <= low { high = low + 1 }
            lower = low
            upper = high
            ticks = stride(from: low.rounded(.up), through: high, by: 1).map { pow(10, $0) }
        }
    }

    /// Where `value` falls between the ends of the axis, 0 at the lower end and 1 at the upper.
    func fraction(_ value: Double) -> Double {
        let position = scale == .logarithmic ? log10(max(value, .leastNormalMagnitude)) : value
        return (position - lower) / (upper - lower)
    }

    /// 1, 2 or 5 × 10ᵏ, the smallest at least `rough`.
    static func roundStep(_ rough: Double) -> Double {
        let power = pow(10, log10(rough).rounded(.down))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough * (1 - 1e-9) } ?? 10 * power
    }

    /// A tick label without float noise: `0.3`, not `0.30000000000000004`; `1e+06` style for large magnitudes.
    static func label(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e6 || (magnitude < 1e-3 && magnitude > 0) { return String(format: "%.0e", value) }
        return String(format: "%g", (value * 1e6).rounded() / 1e6 + 0)  // + 0 turns −0 into 0
    }
}
