/// Pooling over NCHW float32 tensors with PyTorch's semantics: max pooling (padding counts as −∞, indices are the
/// flat position `iy·W + ix` of the maximum within its input plane, the first maximum on ties) and global average
/// pooling `[N, C, H, W] → [N, C]`.
public protocol PoolingOps {
    func maxPool2d(input: Tensor, output: Tensor, indices: Tensor, parameters: Pool2dParameters) throws
    /// Every input element gathers the gradients of the outputs whose maximum it was (overlapping windows sum).
    func maxPool2dBackward(gradOutput: Tensor, indices: Tensor, gradInput: Tensor, parameters: Pool2dParameters) throws
    func globalAveragePool(input: Tensor, output: Tensor) throws
    /// `gradInput[n, c, h, w] = gradOutput[n, c] / (H·W)`.
    func globalAveragePoolBackward(gradOutput: Tensor, gradInput: Tensor) throws
}

/// Window size, stride and padding of a pooling op (stride defaults to the window, as in PyTorch).
public struct Pool2dParameters: Equatable, Sendable {
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var paddingHeight: Int, paddingWidth: Int

    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        (kernelHeight, kernelWidth) = (kernel, kernel)
        (strideHeight, strideWidth) = (stride ?? kernel, stride ?? kernel)
        (paddingHeight, paddingWidth) = (padding, padding)
    }

    /// The geometry of a call after checking the parameters (padding at most half the window, as PyTorch requires),
    /// the input layout and the output shape; `indices`, when given, must be int32 of the output's shape.
    public func geometry(_ op: String, input: Tensor, output: Tensor, indices: Tensor? = nil) throws -> WindowGeometry {
        try requireFloat32(op, input, output)
        guard min(kernelHeight, kernelWidth, strideHeight, strideWidth) >= 1 else {
            throw CondenseError.invalidArgument(op: op, "kernel and stride must be ≥ 1")
        }
        guard paddingHeight >= 0, paddingWidth >= 0, 2 * paddingHeight <= kernelHeight, 2 * paddingWidth <= kernelWidth else {
            throw CondenseError.invalidArgument(op: op, "padding must be between 0 and half the kernel size")
        }
        guard input.shape.rank == 4 else {
            throw CondenseError.shapeMismatch(op: op, expected: "input [N, C, H, W]", got: "\(input.shape)")
        }
        let g = WindowGeometry(input: input.shape, outputChannels: input.shape[1], kernel: (kernelHeight, kernelWidth),
                               stride: (strideHeight, strideWidth), padding: (paddingHeight, paddingWidth),
                               dilation: (1, 1))
        guard g.windowFits else {
            throw CondenseError.invalidArgument(op: op, "a \(kernelHeight)×\(kernelWidth) window does not fit the " +
                                                "padded \(input.shape[2])×\(input.shape[3]) input")
        }
        guard output.shape == g.outputShape else {
            throw CondenseError.shapeMismatch(op: op, expected: "output \(g.outputShape)", got: "\(output.shape)")
        }
        if let indices {
            guard indices.dtype == .int32, indices.shape == g.outputShape else {
                throw CondenseError.shapeMismatch(op: op, expected: "int32 indices \(g.outputShape)",
                                                  got: "\(indices.dtype.rawValue) \(indices.shape)")
            }
        }
        return g
    }
}

/// Checks for global average pooling: `[N, C, H, W]` and `[N, C]`.
public func globalPoolExtents(_ op: String, image: Tensor, pooled: Tensor) throws -> (planes: Int, spatial: Int) {
    try requireFloat32(op, image, pooled)
    guard image.shape.rank == 4, pooled.shape == [image.shape[0], image.shape[1]] else {
        throw CondenseError.shapeMismatch(op: op, expected: "[N, C, H, W] and [N, C]",
                                          got: "\(image.shape) and \(pooled.shape)")
    }
    return (image.shape[0] * image.shape[1], image.shape[2] * image.shape[3])
}
