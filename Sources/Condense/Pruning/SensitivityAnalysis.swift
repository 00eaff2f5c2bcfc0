import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN

/// How a sensitivity analysis runs.
public struct SensitivityOptions: Sendable {
    /// The pruning ratios swept for every layer.
    public var ratios: [Double] = (1...9).map { Double($0) / 10 }
    /// Channel groups (structured pruning) or each conv/linear weight (unstructured magnitude pruning).
    public var structured = true
    /// Unstructured only: also sweep the first conv and the classifier.
    public var includeFirstAndLast = false
    /// Evaluate on the first `maxImages` validation images only (nil: all), to make the sweep cheaper.
    public var maxImages: Int?
    public var batchSize = 256

    public init() {}
}

/// Per-layer sensitivity to pruning (as Distiller's `perform_sensitivity_analysis`): for every prunable layer and
/// every ratio, the validation accuracy with that layer alone pruned at that ratio and all others intact. Layers are
/// pruned in place without rebuilding the model — structured: the next layer's inputs from the removed channels are
/// zeroed, which computes exactly what the physically smaller model computes; unstructured: the smallest weights
/// are zeroed — and restored after each evaluation. The validation images stay on the device with their
/// activations at the current layer's stage (`StageCache`), so each measurement reruns only the network from that
/// layer on.
public enum SensitivityAnalysis {
    /// Progress after each evaluation: the layer, its index and count, the ratio and the accuracy measured.
    public typealias Progress = (_ layer: String, _ index: Int, _ layers: Int, _ ratio: Double, _ accuracy: Double) -> Void

    public static func run(_ model: TrainedModel, on dataset: ImageDataset, options: SensitivityOptions = SensitivityOptions(),
                           progress: Progress = { _, _, _, _, _ in }) throws -> SensitivityProfile {
        guard !options.ratios.isEmpty, options.ratios.allSatisfy({ $0 >= 0 && $0 < 1 }) else {
            throw CondenseError.invalidArgument(op: "sensitivity", "ratios must be in [0, 1), got \(options.ratios)")
        }
        try Evaluation.checkCompatible(model, dataset)
        guard options.maxImages.map({ $0 >= 1 }) ?? true else {
            throw CondenseError.invalidArgument(op: "sensitivity", "the image limit must be ≥ 1")
        }
        let split = dataset.validation.prefix(options.maxImages ?? dataset.validation.count)
        guard split.count > 0 else {
            throw CondenseError.invalidArgument(op: "sensitivity", "the validation split of \(dataset.name) is empty: " +
                                                "the analysis measures accuracy on validation images")
        }
        let cache = try StageCache(model, split: split, dataset: dataset, batchSize: options.batchSize)
        let baseline = try cache.accuracy()
        let layers = try prunableLayers(model, options)
        var results: [SensitivityProfile.Layer] = []
        for (index, layer) in layers.enumerated() {
            try cache.advance(to: layer.stage)
            var accuracies: [Double] = []
            for ratio in options.ratios {
                accuracies.append(try layer.prune(ratio, cache.accuracy))
                progress(layer.name, index, layers.count, ratio, accuracies[accuracies.count - 1])
            }
            results.append(SensitivityProfile.Layer(name: layer.name, ratios: options.ratios, accuracy: accuracies))
        }
        return SensitivityProfile(layers: results, baselineAccuracy: baseline, structured: options.structured)
    }

    /// A layer to sweep: its name, the stage it lives in, and how to run a measurement with it pruned at a ratio.
    private typealias Layer = (name: String, stage: Int, prune: (Double, () throws -> Double) throws -> Double)

    private static func prunableLayers(_ model: TrainedModel, _ options: SensitivityOptions) throws -> [Layer] {
        let staged = model.module as? StagedModel
        func stage(_ name: String) -> Int { staged?.stageIndex(of: name) ?? 0 }
        if options.structured {
            return try ChannelPruning.groups(of: model).map { group in
                (group.name, stage(group.name),
                 { ratio, body in try ChannelPruning.withChannelsRemoved(model, group, ratio: ratio, body) })
            }
        }
        return UnstructuredPruner.prunableWeights(of: model.module, includeFirstAndLast: options.includeFirstAndLast)
            .map { target in
                (target.name, stage(target.name),
                 { ratio, body in try MagnitudePruning.withWeightsPruned(target.variable, ratio: ratio, body) })
            }
    }
}
