import CondenseCore

/// `DepthwiseConvOps` through `Kernels/depthwise_conv.cl`, specialised per kernel size, activation and bias.
extension OpenCLBackend: DepthwiseConvOps {
    public func depthwiseConv2d(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor,
                                parameters p: DepthwiseConv2dParameters) throws {
        let g = try p.geometry("depthwiseConv2d", input: input.shape, weight: weight, bias: bias, output: output.shape)
        try requireFloat32("depthwiseConv2d", input, output)
        try launch("depthwise_forward", file: "depthwise_conv",
                   defines: defines(p, ["ACTIVATION": p.activation.rawValue, "HAS_BIAS": bias == nil ? 0 : 1]),
                   arguments: [.buffer(input), .buffer(weight), .buffer(bias ?? weight), .buffer(output)]
                       + geometryArguments(g, p),
                   global: [roundUp(output.count, toMultipleOf: 64)], local: [64])
    }

    public func depthwiseConv2dBackwardInput(gradOutput: Tensor, weight: Tensor, gradInput: Tensor,
                                             parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2dBackwardInput"
        let g = try p.geometry(op, input: gradInput.shape, weight: weight, bias: nil, output: gradOutput.shape)
        try requireFloat32(op, gradOutput, gradInput)
        try launch("depthwise_backward_input", file: "depthwise_conv", defines: defines(p, [:]),
                   arguments: [.buffer(gradOutput), .buffer(weight), .buffer(gradInput)] + geometryArguments(g, p),
                   global: [roundUp(gradInput.count, toMultipleOf: 64)], local: [64])
    }

    public func depthwiseConv2dBackwardWeight(input: Tensor, gradOutput: Tensor, gradWeight: Tensor, gradBias: Tensor?,
                                              parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2dBackwardWeight"
        let g = try p.geometry(op, input: input.shape, weight: gradWeight, bias: gradBias, output: gradOutput.shape)
        try requireFloat32(op, input, gradOutput)
        let taps = p.kernelHeight * p.kernelWidth
        let partial = try allocate([g.outputChannels, g.batch, taps + 1], dtype: .float32)
        try launch("depthwise_backward_weight_partial", file: "depthwise_conv", defines: defines(p, [:]),
                   arguments: [.buffer(input), .buffer(gradOutput), .buffer(partial)] + geometryArguments(g, p),
                   global: [roundUp(g.outputChannels, toMultipleOf: 8), roundUp(g.batch, toMultipleOf: 8)],
                   local: [8, 8])
        try launch("depthwise_backward_weight_reduce", file: "depthwise_conv",
                   defines: defines(p, ["HAS_BIAS": gradBias == nil ? 0 : 1]),
                   arguments: [.buffer(partial), .buffer(gradWeight), .buffer(gradBias ?? gradWeight)]
                       + geometryArguments(g, p),
                   global: [roundUp(g.outputChannels * (taps + 1), toMultipleOf: 64)], local: [64])
    }

    private func defines(_ p: DepthwiseConv2dParameters, _ extra: [String: Int]) -> [String: Int] {
        extra.merging(["KH": p.kernelHeight, "KW": p.kernelWidth]) { $1 }
    }

    private func geometryArguments(_ g: WindowGeometry, _ p: DepthwiseConv2dParameters) -> [KernelArgument] {
        [g.batch, g.inputChannels, g.inputHeight, g.inputWidth, p.multiplier, g.outputHeight, g.outputWidth,
         g.strideHeight, g.strideWidth, g.paddingHeight, g.paddingWidth, g.dilationHeight, g.dilationWidth].map { .int($0) }
    }
}
