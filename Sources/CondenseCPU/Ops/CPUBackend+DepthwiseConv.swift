import CondenseCore

/// Depthwise convolution on the CPU: runs of planes (one channel, consecutive samples) or whole channels (the
/// weight gradient) spread over the cores, each part with its own phase-plane scratch (`DepthwiseKernels`).
extension CPUBackend: DepthwiseConvOps {
    public func depthwiseConv2d(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor,
                                parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2d"
        let g = try p.geometry(op, input: input.shape, weight: weight, bias: bias, output: output.shape)
        let x = try input.cpuFloats(op), w = try weight.cpuFloats(op), b = try bias?.cpuFloats(op)
        let y = try output.cpuFloats(op), taps = g.kernelHeight * g.kernelWidth
        let (inputPlane, outputPlane) = (g.inputHeight * g.inputWidth, g.outputHeight * g.outputWidth)
        timed(op) {
            forEachRun(channels: g.outputChannels, PhasePlanes(g)) { o, samples, layout, phases, laid in
                let n = samples.lowerBound, c = o / p.multiplier
                DepthwiseKernels.forward(layout, count: samples.count, activation: p.activation,
                                         input: .init(first: x + (n * g.inputChannels + c) * inputPlane,
                                                      sampleStride: g.inputChannels * inputPlane),
                                         weight: w + o * taps, bias: b?[o] ?? 0,
                                         output: .init(first: y + (n * g.outputChannels + o) * outputPlane,
                                                       sampleStride: g.outputChannels * outputPlane),
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
            forEachRun(channels: g.inputChannels, PhasePlanes(g)) { c, samples, layout, phases, laid in
                let n = samples.lowerBound
                DepthwiseKernels.backwardInput(layout, count: samples.count, multiplier: p.multiplier, channel: c,
                                               gradOutput: .init(first: dy + n * g.outputChannels * outputPlane,
                                                                 sampleStride: g.outputChannels * outputPlane),
                                               weight: w,
                                               gradInput: .init(first: dx + (n * g.inputChannels + c) * inputPlane,
                                                                sampleStride: g.inputChannels * inputPlane),
                                               phases: phases, laid: laid)
            }
        }
    }

    public func depthwiseConv2dBackwardWeight(input: Tensor, gradOutput: Tensor, gradWeight: Tensor, gradBias: Tensor?,
                                              parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2dBackwardWeight"
        let g = try p.geometry(op, input: input.shape, weight: gradWeight, bias: gradBias, output: gradOutput.shape)
        let x = try input.cpuFloats(op), dy = try gradOutput.cpuFloats(op), dw = try gradWeight.cpuFloats(op)
        let db = try gradBias?.cpuFloats(op)
        let layout = PhasePlanes(g)
        timed(op) {
            withScratch(g.outputChannels, layout) { channels, phases, laid in
                DepthwiseKernels.backwardWeight(layout, multiplier: p.multiplier, channels: channels, input: x,
                                                gradOutput: dy, gradWeight: dw, gradBias: db, phases: phases,
                                                laid: laid)
            }
        }
    }

    /// Runs `body(channel, samples, layout, phases, laid)` for each channel and each run of up to `layout.stack`
    /// consecutive samples, spread over the cores: run by run, each run's channels one after another, so the planes
    /// of neighbouring channels, which share cache lines when small, are read together.
    private func forEachRun(channels: Int, _ layout: PhasePlanes,
                            _ body: (Int, Range<Int>, PhasePlanes, UnsafeMutablePointer<Float>,
                                     UnsafeMutablePointer<Float>) -> Void) {
        let runs = (layout.g.batch + layout.stack - 1) / layout.stack
        withScratch(channels * runs, layout) { items, phases, laid in
            for item in items {
                let first = item / channels * layout.stack
                body(item % channels, first..<min(layout.g.batch, first + layout.stack), layout, phases, laid)
            }
        }
    }

    /// Splits `0..<count` into contiguous parts spread over the cores and runs `body(part, phases, laid)` for each,
    /// with its own zeroed scratch.
    private func withScratch(_ count: Int, _ layout: PhasePlanes,
                             _ body: (Range<Int>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        let size = DepthwiseKernels.scratchSize(layout)
        HostParallel.forEachRange(count, parts: min(count, 8 * HostParallel.workers)) { _, part in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: size.phases + size.laid)
            defer { scratch.deallocate() }
            scratch.initialize(repeating: 0, count: size.phases + size.laid)  // the padding and slack stay zero
            body(part, scratch, scratch + size.phases)
        }
    }
}
