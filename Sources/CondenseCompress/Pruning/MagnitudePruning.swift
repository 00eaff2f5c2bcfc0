import CondenseNN

/// Whether magnitude pruning ranks each tensor's weights on their own or all prunable weights together.
public enum PruningScope: String, Sendable, CaseIterable {
    /// Every tensor loses the same fraction of its weights, its own smallest.
    case layerWise = "layer"
    /// The smallest weights of the whole model go, wherever they are (layers differ in sparsity).
    case global
}

/// Unstructured magnitude pruning (Han et al., 2015): the weights of smallest absolute value are zeroed.
public enum MagnitudePruning {
    /// Runs `body` with the `ratio` smallest-magnitude weights of `weight` set to zero, then restores them.
    public static func withWeightsPruned<Result>(_ weight: Variable, ratio: Double,
                                                 _ body: () throws -> Result) throws -> Result {
        let original = weight.value, values = try original.toHost()
        let mask = masks([values], sparsity: ratio, scope: .layerWise)[0]
        defer { try? weight.assign(original) }
        try weight.assign(try weight.backend.tensor(zip(values, mask).map { $0 * $1 }, shape: weight.shape))
        return try body()
    }

    /// Masks (1 keep, 0 prune) that remove `round(sparsity × n)` weights of smallest magnitude — of each tensor
    /// (`layerWise`) or of all `n` weights together (`global`). Ties go by position, earlier first.
    public static func masks(_ weights: [[Float]], sparsity: Double, scope: PruningScope) -> [[Float]] {
        switch scope {
        case .layerWise:
            return masks(weights, sparsities: [Double](repeating: sparsity, count: weights.count))
        case .global:
            return smallest(prune: pruneCount(weights.reduce(0) { $0 + $1.count }, sparsity), of: weights)
        }
    }

    /// Layer-wise masks with a sparsity of its own for each tensor.
    public static func masks(_ weights: [[Float]], sparsities: [Double]) -> [[Float]] {
        zip(weights, sparsities).map { smallest(prune: pruneCount($0.count, $1), of: [$0])[0] }
    }

    /// The fraction of zeros among `values` (0 for none).
    public static func sparsity(of values: [[Float]]) -> Double {
        let total = values.reduce(0) { $0 + $1.count }
        return Double(values.reduce(0) { $0 + $1.reduce(0) { $0 + ($1 == 0 ? 1 : 0) } }) / Double(max(total, 1))
    }

    private static func pruneCount(_ count: Int, _ sparsity: Double) -> Int {
        min(count, max(0, Int((Double(count) * sparsity).rounded())))
    }

    /// Masks zeroing the `count` smallest magnitudes across `tensors`.
    private static func smallest(prune count: Int, of tensors: [[Float]]) -> [[Float]] {
        let magnitudes = tensors.flatMap { $0.map(abs) }
        var mask = [Float](repeating: 1, count: magnitudes.count)
        if count > 0 {
            let order = magnitudes.indices.sorted {
                magnitudes[$0] < magnitudes[$1] || (magnitudes[$0] == magnitudes[$1] && $0 < $1)
            }
            for index in order.prefix(count) { mask[index] = 0 }
        }
        var start = 0
        return tensors.map { tensor in
            defer { start += tensor.count }
            return Array(mask[start..<(start + tensor.count)])
        }
    }
}
