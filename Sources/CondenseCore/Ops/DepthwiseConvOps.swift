/// Depthwise 2-D convolution, NCHW float32, PyTorch's `conv2d(x, w, b, stride, padding, dilation, groups = C)`:
/// input `[N, C, H, W]`, weight `[C·m, 1, kh, kw]` (output channel o reads input channel o / m), optional bias
/// `[C·m]`, output `[N, C·m, Ho, Wo]`. Backward passes overwrite their outputs and take a gradient the caller has
/// already masked for any fused activation.
public protocol DepthwiseConvOps {
    /// `output = activation(depthwise(input, weight) + bias)`.
    func depthwiseConv2d(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor,
                         parameters: DepthwiseConv2dParameters) throws
    /// `gradInput = ∂L/∂input` from `gradOutput`.
    func depthwiseConv2dBackwardInput(gradOutput: Tensor, weight: Tensor, gradInput: Tensor,
                                      parameters: DepthwiseConv2dParameters) throws
    /// `gradWeight = ∂L/∂weight` and, unless nil, `gradBias = Σ_{n,y,x} gradOutput`.
    func depthwiseConv2dBackwardWeight(input: Tensor, gradOutput: Tensor, gradWeight: Tensor, gradBias: Tensor?,
                                       parameters: DepthwiseConv2dParameters) throws
}

/// Kernel size, stride, padding and dilation (each per axis), channel multiplier and fused activation of a
/// depthwise convolution.
public struct DepthwiseConv2dParameters: Equatable, Sendable {
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var paddingHeight: Int, paddingWidth: Int
    public var dilationHeight: Int, dilationWidth: Int
    public var multiplier: Int
    /// Applied to the forward output only (`none` or `relu6` in MobileNetV2).
    public var activation: Activation

    /// Square kernels and equal strides, padding and dilation on both axes.
    public init(kernel: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1, multiplier: Int = 1,
                activation: Activation = .none) {
        self.init(kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding),
                  dilation: (dilation, dilation), multiplier: multiplier, activation: activation)
    }

    /// Per-axis values as (height, width).
    public init(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int) = (1, 1),
                multiplier: Int = 1, activation: Activation = .none) {
        (kernelHeight, kernelWidth) = kernel
        (strideHeight, strideWidth) = stride
        (paddingHeight, paddingWidth) = padding
        (dilationHeight, dilationWidth) = dilation
        self.multiplier = multiplier
        self.activation = activation
    }

    /// The geometry of a call on `input`, after checking every parameter and the weight, bias and output shapes.
    public func geometry(_ op: String, input: Shape, weight: Tensor, bias: Tensor?, output: Shape) throws
        -> WindowGeometry {
        for (name, value) in [("stride", min(strideHeight, strideWidth)), ("dilation", min(dilationHeight, dilationWidth)),
                              ("kernel size", min(kernelHeight, kernelWidth)), ("channel multiplier", multiplier)]
            where value < 1 {
            throw CondenseError.invalidArgument(op: op, "\(name) must be ≥ 1, got \(value)")
        }
        guard paddingHeight >= 0, paddingWidth >= 0 else {
            throw CondenseError.invalidArgument(op: op, "padding must be ≥ 0, got (\(paddingHeight), \(paddingWidth))")
        }
        guard input.rank == 4 else {
            throw CondenseError.shapeMismatch(op: op, expected: "input [N, C, H, W]", got: "\(input)")
        }
        let geometry = WindowGeometry(input: input, outputChannels: input[1] * multiplier,
                                      kernel: (kernelHeight, kernelWidth), stride: (strideHeight, strideWidth),
                                      padding: (paddingHeight, paddingWidth), dilation: (dilationHeight, dilationWidth))
        guard geometry.windowFits else {
            throw CondenseError.invalidArgument(op: op, "a \(kernelHeight)×\(kernelWidth) kernel (dilation " +
                                                "\(dilationHeight)×\(dilationWidth)) does not fit the padded \(input[2])×\(input[3]) input")
        }
        let channels = geometry.outputChannels
        try expect(op, "weight", weight.shape, [channels, 1, kernelHeight, kernelWidth])
        if let bias { try expect(op, "bias", bias.shape, [channels]) }
        try expect(op, "output", output, [geometry.batch, channels, geometry.outputHeight, geometry.outputWidth])
        for tensor in [weight] + (bias.map { [$0] } ?? []) where tensor.dtype != .float32 {
            throw CondenseError.dtypeMismatch(op: op, expected: .float32, got: tensor.dtype)
        }
        return geometry
    }

    private func expect(_ op: String, _ name: String, _ shape: Shape, _ expected: Shape) throws {
        guard shape == expected else { throw CondenseError.shapeMismatch(op: op, expected: "\(name) \(expected)", got: "\(shape)") }
    }
}
