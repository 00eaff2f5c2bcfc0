import CondenseCore

/// ReLU or ReLU6 as a layer.
public final class ActivationLayer: Module {
    public let kind: Activation
    public init(_ kind: Activation) { self.kind = kind }
    override public func forward(_ x: Variable) throws -> Variable { try activation(kind, x) }
}

/// A fully connected layer `y = x·Wᵀ + b` (PyTorch's `Linear`, default initialization `U(±1/√in)` unless given).
public final class Linear: Module {
    public let weight: Variable
    public let bias: Variable

    public init(_ inputs: Int, _ outputs: Int, weightStd: Double? = nil, on backend: Backend,
                initializer: inout Initializer) throws {
        let bound = 1 / Double(inputs).squareRoot()
        let values = weightStd.map { initializer.normal(outputs * inputs, std: $0) }
            ?? initializer.uniform(outputs * inputs, bound: bound)
        weight = Variable(try backend.tensor(values, shape: [outputs, inputs]), requiresGrad: true)
        let biasValues = weightStd == nil ? initializer.uniform(outputs, bound: bound) : [Float](repeating: 0, count: outputs)
        bias = Variable(try backend.tensor(biasValues, shape: [outputs]), requiresGrad: true)
    }

    override public var ownParameters: [(name: String, variable: Variable)] { [("weight", weight), ("bias", bias)] }

    override public func forward(_ x: Variable) throws -> Variable { try forward(x, weight: weight) }

    /// The layer with `weight` in place of its own (its fake-quantized copy, during quantization-aware training).
    public func forward(_ x: Variable, weight: Variable) throws -> Variable {
        let flat = x.shape.rank == 2 ? x : try reshape(x, [x.shape[0], x.shape.count / max(x.shape[0], 1)])
        return try linear(flat, weight: weight, bias: bias)
    }
}

/// Inverted dropout in training mode, identity in evaluation mode; a fresh mask every call.
public final class Dropout: Module {
    public let probability: Float
    private var calls: UInt32 = 0
    private let seed: UInt32

    public init(_ probability: Float, seed: UInt32) {
        self.probability = probability
        self.seed = seed
    }

    override public func forward(_ x: Variable) throws -> Variable {
        guard isTraining else { return x }
        calls &+= 1
        return try dropout(x, probability: probability, seed: seed &+ calls &* 0x9E37_79B9)
    }
}

/// Global average pooling to `[N, C]`.
public final class GlobalAveragePool: Module {
    override public func forward(_ x: Variable) throws -> Variable { try globalAveragePool(x) }
}

/// Max pooling.
public final class MaxPool2d: Module {
    public let parameters: Pool2dParameters
    public init(kernel: Int, stride: Int, padding: Int) {
        parameters = Pool2dParameters(kernel: kernel, stride: stride, padding: padding)
    }
    override public func forward(_ x: Variable) throws -> Variable { try maxPool2d(x, parameters) }
}
