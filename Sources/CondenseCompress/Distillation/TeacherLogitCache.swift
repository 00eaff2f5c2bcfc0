import CondenseCore

/// A teacher's logits for every image of the un-augmented training split, computed once (offline distillation):
/// each step then reads its batch's rows instead of running the teacher. Valid only when training does not augment,
/// since the teacher must see the same images as the student.
public struct TeacherLogitCache: Sendable {
    /// Row-major `samples × classes`, in split order.
    public let logits: [Float]
    public let classes: Int

    public init(logits: [Float], classes: Int) throws {
        guard classes >= 1, logits.count % classes == 0 else {
            throw CondenseError.invalidArgument(op: "distill", "\(logits.count) cached logits are not rows of \(classes) classes")
        }
        self.logits = logits
        self.classes = classes
    }

    /// Number of cached samples.
    public var count: Int { logits.count / classes }

    /// The rows of `indices`, as a `[indices.count, classes]` tensor on `backend`.
    public func logits(for indices: [Int], on backend: Backend) throws -> Tensor {
        var rows: [Float] = []
        rows.reserveCapacity(indices.count * classes)
        for index in indices {
            guard index >= 0, index < count else {
                throw CondenseError.invalidArgument(op: "distill", "sample \(index) is not among the \(count) cached teacher outputs")
            }
            rows += logits[(index * classes)..<((index + 1) * classes)]
        }
        return try backend.tensor(rows, shape: [indices.count, classes])
    }
}
