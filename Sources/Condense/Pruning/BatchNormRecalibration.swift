import CondenseCore
import CondenseData
import CondenseNN

/// Re-estimates every batch norm's running mean and variance from training images, as PyTorch does with
/// `momentum=None` (the cumulative average over batches): forward passes in training mode, no gradients, no weight
/// changes. After pruning has changed what feeds a batch norm its stored statistics are stale; recalibrating them
/// restores much of the accuracy before any fine-tuning (Li et al., 2020, "EagleEye").
public enum BatchNormRecalibration {
    /// Recalibrates `model` on the first `images` images of `split` (no augmentation), in batches of `batchSize`.
    public static func run(_ model: TrainedModel, on split: ImageSplit, dataset: ImageDataset, images: Int,
                           batchSize: Int = 128) throws {
        let subset = split.prefix(images)
        guard subset.count > 0, batchSize > 0 else {
            throw CondenseError.invalidArgument(op: "batch-norm calibration", "needs images, but the split of " +
                                                "\(dataset.name) it was given is empty (or the image count is 0)")
        }
        let norms = model.module.descendants.compactMap { $0 as? BatchNorm2d }
        let momenta = norms.map(\.momentum)
        defer {
            for (norm, momentum) in zip(norms, momenta) { norm.momentum = momentum }
            model.module.train(false)
        }
        let backend = try model.module.backend
        let loader = BatchLoader(subset, of: dataset, batchSize: batchSize,
                                 normalization: Normalization(mean: model.normalizationMean, std: model.normalizationStd),
                                 shuffle: false, augment: false, seed: 0)
        model.module.train(true)
        for (index, batch) in loader.batches(epoch: 0).enumerated() {
            for norm in norms { norm.momentum = 1 / Float(index + 1) }
            _ = try model.module(Variable(try backend.tensor(batch.images, shape: Shape(batch.shape))))
        }
    }

    /// `module` and every module below it.
}
