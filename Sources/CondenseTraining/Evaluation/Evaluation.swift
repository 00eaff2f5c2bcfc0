import CondenseCore
import CondenseData
import CondenseNN

/// Runs a model in evaluation mode over a split and scores it.
public enum Evaluation {
    /// The logits and class probabilities for every image of `split` (each row-major `count × classes`), from one
    /// pass in evaluation mode.
    public static func predictions(of model: TrainedModel, on split: ImageSplit, dataset: ImageDataset,
                                   batchSize: Int) throws -> (logits: [Float], probabilities: [Float]) {
        guard batchSize >= 1 else {
            throw CondenseError.invalidArgument(op: "evaluate", "batch size must be ≥ 1, got \(batchSize)")
        }
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
                                batchSize: Int = 256) throws -> EvaluationResult {
        try evaluateWithLogits(model, on: split, dataset: dataset, batchSize: batchSize).result
    }

    /// Accuracy and macro AUC of `model` on `split`, and the logits they were computed from (what an exported model
    /// must reproduce).
    public static func evaluateWithLogits(_ model: TrainedModel, on split: ImageSplit, dataset: ImageDataset,
                                          batchSize: Int = 256) throws -> (result: EvaluationResult, logits: [Float]) {
        try checkCompatible(model, dataset)
        guard split.count > 0 else {
            throw CondenseError.invalidArgument(op: "evaluate", "\(dataset.name): the split to evaluate has no images, " +
                                                "so it has no accuracy")
        }
        let start = Stopwatch.now()
        let (logits, probabilities) = try predictions(of: model, on: split, dataset: dataset, batchSize: batchSize)
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
