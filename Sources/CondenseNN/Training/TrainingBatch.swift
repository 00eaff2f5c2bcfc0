import CondenseCore

/// One training batch as an objective sees it: the images on the device (a leaf of the tape), int32 labels `[N]`,
/// and the samples' indices in the training split, so per-sample caches (such as a teacher's logits) can be read.
public struct TrainingBatch {
    public let images: Variable
    public let labels: Tensor
    public let indices: [Int]

    public init(images: Variable, labels: Tensor, indices: [Int]) {
        self.images = images
        self.labels = labels
        self.indices = indices
    }
}
