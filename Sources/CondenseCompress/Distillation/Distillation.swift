import CondenseCore
import CondenseNN

/// Knowledge distillation from a trained teacher: Hinton's loss (Hinton, Vinyals & Dean, 2015),
/// `α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y)` through the fused KD kernel, or decoupled KD
/// (`DecoupledDistillation`, through the fused DKD kernel) in its place, optionally plus, on each
/// pair of stage outputs, attention transfer (Zagoruyko & Komodakis, 2017), `β/2 · mean((Q̂ₛ − Q̂ₜ)²)`, and a FitNets
/// hint (Romero et al., 2015), `γ/2 · mean((r(Fₛ) − Fₜ)²)` with a learned 1×1 regressor `r` per pair. The teacher runs
/// in evaluation mode, outside the tape, on the student's (augmented) images, or its logits come from a cache of the
/// un-augmented training set (offline distillation).
public struct Distillation {
    /// The temperature every command and `condense run` start from (Hinton's recipe for small students).
    public static let defaultTemperature: Float = 4
    /// The weight of the KD term every command and `condense run` start from.
    public static let defaultAlpha: Float = 0.9

    public let teacher: TrainedModel
    public let student: TrainedModel
    public let temperature: Float
    public let alpha: Float
    /// Decoupled KD in place of Hinton's loss (`alpha` then unused); nil for Hinton's loss.
    public let decoupled: DecoupledDistillation?
    /// Weight β of attention transfer (0: off).
    public let attention: Float
    /// Weight γ of the FitNets hint loss (0: off).
    public let hint: Float
    /// The stage pairs attention transfer and hints compare (empty when both are off).
    public let pairs: [FeaturePair]
    /// The hint regressors, one per pair (empty when hints are off); train them with the student.
    public let regressors: [HintRegressor]
    private let teacherLogits: TeacherLogitCache?
    /// Optimizer steps taken so far (one objective call each), for the DKD warm-up.
    private let steps = StepCounter()

    /// Checks the pairing before any training: the same classes and input shape, T > 0, α in [0, 1], β, γ ≥ 0, and
    /// for attention transfer or hints, models that expose their stage features with pairs of equal spatial size
    /// (`pairs`, or by default every student stage with the teacher's last stage of its size). A logit cache
    /// replaces the teacher's forward pass, so it cannot be combined with feature terms. The student records the
    /// recipe (`TrainedModel.distillation`), so its checkpoints say how it was distilled.
    public init(teacher: TrainedModel, student: TrainedModel, temperature: Float, alpha: Float,
                decoupled: DecoupledDistillation? = nil, attention: Float = 0, hint: Float = 0,
                pairs: [FeaturePair]? = nil, teacherLogits: TeacherLogitCache? = nil, seed: UInt64 = 0) throws {
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
        guard attention >= 0, attention.isFinite, hint >= 0, hint.isFinite else {
            throw CondenseError.invalidArgument(op: "distill", "attention weight β and hint weight γ must be ≥ 0, " +
                                                "got \(attention) and \(hint)")
        }
        if let teacherLogits, teacherLogits.classes != t.classes {
            throw CondenseError.invalidArgument(op: "distill", "cached teacher logits have \(teacherLogits.classes) " +
                                                "classes, the teacher \(t.classes)")
        }
        self.teacher = teacher
        self.student = student
        self.temperature = temperature
        self.alpha = alpha
        self.decoupled = decoupled
        self.attention = attention
        self.hint = hint
        self.teacherLogits = teacherLogits
        student.distillation = Self.recipe(temperature: temperature, alpha: alpha, decoupled: decoupled,
                                           attention: attention, hint: hint)
        guard attention > 0 || hint > 0 else {
            (self.pairs, regressors) = ([], [])
            return
        }
        guard teacherLogits == nil else {
            throw CondenseError.invalidArgument(op: "distill", "attention transfer and hints need the teacher's features, " +
                                                "so its logits cannot come from a cache")
        }
        guard let studentModel = student.module as? FeatureExtracting,
              let teacherModel = teacher.module as? FeatureExtracting else {
            throw CondenseError.invalidArgument(op: "distill", "attention transfer and hints need models that expose " +
                                                "stage features")
        }
        let studentShapes = try Self.stageShapes(of: studentModel, s)
        let teacherShapes = try Self.stageShapes(of: teacherModel, t)
        let chosen = pairs ?? FeaturePair.matchingSizes(student: studentShapes, teacher: teacherShapes)
        try FeaturePair.validate(chosen, student: studentShapes, teacher: teacherShapes)
        self.pairs = chosen
        var initializer = Initializer(seed: seed &+ 0x4849_4E54)
        let backend = try student.module.backend
        regressors = hint > 0
            ? try chosen.map { try HintRegressor(from: studentShapes[$0.student][1], to: teacherShapes[$0.teacher][1],
                                                  on: backend, initializer: &initializer) }
            : []
    }

    /// The loss and its parameters as the JSON object a checkpoint records (`Checkpoint.Key.distillation`), keys
    /// sorted: `loss` (`kd` or `dkd`), `temperature`, Hinton's `alpha` or DKD's `alpha`, `beta` and `warmup_steps`,
    /// and the `attention` and `hint` weights.
    static func recipe(temperature: Float, alpha: Float, decoupled: DecoupledDistillation?, attention: Float,
                       hint: Float) -> String {
        let loss = decoupled.map { "\"alpha\":\($0.alpha),\"attention\":\(attention),\"beta\":\($0.beta),\"hint\":\(hint)," +
                                   "\"loss\":\"dkd\",\"temperature\":\(temperature),\"warmup_steps\":\($0.warmupSteps)" }
            ?? "\"alpha\":\(alpha),\"attention\":\(attention),\"hint\":\(hint),\"loss\":\"kd\",\"temperature\":\(temperature)"
        return "{" + loss + "}"
    }

    /// The hint regressors' parameters, trained alongside the student (`Training.train`'s auxiliary parameters).
    public var auxiliaryParameters: [Variable] { regressors.flatMap { $0.namedParameters().map(\.variable) } }

    /// The student's forward pass and distillation loss on one batch (a `Training.Objective`).
    public func objective(_ batch: TrainingBatch) throws -> (loss: Variable, logits: Variable) {
        teacher.module.train(false)
        guard !pairs.isEmpty, let studentModel = student.module as? FeatureExtracting,
              let teacherModel = teacher.module as? FeatureExtracting else {
            let teacherLogits = try teacherLogits?.logits(for: batch.indices, on: batch.images.backend)
                ?? Tape.withoutRecording { try teacher.module(batch.images).value }
            let logits = try student.module(batch.images)
            return (try logitLoss(logits, teacher: teacherLogits, labels: batch.labels), logits)
        }
        let (teacherLogits, teacherFeatures) = try Tape.withoutRecording { () -> (Tensor, [Tensor]) in
            let (logits, features) = try teacherModel.forwardWithFeatures(batch.images)
            return (logits.value, features.map(\.value))
        }
        let (logits, features) = try studentModel.forwardWithFeatures(batch.images)
        var loss = try logitLoss(logits, teacher: teacherLogits, labels: batch.labels)
        for (index, pair) in pairs.enumerated() {
            let studentFeatures = features[pair.student], target = teacherFeatures[pair.teacher]
            if attention > 0 {
                let teacherMap = try Tape.withoutRecording { try attentionMap(Variable(target)).value }
                loss = try add(loss, try halfMeanSquaredError(try attentionMap(studentFeatures), target: teacherMap,
                                                              weight: attention))
            }
            if hint > 0 {
                loss = try add(loss, try halfMeanSquaredError(try regressors[index](studentFeatures), target: target,
                                                              weight: hint))
            }
        }
        return (loss, logits)
    }

    /// The loss on the logits, Hinton's or DKD's, counting the step for DKD's warm-up.
    private func logitLoss(_ logits: Variable, teacher: Tensor, labels: Tensor) throws -> Variable {
        guard let decoupled else {
            return try distillationLoss(student: logits, teacher: teacher, labels: labels, temperature: temperature,
                                        alpha: alpha)
        }
        return try decoupled.loss(student: logits, teacher: teacher, labels: labels, temperature: temperature,
                                  step: steps.next())
    }

    /// The shapes of a model's stage outputs for one image, from a forward pass in evaluation mode.
    private static func stageShapes(of model: FeatureExtracting, _ configuration: ModelConfiguration) throws -> [Shape] {
        let backend = try model.backend
        let wasTraining = model.isTraining
        defer { model.train(wasTraining) }
        model.train(false)
        let image = try backend.full([1, configuration.inputChannels, configuration.imageSize, configuration.imageSize],
                                     value: 0)
        return try Tape.withoutRecording { try model.forwardWithFeatures(Variable(image)).features.map(\.shape) }
    }
}

/// A count shared by the copies of a `Distillation` (its objective is captured by value).
private final class StepCounter {
    private var count = 0

    /// Counts one more step and returns the count, from 1.
    func next() -> Int {
        count += 1
        return count
    }
}
