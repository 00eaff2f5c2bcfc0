import CondenseCore
import CondenseNN

/// Knowledge distillation from a trained teacher: Hinton's loss (Hinton, Vinyals & Dean, 2015),
/// `α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y)` through the fused KD kernel, optionally plus attention
/// transfer (Zagoruyko & Komodakis, 2017), `β/2 · mean((Q̂ₛ − Q̂ₜ)²)` summed over the pairs of stage outputs whose
/// spatial sizes match. The teacher runs in evaluation mode on the same (augmented) images, outside the tape.
public struct HintonDistillation {
    public let teacher: TrainedModel
    public let student: TrainedModel
    public let temperature: Float
    public let alpha: Float
    /// Weight β of attention transfer (0: off).
    public let attention: Float

    /// Checks the pairing before any training: the same classes and input shape, T > 0, α in [0, 1], β ≥ 0, and
    /// for attention transfer, models that expose their stage features with at least one matching spatial size.
    public init(teacher: TrainedModel, student: TrainedModel, temperature: Float, alpha: Float,
                attention: Float = 0) throws {
        let t = teacher.configuration, s = student.configuration
        guard t.classes == s.classes else {
            throw CondenseError.invalidArgument(op: "distill", "the teacher predicts \(t.classes) classes, the student \(s.classes)")
        }
        guard (t.inputChannels, t.imageSize) == (s.inputChannels, s.imageSize) else {
            throw CondenseError.invalidArgument(op: "distill", "the teacher takes \(t.inputChannels)×\(t.imageSize)×" +
                                                "\(t.imageSize) images, the student \(s.inputChannels)×\(s.imageSize)×\(s.imageSize)")
        }
        guard temperature > 0, temperature.isFinite else {
            throw CondenseError.invalidArgument(op: "distill", "temperature must be > 0, got \(temperature)")
        }
        guard alpha >= 0, alpha <= 1 else {
            throw CondenseError.invalidArgument(op: "distill", "alpha must be in [0, 1], got \(alpha)")
        }
        guard attention >= 0, attention.isFinite else {
            throw CondenseError.invalidArgument(op: "distill", "attention weight β must be ≥ 0, got \(attention)")
        }
        if attention > 0, !(teacher.module is FeatureExtracting && student.module is FeatureExtracting) {
            throw CondenseError.invalidArgument(op: "distill", "attention transfer needs models that expose stage features")
        }
        self.teacher = teacher
        self.student = student
        self.temperature = temperature
        self.alpha = alpha
        self.attention = attention
    }

    /// The student's forward pass and distillation loss on one batch (a `Training.Objective`).
    public func objective(images: Variable, labels: Tensor) throws -> (loss: Variable, logits: Variable) {
        teacher.module.train(false)
        guard attention > 0, let studentModel = student.module as? FeatureExtracting,
              let teacherModel = teacher.module as? FeatureExtracting else {
            let teacherLogits = try Tape.withoutRecording { try teacher.module(images).value }
            let logits = try student.module(images)
            return (try distillationLoss(student: logits, teacher: teacherLogits, labels: labels,
                                         temperature: temperature, alpha: alpha), logits)
        }
        let (teacherLogits, teacherMaps) = try Tape.withoutRecording { () -> (Tensor, [Tensor]) in
            let (logits, features) = try teacherModel.forwardWithFeatures(images)
            return (logits.value, try features.map { try attentionMap($0).value })
        }
        let (logits, features) = try studentModel.forwardWithFeatures(images)
        var loss = try distillationLoss(student: logits, teacher: teacherLogits, labels: labels,
                                        temperature: temperature, alpha: alpha)
        for studentFeatures in features {
            guard let teacherMap = teacherMaps.last(where: { $0.shape[1] == studentFeatures.shape.count
                / max(studentFeatures.shape[0] * studentFeatures.shape[1], 1) }) else { continue }
            loss = try add(loss, try attentionTransferLoss(student: try attentionMap(studentFeatures), teacher: teacherMap,
                                                           beta: attention))
        }
        return (loss, logits)
    }
}
