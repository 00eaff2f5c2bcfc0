extension CPUBackend: DepthwiseConvOps {
    public func depthwiseConv2d(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor,
                                parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2d"
        let g = try p.geometry(op, input: input.shape, weight: weight, bias: bias, output: output.shape)
        let x = try input.cpuFloats(op), w = try weight.cpuFloats(op), b = try bias?.cpuFloats(op)
        let y = try output.cpuFloats(op), taps = g.kernelHeight * g.kernelWidth
        let (inputPlane, outputPlane) = (g.inputHeight * g.inputWidth, g.outputHeight * g.outputWidth)
        timed(op) {
            parallelPlanes(g.batch * g.outputChannels) { plane in
                let o = plane % g.outputChannels, n = plane / g.outputChannels
                DepthwiseKernels.forward(g, activation: p.activation,
                                         input: x + (n * g.inputChannels + o / p.multiplier) * inputPlane,
                                         weight: w + o * taps, bias: b?[o] ?? 0, output: y + plane * outputPlane)
            }
        }
    }

    public func depthwiseConv2dBackwardInput(gradOutput: Tensor, weight: Tensor, gradInput: Tensor,
                                             parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2dBackwardInput"
        let g = try p.geometry(op, input: gradInput.shape, weight: weight, bias: nil, output: gradOutput.shape)
        let dy = try gradOutput.cpuFloats(op), w = try weight.cpuFloats(op), dx = try gradInput.cpuFloats(op)
        let (inputPlane, outputPlane) = (g.inputHeight * g.inputWidth, g.outputHeight * g.outputWidth)
        timed(op) {
            parallelPlanes(g.batch * g.inputChannels) { plane in
                let n = plane / g.inputChannels
                DepthwiseKernels.backwardInput(g, multiplier: p.multiplier, channel: plane % g.inputChannels,
                                               gradOutput: dy + n * g.outputChannels * outputPlane, weight: w,
                                               gradInput: dx + plane * inputPlane)
            }
        }
    }

    public func depthwiseConv2dBackwardWeight(input: Tensor, gradOutput: Tensor, gradWeight: Tensor, gradBias: Tensor?,
                                              parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2dBackwardWeight"
        let g = try p.geometry(op, input: input.shape, weight: gradWeight, bias: gradBias, output: gradOutput.shape)
        let x = try input.cpuFloats(op), dy = try gradOutput.cpuFloats(op), dw = try gradWeight.cpuFloats(op)
        let db = try gradBias?.cpuFloats(op)
        timed(op) {
            parallelPlanes(g.outputChannels) { o in
                DepthwiseKernels.backwardWeight(g, multiplier: p.multiplier, channel: o, input: x, gradOutput: dy,
                                                gradWeight: dw, gradBias: db)
            }
        }
    }
}
