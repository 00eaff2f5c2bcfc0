import Foundation

/// In-place optimizer updates of one float32 parameter tensor, with PyTorch's update rules (`torch.optim.SGD` and
/// `torch.optim.AdamW`, single-tensor form). State tensors have the parameter's shape.
public protocol OptimizerOps {
    /// SGD: `g = ∇ + wd·p`; with momentum `b = first ? g : μ·b + (1 − dampening)·g`, `g = nesterov ? g + μ·b : b`;
    /// then `p −= lr·g`. `momentumBuffer` may be nil when momentum is 0.
    func sgdStep(parameter: Tensor, gradient: Tensor, momentumBuffer: Tensor?, options: SGDOptions,
                 isFirstStep: Bool) throws
    /// AdamW at step `step` (1-based): `p ·= 1 − lr·wd`, `m = lerp(m, g, 1 − β₁)`, `v = β₂·v + (1 − β₂)·g²`,
    /// `p −= lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)`.
    func adamWStep(parameter: Tensor, gradient: Tensor, firstMoment: Tensor, secondMoment: Tensor, step: Int,
                   options: AdamWOptions) throws
}

/// Hyper-parameters of SGD (PyTorch's names and defaults).
public struct SGDOptions: Equatable, Sendable {
    public var learningRate: Float
    public var momentum: Float
    public var dampening: Float
    public var weightDecay: Float
    public var nesterov: Bool

    public init(learningRate: Float, momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0,
                nesterov: Bool = false) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    /// Throws for a negative rate, momentum or weight decay, or Nesterov without momentum or with dampening.
    public func validate(_ op: String) throws {
        for (name, value) in [("learning rate", learningRate), ("momentum", momentum), ("weight decay", weightDecay)]
            where !(value >= 0) {
            throw CondenseError.invalidArgument(op: op, "\(name) must be ≥ 0, got \(value)")
        }
        if nesterov, !(momentum > 0 && dampening == 0) {
            throw CondenseError.invalidArgument(op: op, "Nesterov momentum requires momentum > 0 and dampening 0")
        }
    }
}

/// Hyper-parameters of AdamW (PyTorch's names and defaults).
public struct AdamWOptions: Equatable, Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 1e-2) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// The step-dependent constants `(lr/(1 − β₁ᵗ), √(1 − β₂ᵗ))`, computed in Double, after checking every option.
    public func stepConstants(_ op: String, step: Int) throws -> (stepSize: Float, secondMomentCorrection: Float) {
        guard learningRate >= 0, weightDecay >= 0 else {
            throw CondenseError.invalidArgument(op: op, "learning rate and weight decay must be ≥ 0")
        }
        for (name, beta) in [("beta1", beta1), ("beta2", beta2)] where !(beta >= 0 && beta < 1) {
            throw CondenseError.invalidArgument(op: op, "\(name) must be in [0, 1), got \(beta)")
        }
        guard epsilon > 0 else { throw CondenseError.invalidArgument(op: op, "epsilon must be > 0, got \(epsilon)") }
        guard step >= 1 else { throw CondenseError.invalidArgument(op: op, "step must be ≥ 1, got \(step)") }
        let correction1 = 1 - Foundation.pow(Double(beta1), Double(step))
        let correction2 = 1 - Foundation.pow(Double(beta2), Double(step))
        return (Float(Double(learningRate) / correction1), Float(correction2.squareRoot()))
    }
}
