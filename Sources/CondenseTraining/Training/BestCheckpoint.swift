import CondenseNN

/// The best-on-validation weights of a run: kept in memory, written atomically to `path` (when there is one)
/// each time they improve, and loaded back into the model when training ends.
struct BestCheckpoint {
    let path: String?
    /// The best validation accuracy so far (nil before any weights were kept).
    private(set) var accuracy: Double?
    private var checkpoint: Checkpoint?

    init(path: String?) { self.path = path }

    /// Whether `validationAccuracy` beats the best so far.
    func isBeaten(by validationAccuracy: Double) -> Bool { validationAccuracy > (accuracy ?? -1) }

    /// Keeps `snapshot` as the best, with its validation accuracy, and writes it.
    mutating func keep(_ snapshot: Checkpoint, validationAccuracy: Double) throws {
        accuracy = validationAccuracy
        checkpoint = snapshot
        if let path { try snapshot.write(to: path) }
    }

    /// Loads the kept weights into `model` (nothing when none were kept).
    func restore(into model: TrainedModel) throws {
        if let checkpoint { try model.load(checkpoint, path: path ?? "best weights") }
    }
}
