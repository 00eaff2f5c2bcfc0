import CondenseCore
import CondenseData
import CondenseNN

/// A split's images held on the device, normalized, with their activations at one stage of a `StagedModel`, so that
/// evaluating many variants of a layer reruns only the stages from that layer on (evaluation mode throughout).
final class StageCache {
    private let stages: [Module]
    private let inputs: [Tensor]
    private let labels: [Int32]
    private let classes: Int
    private var activations: [Tensor]
    /// The stage whose input `activations` are.
    private(set) var stage = 0

    init(_ model: TrainedModel, split: ImageSplit, dataset: ImageDataset, batchSize: Int) throws {
        guard let staged = model.module as? StagedModel else {
            throw CondenseError.invalidArgument(op: "sensitivity", "\(model.configuration.architecture) does not " +
                                                "expose its forward pass as stages")
        }
        let backend = try model.module.backend
        let loader = BatchLoader(split, of: dataset, batchSize: batchSize,
                                 normalization: Normalization(mean: model.normalizationMean, std: model.normalizationStd),
                                 shuffle: false, augment: false, seed: 0)
        inputs = try loader.batches(epoch: 0).map { try backend.tensor($0.images, shape: Shape($0.shape)) }
        stages = staged.stages.map(\.module)
        labels = split.labels
        classes = model.configuration.classes
        activations = inputs
        model.module.train(false)
    }

    /// Moves the cached activations to the input of stage `index` (starting again from the images when `index` is
    /// behind).
    func advance(to index: Int) throws {
        if index < stage { (activations, stage) = (inputs, 0) }
        while stage < index {
            let module = stages[stage]
            activations = try activations.map { try module(Variable($0)).value }
            stage += 1
        }
    }

    /// The top-1 accuracy of running the stages from the cached one to the end.
    func accuracy() throws -> Double {
        var probabilities: [Float] = []
        for activation in activations {
            probabilities += try Evaluation.softmax(try stages[stage...].reduce(Variable(activation)) { try $1($0) }.value)
        }
        return try ClassificationMetrics.accuracy(probabilities: probabilities, labels: labels, classes: classes)
    }
}
