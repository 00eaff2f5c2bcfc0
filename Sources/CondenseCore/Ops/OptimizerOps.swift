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

    /// The step-dependent constants `(lr/(1 − β₁ᵗ), √(1 − β₂ᵗ))` of step `step` (≥ 1), computed in Double.
    func stepConstants(step: Int) -> (stepSize: Float, secondMomentCorrection: Float) {
        let correction1 = 1 - Foundation.pow(Double(beta1), Double(step))
        let correction2 = 1 - Foundation.pow(Double(beta2), Double(step))
        return (Float(Double(learningRate) / correction1), Float(correction2.squareRoot()))
    }
}

/// The checks both backends' optimizer steps run first, and the optimizers when they are built: the options'
/// domains, then float32 state tensors of the parameter's shape.
public enum OptimizerValidation {
    /// Throws for a negative rate, momentum or weight decay, or Nesterov without momentum or with dampening.
    public static func check(_ op: String, _ options: SGDOptions) throws {
        for (name, value) in [("learning rate", options.learningRate), ("momentum", options.momentum),
                              ("weight decay", options.weightDecay)] where !(value >= 0) {
            throw CondenseError.invalidArgument(op: op, "\(name) must be ≥ 0, got \(value)")
        }
        if options.nesterov, !(options.momentum > 0 && options.dampening == 0) {
            throw CondenseError.invalidArgument(op: op, "Nesterov momentum requires momentum > 0 and dampening 0")
        }
    }

    /// Throws for a negative rate or weight decay, a β outside [0, 1) or ε ≤ 0.
    public static func check(_ op: String, _ options: AdamWOptions) throws {
        guard options.learningRate >= 0, options.weightDecay >= 0 else {
            throw CondenseError.invalidArgument(op: op, "learning rate and weight decay must be ≥ 0")
        }
        for (name, beta) in [("beta1", options.beta1), ("beta2", options.beta2)] where !(beta >= 0 && beta < 1) {
            throw CondenseError.invalidArgument(op: op, "\(name) must be in [0, 1), got \(beta)")
        }
        guard options.epsilon > 0 else {
            throw CondenseError.invalidArgument(op: op, "epsilon must be > 0, got \(options.epsilon)")
        }
    }

    /// `sgdStep`: the options, then a float32 parameter with a gradient (and momentum buffer, when given) of its shape.
    public static func sgdStep(parameter: Tensor, gradient: Tensor, momentumBuffer: Tensor?,
                               options: SGDOptions) throws {
        let op = "sgdStep"
        try check(op, options)
        try requireFloat32(op, parameter)
        try requireSameShape(op, "gradient", gradient, as: parameter)
        if let momentumBuffer { try requireSameShape(op, "momentumBuffer", momentumBuffer, as: parameter) }
    }

    /// `adamWStep`: the options and a step ≥ 1, then a float32 parameter with a gradient and moments of its shape.
    /// Returns the step's constants `(lr/(1 − β₁ᵗ), √(1 − β₂ᵗ))`.
    public static func adamWStep(parameter: Tensor, gradient: Tensor, firstMoment: Tensor, secondMoment: Tensor,
                                 step: Int, options: AdamWOptions) throws
        -> (stepSize: Float, secondMomentCorrection: Float) {
        let op = "adamWStep"
        try check(op, options)
        guard step >= 1 else { throw CondenseError.invalidArgument(op: op, "step must be ≥ 1, got \(step)") }
        try requireFloat32(op, parameter)
        for (name, tensor) in [("gradient", gradient), ("firstMoment", firstMoment), ("secondMoment", secondMoment)] {
            try requireSameShape(op, name, tensor, as: parameter)
        }
        return options.stepConstants(step: step)
    }
}
