/// Depthwise convolution on the host, one plane (or one channel) at a time, row by row: each kernel tap adds a
/// shifted input row times one weight to an output row, over the output columns whose tap falls inside the input
/// (`ColumnKernels.insideColumns`), so the inner loops carry no bounds checks and vectorize. Forward and input
/// gradient sum their taps in the reference order (bitwise equal to `DepthwiseConvReference`); the weight gradient
/// keeps one running sum per tap and output column and adds those up at the end.
enum DepthwiseKernels {
    /// Output plane `y` (`Ho × Wo`) of output channel weight `w` (`kh × kw`) over input plane `x`.
    static func forward(_ g: WindowGeometry, activation: Activation, input x: UnsafePointer<Float>,
                        weight w: UnsafePointer<Float>, bias: Float, output y: UnsafeMutablePointer<Float>) {
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        for oy in 0..<oh {
            let row = y + oy * ow
            row.update(repeating: bias, count: ow)
            for ky in 0..<g.kernelHeight {
                let iy = oy * g.strideHeight - g.paddingHeight + ky * g.dilationHeight
                guard iy >= 0, iy < g.inputHeight else { continue }
                for kx in 0..<g.kernelWidth {
                    let inside = ColumnKernels.insideColumns(g, kx: kx), weight = w[ky * g.kernelWidth + kx]
                    let source = x + iy * g.inputWidth + kx * g.dilationWidth - g.paddingWidth
                    if g.strideWidth == 1 {
                        for ox in inside { row[ox] += source[ox] * weight }
                    } else {
                        for ox in inside { row[ox] += source[ox * g.strideWidth] * weight }
                    }
                }
            }
            PointwiseKernels.apply(activation, row, count: ow)
        }
    }

    /// Input-gradient plane `dx` of input channel `c` of one sample: each row gathers, for each of the `multiplier`
    /// output channels and each tap, the output-gradient row that read it. `gradOutput` is the sample's first
    /// output plane, `weight` the first output channel's weights.
    static func backwardInput(_ g: WindowGeometry, multiplier: Int, channel c: Int, gradOutput: UnsafePointer<Float>,
                              weight: UnsafePointer<Float>, gradInput dx: UnsafeMutablePointer<Float>) {
        let (oh, ow, taps) = (g.outputHeight, g.outputWidth, g.kernelHeight * g.kernelWidth)
        for iy in 0..<g.inputHeight {
            let row = dx + iy * g.inputWidth
            row.update(repeating: 0, count: g.inputWidth)
            for j in 0..<multiplier {
                let o = c * multiplier + j, dy = gradOutput + o * oh * ow, w = weight + o * taps
                for ky in 0..<g.kernelHeight {
                    let sy = iy + g.paddingHeight - ky * g.dilationHeight
                    guard sy >= 0, sy % g.strideHeight == 0, sy / g.strideHeight < oh else { continue }
                    let source = dy + sy / g.strideHeight * ow
                    for kx in 0..<g.kernelWidth {
                        let inside = ColumnKernels.insideColumns(g, kx: kx), weight = w[ky * g.kernelWidth + kx]
                        let target = row + kx * g.dilationWidth - g.paddingWidth
                        if g.strideWidth == 1 {
                            for ox in inside { target[ox] += source[ox] * weight }
                        } else {
                            for ox in inside { target[ox * g.strideWidth] += source[ox] * weight }
                        }
                    }
                }
            }
        }
    }

    /// Weight gradient (`kh × kw`) and bias gradient of output channel `o`, summed over the batch. `input` and
    /// `gradOutput` are the whole tensors.
    static func backwardWeight(_ g: WindowGeometry, multiplier: Int, channel o: Int, input: UnsafePointer<Float>,
                               gradOutput: UnsafePointer<Float>, gradWeight: UnsafeMutablePointer<Float>,
                               gradBias: UnsafeMutablePointer<Float>?) {
        let (oh, ow, taps) = (g.outputHeight, g.outputWidth, g.kernelHeight * g.kernelWidth)
        let plane = g.inputHeight * g.inputWidth, c = o / multiplier
        withUnsafeTemporaryAllocation(of: Float.self, capacity: (taps + 1) * ow) { buffer in
            let sums = buffer.baseAddress!, biasSums = sums + taps * ow
            sums.update(repeating: 0, count: (taps + 1) * ow)
            for n in 0..<g.batch {
                let x = input + (n * g.inputChannels + c) * plane, dy = gradOutput + (n * g.outputChannels + o) * oh * ow
                for oy in 0..<oh {
                    let dyRow = dy + oy * ow
                    for ox in 0..<ow { biasSums[ox] += dyRow[ox] }
                    for ky in 0..<g.kernelHeight {
                        let iy = oy * g.strideHeight - g.paddingHeight + ky * g.dilationHeight
                        guard iy >= 0, iy < g.inputHeight else { continue }
                        for kx in 0..<g.kernelWidth {
                            let inside = ColumnKernels.insideColumns(g, kx: kx)
                            let sum = sums + (ky * g.kernelWidth + kx) * ow
                            let source = x + iy * g.inputWidth + kx * g.dilationWidth - g.paddingWidth
                            if g.strideWidth == 1 {
                                for ox in inside { sum[ox] += source[ox] * dyRow[ox] }
                            } else {
                                for ox in inside { sum[ox] += source[ox * g.strideWidth] * dyRow[ox] }
                            }
                        }
                    }
                }
            }
            for tap in 0..<taps { gradWeight[o * taps + tap] = ReductionReference.sum(sums + tap * ow, count: ow) }
            gradBias?[o] = ReductionReference.sum(biasSums, count: ow)
        }
    }
}
