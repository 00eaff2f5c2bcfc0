import CondenseCore
import CondenseNN

/// The logit term of decoupled knowledge distillation (DKD; Zhao et al., CVPR 2022): `CE + w·T²·(α·TCKD + β·NCKD)`
/// through the fused DKD kernel (`SoftmaxOps.decoupledDistillationLoss`), with the warm-up factor
/// `w = min(step/warmupSteps, 1)` (step counted from 1) ramping the distillation term in over the first steps.
public struct DecoupledDistillation: Equatable, Sendable {
    /// The paper's weights for CIFAR-100: α = 1 on the target-class term, β = 8 on the non-target term.
    public static let defaultAlpha: Float = 1
    public static let defaultBeta: Float = 8
    /// The warm-up as a fraction of all steps: 20 of the paper's 240 epochs, about 8 %.
    public static let defaultWarmupFraction = 0.08

    /// Weight α of TCKD (the target/non-target split) and β of NCKD (the non-target classes).
    public let alpha: Float, beta: Float
    /// Optimizer steps over which the distillation term ramps in linearly (0: none).
    public let warmupSteps: Int

    /// - Throws: `CondenseError.invalidArgument` unless α and β are finite and ≥ 0 and `warmupSteps` ≥ 0.
    public init(alpha: Float = defaultAlpha, beta: Float = defaultBeta, warmupSteps: Int) throws {
        guard alpha >= 0, alpha.isFinite, beta >= 0, beta.isFinite else {
            throw CondenseError.invalidArgument(op: "distill", "DKD weights α and β must be finite and ≥ 0, got " +
                                                "\(alpha) and \(beta)")
        }
        guard warmupSteps >= 0 else {
            throw CondenseError.invalidArgument(op: "distill", "DKD warm-up must be ≥ 0 steps, got \(warmupSteps)")
        }
        self.alpha = alpha
        self.beta = beta
        self.warmupSteps = warmupSteps
    }

    /// `min(step/warmupSteps, 1)` for the `step`-th optimizer step, counted from 1.
    public func warmupFactor(atStep step: Int) -> Float {
        warmupSteps == 0 ? 1 : min(Float(step) / Float(warmupSteps), 1)
    }

    /// The loss on one batch at the `step`-th optimizer step (from 1): the distillation weights scaled by the warm-up.
    func loss(student: Variable, teacher: Tensor, labels: Tensor, temperature: Float, step: Int) throws -> Variable {
        let factor = warmupFactor(atStep: step)
        return try decoupledDistillationLoss(student: student, teacher: teacher, labels: labels,
                                             temperature: temperature, alpha: factor * alpha, beta: factor * beta)
    }
}

/// The loss a student distils on: Hinton's KD or decoupled KD.
public enum DistillationLossKind: String, Codable, CaseIterable, Sendable {
    case kd, dkd
}

/// How long the DKD warm-up lasts, as given on the command line: a fraction of all steps (below 1) or a number of
/// steps.
public enum DistillationWarmup: Equatable, Sendable {
    case fraction(Double)
    case steps(Int)

    /// A fraction in [0, 1) or a whole number of steps ≥ 1, from `--dkd-warmup`'s text.
    public static func parse(_ text: String) throws -> DistillationWarmup {
        guard let value = Double(text), value.isFinite, value >= 0 else {
            throw CondenseError.invalidArgument(op: "distill", "expected a fraction of the steps in [0, 1) or " +
                                                "a whole number of steps, got '\(text)'")
        }
        if value < 1 { return .fraction(value) }
        guard value == value.rounded(), value <= Double(Int32.max) else {
            throw CondenseError.invalidArgument(op: "distill", "a warm-up of 1 or more is a whole number of " +
                                                "steps, got '\(text)'")
        }
        return .steps(Int(value))
    }

    /// The number of steps of a run of `epochs` over `trainingImages` in batches of `batchSize` (the last batch
    /// may be partial, as `BatchLoader` makes it).
    public func steps(epochs: Int, trainingImages: Int, batchSize: Int) -> Int {
        switch self {
        case .fraction(let fraction):
            let stepsPerEpoch = (trainingImages + batchSize - 1) / max(batchSize, 1)
            return Int((fraction * Double(epochs * stepsPerEpoch)).rounded())
        case .steps(let steps): return steps
        }
    }
}
