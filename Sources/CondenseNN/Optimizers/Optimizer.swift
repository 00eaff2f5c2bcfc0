import CondenseCore

/// Updates a model's parameters from their gradients, keeping per-parameter state on the parameters' backend.
/// Parameters without a gradient (unused in the last backward pass) are left alone, as in PyTorch.
public protocol Optimizer: AnyObject {
    /// The learning rate of the next step (schedules set it before each step).
    var learningRate: Float { get set }
    /// Applies one update to every parameter that has a gradient.
    func step() throws
}

/// SGD with momentum, dampening, Nesterov and weight decay (`torch.optim.SGD`).
public final class SGD: Optimizer {
    public var learningRate: Float
    public let options: SGDOptions
    private let parameters: [Variable]
    private var buffers: [ObjectIdentifier: Tensor] = [:]

    public init(_ parameters: [Variable], options: SGDOptions) throws {
        try OptimizerValidation.check("SGD", options)
        self.parameters = parameters
        self.options = options
        learningRate = options.learningRate
    }

    public func step() throws {
        var options = self.options
        options.learningRate = learningRate
        for parameter in parameters {
            guard let gradient = parameter.grad else { continue }
            let key = ObjectIdentifier(parameter)
            let isFirst = buffers[key] == nil
            if isFirst, options.momentum != 0 {
                buffers[key] = try parameter.backend.allocate(parameter.shape, dtype: .float32)
            }
            try parameter.backend.sgdStep(parameter: parameter.value, gradient: gradient, momentumBuffer: buffers[key],
                                          options: options, isFirstStep: isFirst)
        }
    }
}

/// AdamW with decoupled weight decay (`torch.optim.AdamW`).
public final class AdamW: Optimizer {
    public var learningRate: Float
    public let options: AdamWOptions
    private let parameters: [Variable]
    private var moments: [ObjectIdentifier: (first: Tensor, second: Tensor, step: Int)] = [:]

    public init(_ parameters: [Variable], options: AdamWOptions) throws {
        try OptimizerValidation.check("AdamW", options)
        self.parameters = parameters
        self.options = options
        learningRate = options.learningRate
    }

    public func step() throws {
        var options = self.options
        options.learningRate = learningRate
        for parameter in parameters {
            guard let gradient = parameter.grad else { continue }
            let key = ObjectIdentifier(parameter), backend = parameter.backend
            var state = try moments[key] ?? (try backend.full(parameter.shape, value: 0),
                                             try backend.full(parameter.shape, value: 0), 0)
            state.step += 1
            try backend.adamWStep(parameter: parameter.value, gradient: gradient, firstMoment: state.first,
                                  secondMoment: state.second, step: state.step, options: options)
            moments[key] = state
        }
    }
}
