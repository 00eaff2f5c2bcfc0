extension CPUBackend: DepthwiseConvOps {
    public func depthwiseConv2d(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor,
                                parameters p: DepthwiseConv2dParameters) throws {
        let g = try p.geometry("depthwiseConv2d", input: input.shape, weight: weight, bias: bias, output: output.shape)
        DepthwiseConvReference.forward(g, multiplier: p.multiplier, activation: p.activation,
                                       input: try input.cpuFloats("depthwiseConv2d"),
                                       weight: try weight.cpuFloats("depthwiseConv2d"),
                                       bias: try bias?.cpuFloats("depthwiseConv2d"),
                                       output: try output.cpuFloats("depthwiseConv2d"))
    }

    public func depthwiseConv2dBackwardInput(gradOutput: Tensor, weight: Tensor, gradInput: Tensor,
                                             parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2dBackwardInput"
        let g = try p.geometry(op, input: gradInput.shape, weight: weight, bias: nil, output: gradOutput.shape)
        DepthwiseConvReference.backwardInput(g, multiplier: p.multiplier, gradOutput: try gradOutput.cpuFloats(op),
                                             weight: try weight.cpuFloats(op), gradInput: try gradInput.cpuFloats(op))
    }

    public func depthwiseConv2dBackwardWeight(input: Tensor, gradOutput: Tensor, gradWeight: Tensor, gradBias: Tensor?,
                                              parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2dBackwardWeight"
        let g = try p.geometry(op, input: input.shape, weight: gradWeight, bias: gradBias, output: gradOutput.shape)
        DepthwiseConvReference.backwardWeight(g, multiplier: p.multiplier, input: try input.cpuFloats(op),
                                              gradOutput: try gradOutput.cpuFloats(op),
                                              gradWeight: try gradWeight.cpuFloats(op),
                                              gradBias: try gradBias?.cpuFloats(op))
    }
}
