import CondenseCore
import CondenseData
import CondenseNN

/// Re-estimates every batch norm's running mean and variance from training images, as PyTorch does with
/// `momentum=None` (the cumulative average over batches): forward passes in training mode, no gradients, no weight
/// changes. Two callers: after pruning has changed what feeds a batch norm its stored statistics are stale, and
/// recalibrating them restores much of the accuracy before any fine-tuning (Li et al., 2020, "EagleEye"); and the
/// training loop, before every validation, because the running averages lag weights that move fast at a high
/// learning rate ("precise BN", Wu & Johnson, 2021).
public enum BatchNormRecalibration {
    /// Recalibrates `model` on `images` images of `split` (no augmentation), in batches of `batchSize`: the first
    /// ones, or with `shuffleSeed` whole batches of a seeded shuffle (at least `images` images, at most the split).
    public static func run(_ model: TrainedModel, on split: ImageSplit, dataset: ImageDataset, images: Int,
                           batchSize: Int = 128, shuffleSeed: UInt64? = nil) throws {
        let subset = shuffleSeed == nil ? split.prefix(images) : split
        guard subset.count > 0, images > 0, batchSize > 0 else {
            throw CondenseError.invalidArgument(op: "batch-norm calibration", "needs images, but the split of " +
                                                "\(dataset.name) it was given is empty (or the image count is 0)")
        }
        let norms = model.module.descendants.compactMap { $0 as? BatchNorm2d }
        let momenta = norms.map(\.momentum), synchronizations = norms.map(\.synchronization)
        defer {
            for (norm, momentum) in zip(norms, momenta) { norm.momentum = momentum }
            for (norm, synchronization) in zip(norms, synchronizations) { norm.synchronization = synchronization }
            model.module.train(false)
        }
        // In a data-parallel job every process recalibrates on the same images, so each computes alone exactly what
        // one process computes; summing statistics over the job (synchronized batch norm) would only add rounding.
        for norm in norms { norm.synchronization = nil }
        let backend = try model.module.backend
        let loader = BatchLoader(subset, of: dataset, batchSize: batchSize,
                                 normalization: Normalization(mean: model.normalizationMean, std: model.normalizationStd),
                                 shuffle: shuffleSeed != nil, augment: false, seed: shuffleSeed ?? 0)
        let batches = (min(images, subset.count) + batchSize - 1) / batchSize
        model.module.train(true)
        try Tape.withoutRecording {
            for (index, batch) in loader.batches(epoch: 0).prefix(batches).enumerated() {
                for norm in norms { norm.momentum = 1 / Float(index + 1) }
                _ = try model.module(Variable(try backend.tensor(batch.images, shape: Shape(batch.shape))))
            }
        }
    }
}
