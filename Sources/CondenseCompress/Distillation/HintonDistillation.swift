import CondenseCore
import CondenseNN

/// Hinton knowledge distillation (Hinton, Vinyals & Dean, 2015): the student learns from the teacher's softened
/// outputs, `L = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y)`, computed by the fused KD kernel. The
/// teacher runs in evaluation mode on the same (augmented) images, outside the autograd tape.
public struct HintonDistillation {
    public let teacher: TrainedModel
    public let temperature: Float
    public let alpha: Float

    /// Checks the pairing before any training: the same classes and input shape, T > 0 and α in [0, 1].
    public init(teacher: TrainedModel, student: TrainedModel, temperature: Float, alpha: Float) throws {
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
        self.teacher = teacher
        self.temperature = temperature
        self.alpha = alpha
    }

    /// The loss of one batch given the student's logits, the labels and the images both models see.
    public func loss(studentLogits: Variable, labels: Tensor, images: Variable) throws -> Variable {
        teacher.module.train(false)
        let teacherLogits = try Tape.withoutRecording { try teacher.module(images).value }
        return try distillationLoss(student: studentLogits, teacher: teacherLogits, labels: labels,
                                    temperature: temperature, alpha: alpha)
    }
}
