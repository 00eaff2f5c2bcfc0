/// 2-D convolution on NCHW float32 tensors (PyTorch semantics, grouped). Each backend has its own algorithm: the CPU
/// backend works sample by sample in cache (Winograd for 3×3 stride-1 convolutions), the OpenCL backend through
/// channel-major im2col columns and the device's GEMM.
public protocol ConvOps {
    /// `output = conv2d(input, weight) + bias`.
    func conv2d(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor, parameters: Conv2dParameters) throws
    /// Both gradients of one convolution in one call: `gradInput = ∂L/∂input` unless nil, and `gradWeight =
    /// ∂L/∂weight` (with `gradBias = Σ gradOutput` per output channel unless nil) unless `gradWeight` is nil.
    /// `weight` is read only for the input gradient and `input` only for the weight gradient.
    func conv2dBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, gradInput: Tensor?, gradWeight: Tensor?,
                        gradBias: Tensor?, parameters: Conv2dParameters) throws
}

/// Kernel size, stride, padding and dilation (per axis) and group count of a 2-D convolution, PyTorch's `conv2d`:
/// weight `[O, C/groups, kh, kw]`, optional bias `[O]`.
public struct Conv2dParameters: Equatable, Sendable {
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var paddingHeight: Int, paddingWidth: Int
    public var dilationHeight: Int, dilationWidth: Int
    public var groups: Int

    /// Square kernels, equal values on both axes.
    public init(kernel: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        self.init(kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding),
                  dilation: (dilation, dilation), groups: groups)
    }

    /// Per-axis values as (height, width).
    public init(kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                dilation: (Int, Int) = (1, 1), groups: Int = 1) {
        (kernelHeight, kernelWidth) = kernel
        (strideHeight, strideWidth) = stride
        (paddingHeight, paddingWidth) = padding
        (dilationHeight, dilationWidth) = dilation
        self.groups = groups
    }

    /// A 1×1, stride-1, unpadded convolution: a plain GEMM on the input, no im2col.
    public var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1 && paddingHeight == 0
            && paddingWidth == 0
    }

    /// The geometry of a call, after checking every parameter and the weight, bias and output shapes.
    public func geometry(_ op: String, input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor) throws
        -> WindowGeometry {
        try requireFloat32(op, input, weight, output)
        for (name, value) in [("stride", min(strideHeight, strideWidth)), ("dilation", min(dilationHeight, dilationWidth)),
                              ("kernel size", min(kernelHeight, kernelWidth)), ("groups", groups)] where value < 1 {
            throw CondenseError.invalidArgument(op: op, "\(name) must be ≥ 1, got \(value)")
        }
        guard paddingHeight >= 0, paddingWidth >= 0 else {
            throw CondenseError.invalidArgument(op: op, "padding must be ≥ 0, got (\(paddingHeight), \(paddingWidth))")
        }
        guard input.shape.rank == 4, weight.shape.rank == 4 else {
            throw CondenseError.shapeMismatch(op: op, expected: "input [N, C, H, W] and weight [O, C/groups, kh, kw]",
                                              got: "input \(input.shape), weight \(weight.shape)")
        }
        let channels = input.shape[1], outputChannels = weight.shape[0]
        guard channels % groups == 0, outputChannels % groups == 0 else {
            throw CondenseError.invalidArgument(op: op, "groups \(groups) must divide the input channels \(channels) " +
                                                "and the output channels \(outputChannels)")
        }
        let expectedWeight: Shape = [outputChannels, channels / groups, kernelHeight, kernelWidth]
        guard weight.shape == expectedWeight else {
            throw CondenseError.shapeMismatch(op: op, expected: "weight \(expectedWeight)", got: "\(weight.shape)")
        }
        let geometry = WindowGeometry(input: input.shape, outputChannels: outputChannels,
                                      kernel: (kernelHeight, kernelWidth), stride: (strideHeight, strideWidth),
                                      padding: (paddingHeight, paddingWidth), dilation: (dilationHeight, dilationWidth))
        guard geometry.windowFits else {
            throw CondenseError.invalidArgument(op: op, "a \(kernelHeight)×\(kernelWidth) kernel (dilation " +
                                                "\(dilationHeight)×\(dilationWidth)) does not fit the padded " +
                                                "\(input.shape[2])×\(input.shape[3]) input")
        }
        if let bias {
            try requireFloat32(op, bias)
            guard bias.shape == [outputChannels] else {
                throw CondenseError.shapeMismatch(op: op, expected: "bias [\(outputChannels)]", got: "\(bias.shape)")
            }
        }
        guard output.shape == geometry.outputShape else {
            throw CondenseError.shapeMismatch(op: op, expected: "output \(geometry.outputShape)", got: "\(output.shape)")
        }
        return geometry
    }
}
