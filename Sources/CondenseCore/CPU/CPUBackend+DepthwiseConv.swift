/// Depthwise convolution on the CPU: planes (or channels, for the weight gradient) spread over the cores, each with
/// its own phase-plane scratch (`DepthwiseKernels`).
extension CPUBackend: DepthwiseConvOps {
    public func depthwiseConv2d(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor,
                                parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2d"
        let g = try p.geometry(op, input: input.shape, weight: weight, bias: bias, output: output.shape)
        let x = try input.cpuFloats(op), w = try weight.cpuFloats(op), b = try bias?.cpuFloats(op)
        let y = try output.cpuFloats(op), taps = g.kernelHeight * g.kernelWidth
        let (inputPlane, outputPlane) = (g.inputHeight * g.inputWidth, g.outputHeight * g.outputWidth)
        timed(op) {
            forEachPlane(g.batch * g.outputChannels, PhasePlanes(g)) { plane, layout, phases, laid in
                let o = plane % g.outputChannels, n = plane / g.outputChannels
                DepthwiseKernels.forward(layout, activation: p.activation,
                                         input: x + (n * g.inputChannels + o / p.multiplier) * inputPlane,
                                         weight: w + o * taps, bias: b?[o] ?? 0, output: y + plane * outputPlane,
                                         phases: phases, laid: laid)
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
            forEachPlane(g.batch * g.inputChannels, PhasePlanes(g)) { plane, layout, phases, laid in
                let n = plane / g.inputChannels
                DepthwiseKernels.backwardInput(layout, multiplier: p.multiplier, channel: plane % g.inputChannels,
                                               gradOutput: dy + n * g.outputChannels * outputPlane, weight: w,
                                               gradInput: dx + plane * inputPlane, phases: phases, laid: laid)
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
            forEachPlane(g.outputChannels, PhasePlanes(g)) { o, layout, phases, laid in
                DepthwiseKernels.backwardWeight(layout, multiplier: p.multiplier, channel: o, input: x, gradOutput: dy,
                                                gradWeight: dw, gradBias: db, phases: phases, laid: laid)
            }
        }
    }

    /// Runs `body(index, layout, phases, laid)` for each of `count` planes, in contiguous blocks spread over the
    /// cores, each block with its own zeroed scratch.
    private func forEachPlane(_ count: Int, _ layout: PhasePlanes,
                              _ body: (Int, PhasePlanes, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        let size = DepthwiseKernels.scratchSize(layout)
        HostParallel.forEachRange(count, parts: min(count, 8 * HostParallel.workers)) { _, planes in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: size.phases + size.laid)
            defer { scratch.deallocate() }
            scratch.initialize(repeating: 0, count: size.phases + size.laid)  // the slack past the planes stays zero
            for plane in planes { body(plane, layout, scratch, scratch + size.phases) }
        }
    }
}
