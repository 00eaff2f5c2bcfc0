import CondenseCore

/// Batch normalization over channels with PyTorch's names (`weight`, `bias`, `running_mean`, `running_var`),
/// eps 1e-5, momentum 0.1, and an optional activation fused into the same kernels.
public final class BatchNorm2d: Module {
    public let weight: Variable
    public let bias: Variable
    public let runningMean: Variable
    public let runningVariance: Variable
    public let activation: Activation
    public var momentum: Float = 0.1
    public var epsilon: Float = 1e-5
    /// In a data-parallel job with synchronized batch norm, the job whose global batch training-mode statistics
    /// cover (nil: this process's batch alone).
    public var synchronization: BatchNormSynchronization?

    public init(_ channels: Int, activation: Activation = .none, on backend: Backend) throws {
        weight = Variable(try backend.full([channels], value: 1), requiresGrad: true)
        bias = Variable(try backend.full([channels], value: 0), requiresGrad: true)
        runningMean = Variable(try backend.full([channels], value: 0))
        runningVariance = Variable(try backend.full([channels], value: 1))
        self.activation = activation
    }

    override public var ownParameters: [(name: String, variable: Variable)] { [("weight", weight), ("bias", bias)] }
    override public var ownBuffers: [(name: String, variable: Variable)] {
        [("running_mean", runningMean), ("running_var", runningVariance)]
    }

    override public func forward(_ x: Variable) throws -> Variable {
        if isTraining, let synchronization {
            return try synchronizedBatchNorm(x, gamma: weight, beta: bias, runningMean: runningMean.value,
                                             runningVariance: runningVariance.value, momentum: momentum,
                                             epsilon: epsilon, activation: activation, over: synchronization)
        }
        return try batchNorm(x, gamma: weight, beta: bias, runningMean: runningMean.value,
                             runningVariance: runningVariance.value, training: isTraining, momentum: momentum,
                             epsilon: epsilon, activation: activation)
    }
}
