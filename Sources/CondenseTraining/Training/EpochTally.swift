import CondenseCore

/// An epoch's running loss and accuracy, summed on the device and read back only when reported.
final class EpochTally {
    private let backend: Backend
    private let lossSum: Tensor, correct: Tensor, batchCorrect: Tensor
    /// Images counted so far.
    private(set) var images = 0

    init(on backend: Backend) throws {
        self.backend = backend
        lossSum = try backend.full([1], value: 0)
        correct = try backend.full([1], value: 0)
        batchCorrect = try backend.allocate([1], dtype: .float32)
    }

    /// Adds a batch: its mean `loss` (one element), and its `logits` scored against int32 `labels`.
    func add(loss: Tensor, logits: Tensor, labels: Tensor) throws {
        try backend.axpy(alpha: Float(labels.count), x: loss, y: lossSum)
        try backend.countCorrect(logits: logits, labels: labels, output: batchCorrect)
        try backend.axpy(alpha: 1, x: batchCorrect, y: correct)
        images += labels.count
    }

    /// The mean loss per image so far (after at least one batch).
    func meanLoss() throws -> Double { Double(try lossSum.toHost()[0]) / Double(images) }

    /// The fraction of images classified correctly so far (after at least one batch).
    func accuracy() throws -> Double { Double(try correct.toHost()[0]) / Double(images) }
}
