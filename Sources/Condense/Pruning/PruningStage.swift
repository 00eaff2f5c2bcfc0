import CondenseCompress
import CondenseCore
import CondenseNN

/// One way of pruning inside `PruningPipeline`: it makes the pruned model, says what each layer lost, and hooks
/// into fine-tuning.
protocol PruningStage {
    /// The model to fine-tune (pruned, or pruned gradually while it trains).
    var model: TrainedModel { get }
    var layers: [LayerRatio] { get }
    /// The accuracy drop the sensitivity profile's rule settled on (nil without a profile).
    var tolerance: Double? { get }
    /// Whether the model is already at its final sparsity before fine-tuning.
    var isPrunedBeforeTraining: Bool { get }
    /// The hooks fine-tuning for `steps` optimizer steps needs.
    func hooks(steps: Int) throws -> TrainingHooks
    /// The overall sparsity reached.
    func sparsity() throws -> Double
}

extension PruningOptions {
    /// Each layer's ratio and the tolerance used: from the sensitivity profile when there is one, else `sparsity`
    /// everywhere.
    func layerRatios(names: [String], sizes: [Int]) throws -> (ratios: [Double], tolerance: Double?) {
        guard let sensitivity else { return ([Double](repeating: sparsity, count: names.count), nil) }
        let chosen = try sensitivity.layerRatios(for: names, sizes: sizes, sparsity: sparsity, tolerance: tolerance)
        return (chosen.ratios, chosen.tolerance)
    }
}

/// Structured pruning: the lowest-L1 channels of every group removed at once, before fine-tuning.
struct StructuredStage: PruningStage {
    let model: TrainedModel
    let layers: [LayerRatio]
    let tolerance: Double?
    private let channelsBefore: Int
    var isPrunedBeforeTraining: Bool { true }

    init(_ original: TrainedModel, _ options: PruningOptions) throws {
        let groups = try ChannelPruning.groups(of: original)
        let sizes = try groups.map { try ChannelPruning.filterNorms(original, $0).count }
        let (ratios, tolerance) = try options.layerRatios(names: groups.map(\.name), sizes: sizes)
        model = try ChannelPruning.prune(original, ratios: ratios)
        self.tolerance = tolerance
        layers = zip(groups, ratios).map { LayerRatio(name: $0.name, ratio: $1) }
        channelsBefore = sizes.reduce(0, +)
    }

    func hooks(steps: Int) -> TrainingHooks { TrainingHooks() }

    func sparsity() -> Double {
        1 - Double(model.configuration.blockChannels?.reduce(0, +) ?? channelsBefore) / Double(max(channelsBefore, 1))
    }
}

/// Unstructured pruning: magnitude masks, at once without fine-tuning, else on a polynomial schedule during it.
struct UnstructuredStage: PruningStage {
    let model: TrainedModel
    let layers: [LayerRatio]
    let tolerance: Double?
    private let pruner: UnstructuredPruner
    private let target: Double
    private let options: PruningOptions
    var isPrunedBeforeTraining: Bool { options.fineTuning.epochs == 0 }

    init(_ original: TrainedModel, _ options: PruningOptions) throws {
        let targets = UnstructuredPruner.prunableWeights(of: original.module,
                                                         includeFirstAndLast: options.includeFirstAndLast)
        let chosen = options.sensitivity == nil ? nil
            : try options.layerRatios(names: targets.map(\.name), sizes: targets.map(\.variable.value.count))
        let ratios = chosen?.ratios
        tolerance = chosen?.tolerance
        pruner = try UnstructuredPruner(original, scope: options.scope, layerRatios: ratios,
                                        includeFirstAndLast: options.includeFirstAndLast)
        target = pruner.overallLayerRatio ?? options.sparsity
        layers = zip(targets, ratios ?? targets.map { _ in options.sparsity }).map { LayerRatio(name: $0.name, ratio: $1) }
        model = original
        self.options = options
        if isPrunedBeforeTraining { try pruner.prune(to: target) }
    }

    /// A `PolynomialDecay` from 0 to the target over the first `scheduleEnd` of the steps.
    func hooks(steps: Int) throws -> TrainingHooks {
        let end = min(max(Int(options.scheduleEnd * Double(steps)), 0), max(steps - 1, 0))
        pruner.schedule = try PolynomialDecay(finalSparsity: target, endStep: end, power: options.power,
                                              frequency: options.frequency ?? max(1, end / 10))
        return TrainingHooks(afterStep: pruner.afterStep, mayKeep: pruner.isAtFinalSparsity)
    }

    func sparsity() throws -> Double {
        MagnitudePruning.sparsity(of: try pruner.targets.map { try $0.variable.value.toHost() })
    }
}
