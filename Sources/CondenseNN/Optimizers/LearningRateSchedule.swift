import Foundation

/// A learning rate as a function of the optimizer step (0-based), as PyTorch's `torch.optim.lr_scheduler` computes
/// it in closed form.
public protocol LearningRateSchedule {
    /// The learning rate for optimizer step `step`.
    func learningRate(at step: Int) -> Double
}

/// A fixed learning rate.
public struct ConstantSchedule: LearningRateSchedule {
    public let rate: Double
    public init(_ rate: Double) { self.rate = rate }
    public func learningRate(at step: Int) -> Double { rate }
}

/// `StepLR`: the base rate times `gamma` every `stepSize` steps.
public struct StepSchedule: LearningRateSchedule {
    public let base: Double, stepSize: Int, gamma: Double
    public init(base: Double, stepSize: Int, gamma: Double = 0.1) {
        self.base = base
        self.stepSize = max(stepSize, 1)
        self.gamma = gamma
    }
    public func learningRate(at step: Int) -> Double { base * pow(gamma, Double(step / stepSize)) }
}

/// `CosineAnnealingLR`: from the base rate down to `minimum` along half a cosine over `totalSteps`.
public struct CosineSchedule: LearningRateSchedule {
    public let base: Double, totalSteps: Int, minimum: Double
    public init(base: Double, totalSteps: Int, minimum: Double = 0) {
        self.base = base
        self.totalSteps = max(totalSteps, 1)
        self.minimum = minimum
    }
    public func learningRate(at step: Int) -> Double {
        let progress = Double(min(step, totalSteps)) / Double(totalSteps)
        return minimum + (base - minimum) * (1 + cos(.pi * progress)) / 2
    }
}

/// `OneCycleLR` (two phases, cosine annealing): from `peak / divFactor` up to `peak` over the first
/// `warmupFraction` of the steps, then down to `peak / divFactor / finalDivFactor`.
public struct OneCycleSchedule: LearningRateSchedule {
    public let peak: Double, totalSteps: Int, warmupFraction: Double, divFactor: Double, finalDivFactor: Double
    public init(peak: Double, totalSteps: Int, warmupFraction: Double = 0.3, divFactor: Double = 25,
                finalDivFactor: Double = 1e4) {
        self.peak = peak
        self.totalSteps = max(totalSteps, 2)
        self.warmupFraction = warmupFraction
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
    }
    public func learningRate(at step: Int) -> Double {
        let initial = peak / divFactor, final = initial / finalDivFactor
        let peakStep = warmupFraction * Double(totalSteps) - 1, lastStep = Double(totalSteps - 1)
        let t = Double(min(step, totalSteps - 1))
        func anneal(_ start: Double, _ end: Double, _ fraction: Double) -> Double {
            end + (start - end) / 2 * (cos(.pi * fraction) + 1)
        }
        if t <= peakStep { return anneal(initial, peak, peakStep > 0 ? t / peakStep : 1) }
        return anneal(peak, final, (t - peakStep) / (lastStep - peakStep))
    }
}

/// `LinearLR` warm-up in front of another schedule: the factor rises linearly from `startFactor` to 1 over
/// `warmupSteps`, multiplying the wrapped schedule's rate.
public struct WarmupSchedule<Wrapped: LearningRateSchedule>: LearningRateSchedule {
    public let wrapped: Wrapped, warmupSteps: Int, startFactor: Double
    public init(_ wrapped: Wrapped, warmupSteps: Int, startFactor: Double = 1.0 / 3) {
        self.wrapped = wrapped
        self.warmupSteps = warmupSteps
        self.startFactor = startFactor
    }
    public func learningRate(at step: Int) -> Double {
        guard warmupSteps > 0, step < warmupSteps else { return wrapped.learningRate(at: step) }
        let factor = startFactor + (1 - startFactor) * Double(step) / Double(warmupSteps)
        return factor * wrapped.learningRate(at: step)
    }
}
