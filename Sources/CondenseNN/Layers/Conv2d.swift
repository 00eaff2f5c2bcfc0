import CondenseCore

/// A 2-D convolution layer (`weight` `[O, C/groups, kh, kw]`, optional `bias`), with PyTorch's parameter names.
/// When every input channel is its own group it runs the depthwise op, which can also fuse bias and ReLU6.
public final class Conv2d: Module {
    public let weight: Variable
    public let bias: Variable?
    public let parameters: Conv2dParameters

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                groups: Int = 1, bias: Bool = false, on backend: Backend, initializer: inout Initializer) throws {
        guard inChannels % groups == 0, outChannels % groups == 0 else {
            throw CondenseError.invalidArgument(op: "Conv2d", "groups \(groups) must divide \(inChannels) and \(outChannels)")
        }
        parameters = Conv2dParameters(kernel: kernel, stride: stride, padding: padding, groups: groups)
        let shape: Shape = [outChannels, inChannels / groups, kernel, kernel]
        weight = Variable(try backend.tensor(initializer.kaimingNormalFanOut(shape), shape: shape), requiresGrad: true)
        self.bias = bias ? Variable(try backend.full([outChannels], value: 0), requiresGrad: true) : nil
    }

    /// Whether this is a depthwise convolution (one group per input channel).
    public var isDepthwise: Bool { parameters.groups > 1 && weight.shape[1] == 1 }

    override public var ownParameters: [(name: String, variable: Variable)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    override public func forward(_ x: Variable) throws -> Variable { try forward(x, weight: weight) }

    /// The convolution with `weight` in place of the layer's own (its fake-quantized copy, during
    /// quantization-aware training); same shape.
    public func forward(_ x: Variable, weight: Variable) throws -> Variable {
        try convolution(x, weight: weight, bias: bias, parameters)
    }
}
