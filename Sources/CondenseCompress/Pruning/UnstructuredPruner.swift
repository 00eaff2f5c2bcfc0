import CondenseCore
import CondenseNN

/// Magnitude pruning of a model's conv and linear weights with masks that stay applied: `prune(to:)` ranks the
/// weights and zeroes the smallest, `applyMasks()` zeroes them again after an optimizer step has moved them, and
/// `afterStep(_:)` does both on a `PolynomialDecay` schedule (the training loop's `afterStep` hook). Sparsity is
/// uniform (every tensor, or all together with `global` scope) or, with `layerRatios`, each tensor's own share.
/// Batch-norm parameters and biases are never pruned; the first conv and the classifier only when asked.
public final class UnstructuredPruner {
    /// The pruned weights with their names, in model order.
    public let targets: [(name: String, variable: Variable)]
    public let scope: PruningScope
    /// When `afterStep(_:)` recomputes masks and at what sparsity (nil: never; masks are only re-applied).
    public var schedule: PolynomialDecay?
    /// Each target's sparsity when the overall sparsity (weighted by tensor size) is `overallLayerRatio`; a lower
    /// overall sparsity scales them all down alike. Nil: uniform.
    public let layerRatios: [Double]?
    /// The masks on the weights' backend (1 keep, 0 pruned); nil until the first `prune(to:)`.
    public private(set) var masks: [Tensor]?
    /// The sparsity the masks were last computed for.
    public private(set) var sparsity: Double = 0

    public init(_ model: TrainedModel, scope: PruningScope, schedule: PolynomialDecay? = nil,
                layerRatios: [Double]? = nil, includeFirstAndLast: Bool = false) throws {
        targets = Self.prunableWeights(of: model.module, includeFirstAndLast: includeFirstAndLast)
        guard !targets.isEmpty else {
            throw CondenseError.invalidArgument(op: "prune", "the model has no prunable conv or linear weights")
        }
        if let layerRatios, layerRatios.count != targets.count || !layerRatios.allSatisfy({ $0 >= 0 && $0 < 1 }) {
            throw CondenseError.invalidArgument(op: "prune", "expected \(targets.count) layer ratios in [0, 1), got " +
                                                "\(layerRatios.count)")
        }
        self.scope = scope
        self.schedule = schedule
        self.layerRatios = layerRatios
    }

    /// The size-weighted mean of `layerRatios`: the overall sparsity at which each target has its own ratio.
    public var overallLayerRatio: Double? {
        layerRatios.map { ratios in
            zip(ratios, targets).reduce(0) { $0 + $1.0 * Double($1.1.variable.value.count) }
                / Double(targets.reduce(0) { $0 + $1.variable.value.count })
        }
    }

    /// Every conv (rank-4) and linear (rank-2) weight, without the first conv and the last linear layer unless
    /// `includeFirstAndLast`.
    public static func prunableWeights(of module: Module,
                                       includeFirstAndLast: Bool) -> [(name: String, variable: Variable)] {
        let weights = module.namedParameters().filter {
            $0.name.hasSuffix("weight") && [2, 4].contains($0.variable.shape.rank)
        }
        guard !includeFirstAndLast else { return weights }
        let first = weights.firstIndex { $0.variable.shape.rank == 4 }
        let last = weights.lastIndex { $0.variable.shape.rank == 2 }
        return weights.enumerated().filter { $0.offset != first && $0.offset != last }.map(\.element)
    }

    /// Recomputes the masks so that `sparsity` of the targets' weights are zero, by their current magnitudes, and
    /// applies them.
    public func prune(to sparsity: Double) throws {
        guard sparsity >= 0, sparsity < 1 else {
            throw CondenseError.invalidArgument(op: "prune", "sparsity must be in [0, 1), got \(sparsity)")
        }
        let weights = try targets.map { try $0.variable.value.toHost() }
        let newMasks = if let layerRatios, let overall = overallLayerRatio {
            MagnitudePruning.masks(weights, sparsities: layerRatios.map { overall > 0 ? $0 * sparsity / overall : 0 })
        } else {
            MagnitudePruning.masks(weights, sparsity: sparsity, scope: scope)
        }
        masks = try zip(targets, newMasks).map { target, mask in
            try target.variable.backend.tensor(mask, shape: target.variable.shape)
        }
        self.sparsity = sparsity
        try applyMasks()
    }

    /// Multiplies every target by its mask on its backend (nothing before the first `prune(to:)`).
    public func applyMasks() throws {
        guard let masks else { return }
        for (target, mask) in zip(targets, masks) {
            let weight = target.variable.value
            try weight.backend.multiply(weight, mask, output: weight)
        }
    }

    /// After optimizer step `step`: recomputes the masks where the schedule says so, then applies them.
    public func afterStep(_ step: Int) throws {
        if let schedule, schedule.updatesMasks(at: step) { try prune(to: schedule.sparsity(at: step)) }
        try applyMasks()
    }

    /// Whether the schedule has reached its final sparsity at `step` (always, without a schedule).
    public func isAtFinalSparsity(step: Int) -> Bool { schedule.map { step >= $0.endStep } ?? true }
}
