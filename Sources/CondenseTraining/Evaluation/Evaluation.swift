import CondenseCore
import CondenseData
import CondenseDistributed
import CondenseNN

/// Runs a model in evaluation mode over a split and scores it.
///
/// In a data-parallel job (`group` of more than one process, all holding the same weights) each process runs its
/// contiguous part of the split and the parts are combined by an allreduce, so every process gets every logit and
/// the same scores for a 1/N share of the work.
public enum Evaluation {
    /// The logits and class probabilities for every image of `split` (each row-major `count × classes`), from one
    /// pass in evaluation mode, shared over `group`'s processes.
    public static func predictions(of model: TrainedModel, on split: ImageSplit, dataset: ImageDataset,
                                   batchSize: Int, over group: any ProcessGroup = SingleProcess()) throws
        -> (logits: [Float], probabilities: [Float]) {
        guard batchSize >= 1 else {
            throw CondenseError.invalidArgument(op: "evaluate", "batch size must be ≥ 1, got \(batchSize)")
        }
        guard group.size > 1 else {
            return try localPredictions(of: model, on: split, dataset: dataset, batchSize: batchSize)
        }
        let part = (split.count * group.rank / group.size)..<(split.count * (group.rank + 1) / group.size)
        let mine = try localPredictions(of: model, on: split.images(part), dataset: dataset, batchSize: batchSize)
        let classes = model.configuration.classes
        // Every process fills its own rows of zeroed arrays; the sum over the job is then every row, exactly.
        func gathering(_ rows: [Float]) throws -> [Float] {
            var whole = [Float](repeating: 0, count: split.count * classes)
            whole.replaceSubrange((part.lowerBound * classes)..<(part.upperBound * classes), with: rows)
            try whole.withUnsafeMutableBufferPointer { try group.allreduceSum($0) }
            return whole
        }
        return try (gathering(mine.logits), gathering(mine.probabilities))
    }

    /// `predictions(of:on:dataset:batchSize:over:)` in this process alone.
    private static func localPredictions(of model: TrainedModel, on split: ImageSplit, dataset: ImageDataset,
                                    batchSize: Int) throws -> (logits: [Float], probabilities: [Float]) {
        let backend = try model.module.backend
        model.module.train(false)
        let loader = BatchLoader(split, of: dataset, batchSize: batchSize,
                                 normalization: Normalization(mean: model.normalizationMean, std: model.normalizationStd),
                                 shuffle: false, augment: false, seed: 0)
        var logits: [Float] = [], probabilities: [Float] = []
        logits.reserveCapacity(split.count * model.configuration.classes)
        probabilities.reserveCapacity(split.count * model.configuration.classes)
        for batch in loader.batches(epoch: 0) {
            let images = Variable(try backend.tensor(batch.images, shape: Shape(batch.shape)))
            let batchLogits = try model.module(images).value
            logits += try batchLogits.toHost()
            probabilities += try softmax(batchLogits)
        }
        return (logits, probabilities)
    }

    /// The rows of `logits` turned into class probabilities, on the host.
    public static func softmax(_ logits: Tensor) throws -> [Float] {
        let output = try logits.backend.allocate(logits.shape, dtype: .float32)
        try logits.backend.softmax(logits: logits, temperature: 1, output: output)
        return try output.toHost()
    }

    /// Class probabilities for every image of `split` (row-major `count × classes`).
    public static func probabilities(of model: TrainedModel, on split: ImageSplit, dataset: ImageDataset,
                                     batchSize: Int) throws -> [Float] {
        try predictions(of: model, on: split, dataset: dataset, batchSize: batchSize).probabilities
    }

    /// Accuracy and macro AUC of `model` on `split`.
    public static func evaluate(_ model: TrainedModel, on split: ImageSplit, dataset: ImageDataset,
                                batchSize: Int = 256, over group: any ProcessGroup = SingleProcess()) throws
        -> EvaluationResult {
        try evaluateWithLogits(model, on: split, dataset: dataset, batchSize: batchSize, over: group).result
    }

    /// Accuracy and macro AUC of `model` on `split`, and the logits they were computed from (what an exported model
    /// must reproduce).
    public static func evaluateWithLogits(_ model: TrainedModel, on split: ImageSplit, dataset: ImageDataset,
                                          batchSize: Int = 256, over group: any ProcessGroup = SingleProcess()) throws
        -> (result: EvaluationResult, logits: [Float]) {
        try checkCompatible(model, dataset)
        guard split.count > 0 else {
            throw CondenseError.invalidArgument(op: "evaluate", "\(dataset.name): the split to evaluate has no images, " +
                                                "so it has no accuracy")
        }
        let start = Stopwatch.now()
        let (logits, probabilities) = try predictions(of: model, on: split, dataset: dataset, batchSize: batchSize,
                                                      over: group)
        let seconds = max(Stopwatch.now() - start, 1e-9)
        let classes = model.configuration.classes
        let result = EvaluationResult(
            accuracy: try ClassificationMetrics.accuracy(probabilities: probabilities, labels: split.labels,
                                                         classes: classes),
            auc: try ClassificationMetrics.macroAUC(probabilities: probabilities, labels: split.labels, classes: classes),
            images: split.count, imagesPerSecond: Double(split.count) / seconds)
        return (result, logits)
    }

    /// Throws unless the dataset's images and labels fit the model.
    public static func checkCompatible(_ model: TrainedModel, _ dataset: ImageDataset) throws {
        let c = model.configuration
        guard dataset.channels == c.inputChannels, dataset.height == c.imageSize, dataset.width == c.imageSize else {
            throw CondenseError.invalidArgument(op: "evaluate", "the model takes \(c.inputChannels)×\(c.imageSize)×" +
                                                "\(c.imageSize) images, the dataset has \(dataset.channels)×" +
                                                "\(dataset.height)×\(dataset.width)")
        }
        guard dataset.classes <= c.classes else {
            throw CondenseError.invalidArgument(op: "evaluate", "the dataset has \(dataset.classes) classes, the model " +
                                                "predicts \(c.classes)")
        }
    }
}
