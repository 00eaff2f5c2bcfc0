/// 2-D convolution on NCHW float32 tensors and the primitives it is built from: im2col and col2im. Convolution
/// itself has one implementation for every backend on top of them and GEMM (`Backend+Conv.swift`), which a backend
/// may replace with a faster one of the same semantics (the CPU backend's works sample by sample in cache).
///
/// Columns are channel-major, `[C·kh·kw, S, Ho·Wo]` for a chunk of S samples, so one GEMM covers the chunk: row
/// `(c·kh + ky)·kw + kx`, column `s·Ho·Wo + oy·Wo + ox` holds `input[s, c, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw]`
/// (zero outside the input).
public protocol ConvOps {
    /// `output = conv2d(input, weight) + bias` (PyTorch semantics, grouped).
    func conv2d(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor, parameters: Conv2dParameters) throws
    /// `gradInput = ∂L/∂input`.
    func conv2dBackwardInput(gradOutput: Tensor, weight: Tensor, gradInput: Tensor, parameters: Conv2dParameters) throws
    /// `gradWeight = ∂L/∂weight` and, unless nil, `gradBias = Σ gradOutput` per output channel.
    func conv2dBackwardWeight(input: Tensor, gradOutput: Tensor, gradWeight: Tensor, gradBias: Tensor?,
                              parameters: Conv2dParameters) throws
    /// Both gradients of one convolution in one call: `gradInput` unless nil, and `gradWeight` (with `gradBias` unless
    /// nil) unless `gradWeight` is nil — the values of the two calls above, for backends that share work between
    /// them (`input` is read only for the weight gradient).
    func conv2dBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, gradInput: Tensor?, gradWeight: Tensor?,
                        gradBias: Tensor?, parameters: Conv2dParameters) throws
    /// Unfolds samples `[firstSample, firstSample + sampleCount)` of `input` into `columns` (`[C·kh·kw, sampleCount,
    /// Ho·Wo]`, at least that many elements).
    func im2col(input: Tensor, columns: Tensor, geometry: WindowGeometry, firstSample: Int, sampleCount: Int) throws
    /// The adjoint of `im2col`: every input element of those samples gathers the column entries that read it, and is
    /// overwritten with their sum.
    func col2im(columns: Tensor, gradInput: Tensor, geometry: WindowGeometry, firstSample: Int, sampleCount: Int) throws
}

public extension ConvOps {
    /// The two gradient calls one after the other.
    func conv2dBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, gradInput: Tensor?, gradWeight: Tensor?,
                        gradBias: Tensor?, parameters p: Conv2dParameters) throws {
        if let gradInput {
            try conv2dBackwardInput(gradOutput: gradOutput, weight: weight, gradInput: gradInput, parameters: p)
        }
        if let gradWeight {
            try conv2dBackwardWeight(input: input, gradOutput: gradOutput, gradWeight: gradWeight, gradBias: gradBias,
                                     parameters: p)
        }
    }
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

/// Checks shared by both backends' im2col and col2im.
public enum ConvValidation {
    /// Throws unless `image` has the geometry's input shape, the sample range lies inside it and `columns` holds
    /// that many samples' column matrices.
    public static func columns(_ op: String, columns: Tensor, image: Tensor, _ g: WindowGeometry, _ first: Int,
                               _ count: Int) throws {
        try requireFloat32(op, columns, image)
        guard image.shape == g.inputShape else {
            throw CondenseError.shapeMismatch(op: op, expected: "image \(g.inputShape)", got: "\(image.shape)")
        }
        guard first >= 0, count >= 0, first + count <= g.batch else {
            throw CondenseError.invalidArgument(op: op, "samples \(first)..<\(first + count) outside batch \(g.batch)")
        }
        guard columns.count >= count * g.columnRows * g.columnCount else {
            throw CondenseError.shapeMismatch(op: op, expected: "at least \(count * g.columnRows * g.columnCount) column elements",
                                              got: "\(columns.count)")
        }
    }
}
