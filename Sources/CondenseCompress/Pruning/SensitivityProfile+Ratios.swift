import CondenseCore

/// Per-layer pruning ratios chosen from a sensitivity profile.
public struct LayerRatios: Equatable, Sendable {
    /// The ratio each layer is pruned at, in the order asked for.
    public let ratios: [Double]
    /// The largest ratio each layer tolerated on its own (before scaling).
    public let tolerated: [Double]
    /// The accuracy drop that counted as tolerable: the one asked for, or the smallest larger drop at which the
    /// target sparsity becomes reachable.
    public let tolerance: Double
    /// The size-weighted mean of `ratios`: the overall sparsity they give (below the target only when even every
    /// layer at its largest measured ratio cannot reach it).
    public let sparsity: Double
}

extension SensitivityProfile {
    /// Per-layer ratios for the layers `names` (weighted by `sizes`: channels for structured pruning, weights for
    /// unstructured) that reach the overall `sparsity`, guided by sensitivity as Distiller's sensitivity-driven
    /// schedules are. The rule:
    /// 1. each layer tolerates the largest measured ratio r such that the accuracy at every measured ratio ≤ r
    ///    stays within `tolerance` (absolute, e.g. 0.02 = 2 points) of the baseline; 0 when none does;
    /// 2. the tolerated ratios are scaled by one common factor k, each capped at the layer's largest measured ratio,
    ///    with k found by bisection so that Σ min(k·rᵢ, maxᵢ)·nᵢ / Σ nᵢ = `sparsity`: robust layers lose more,
    ///    sensitive layers less, and layers that tolerate nothing are left whole;
    /// 3. when the tolerant layers at their caps cannot reach `sparsity`, the tolerance is raised to the smallest
    ///    measured accuracy drop at which they can (reported in the result); at the largest drop every layer is
    ///    tolerant up to its largest measured ratio, and beyond that `sparsity` in the result says how far it got.
    public func layerRatios(for names: [String], sizes: [Int], sparsity: Double, tolerance: Double) throws -> LayerRatios {
        guard names.count == sizes.count, sparsity >= 0, sparsity < 1, tolerance >= 0 else {
            throw CondenseError.invalidArgument(op: "prune", "sparsity must be in [0, 1) and tolerance ≥ 0, got " +
                                                "\(sparsity) and \(tolerance)")
        }
        let byName = Dictionary(layers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let missing = names.filter { byName[$0] == nil }
        guard missing.isEmpty else {
            throw CondenseError.invalidArgument(op: "prune", "the sensitivity profile lacks \(missing.count) of the " +
                                                "model's \(names.count) prunable layers (first: \(missing[0])); was " +
                                                "it made for this model and this kind of pruning?")
        }
        let sweeps = names.map { byName[$0]! }
        let caps = sweeps.map { $0.ratios.max() ?? 0 }
        let total = Double(max(sizes.reduce(0, +), 1))
        func overall(_ ratios: [Double]) -> Double { zip(ratios, sizes).reduce(0) { $0 + $1.0 * Double($1.1) } / total }
        let drops = sweeps.flatMap { $0.accuracy.map { baselineAccuracy - $0 } }.filter { $0 > tolerance }
        var result = LayerRatios(ratios: [], tolerated: [], tolerance: tolerance, sparsity: 0)
        for allowed in [tolerance] + Set(drops).sorted() {
            let tolerated = sweeps.map { toleratedRatio($0, tolerance: allowed) }
            let saturated = zip(tolerated, caps).map { $0 > 0 ? $1 : 0 }
            result = LayerRatios(ratios: saturated, tolerated: tolerated, tolerance: allowed, sparsity: overall(saturated))
            guard result.sparsity > sparsity else { continue }
            func scaled(_ k: Double) -> [Double] { zip(tolerated, caps).map { min(k * $0, $1) } }
            var (low, high) = (0.0, zip(tolerated, caps).filter { $0.0 > 0 }.map { $0.1 / $0.0 }.max()!)
            for _ in 0..<100 {
                let middle = (low + high) / 2
                if overall(scaled(middle)) < sparsity { low = middle } else { high = middle }
            }
            return LayerRatios(ratios: scaled(high), tolerated: tolerated, tolerance: allowed, sparsity: overall(scaled(high)))
        }
        return result
    }

    /// The largest measured ratio up to which every measured accuracy stays within `tolerance` of the baseline.
    private func toleratedRatio(_ layer: Layer, tolerance: Double) -> Double {
        var best = 0.0
        for (ratio, accuracy) in zip(layer.ratios, layer.accuracy).sorted(by: { $0.0 < $1.0 }) {
            guard accuracy >= baselineAccuracy - tolerance - 1e-12 else { break }
            best = ratio
        }
        return best
    }
}
