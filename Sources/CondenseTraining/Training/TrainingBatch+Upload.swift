import CondenseCore
import CondenseData
import CondenseNN

extension TrainingBatch {
    /// `batch`'s images and labels copied to `backend`.
    init(uploading batch: Batch, to backend: Backend) throws {
        let labels = try backend.allocate([batch.labels.count], dtype: .int32)
        try batch.labels.withUnsafeBytes { try backend.write($0, to: labels) }
        self.init(images: Variable(try backend.tensor(batch.images, shape: Shape(batch.shape))), labels: labels,
                  indices: batch.indices)
    }
}
