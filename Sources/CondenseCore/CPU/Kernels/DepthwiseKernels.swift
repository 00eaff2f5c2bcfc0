/// Depthwise convolution on the host, one plane (or one channel) at a time, on stride-phase planes
/// (`PhasePlanes`), sixteen output positions at a time. Forward and input gradient keep each group of positions in
/// registers over all kernel taps and add the taps in the reference order with the reference's operations, so they
/// equal `DepthwiseConvReference` bit for bit; the weight gradient keeps sixteen running sums per tap.
///
/// Scratch per call: `phases` of `scratchSize.phases` and `laid` of `scratchSize.laid` elements, zeroed before the
/// first plane (padded to whole lanes, so no loop has a remainder; the lanes past the output read and write zeros
/// or slack).
enum DepthwiseKernels {
    private typealias Lanes = SIMD16<Float>

    /// Scratch elements each call needs for geometry `layout`.
    static func scratchSize(_ layout: PhasePlanes) -> (phases: Int, laid: Int) {
        (layout.size + Lanes.scalarCount, layout.g.outputChannels / layout.g.inputChannels * gatheredStride(layout))
    }

    /// Output plane `y` (`Ho × Wo`) of output channel weight `w` over input plane `x`.
    static func forward(_ layout: PhasePlanes, activation: Activation, input x: UnsafePointer<Float>,
                        weight w: UnsafePointer<Float>, bias: Float, output y: UnsafeMutablePointer<Float>,
                        phases: UnsafeMutablePointer<Float>, laid: UnsafeMutablePointer<Float>) {
        let (lower, upper) = PointwiseKernels.bounds(activation)
        layout.split(x, into: phases)
        layout.tapStarts.withUnsafeBufferPointer { starts in
            for i in stride(from: 0, to: roundedToLanes(layout.outputSpan), by: Lanes.scalarCount) {
                var sum = Lanes(repeating: bias)
                for (tap, start) in starts.enumerated() {
                    sum += PointwiseKernels.load16(phases + start + i) * Lanes(repeating: w[tap])
                }
                PointwiseKernels.store16(PointwiseKernels.clamp(sum, lower, upper), laid + i)
            }
        }
        for oy in 0..<layout.outputHeight {
            PointwiseKernels.copy(laid + oy * layout.pitch, y + oy * layout.outputWidth, count: layout.outputWidth)
        }
    }

    /// Input-gradient plane `dx` of input channel `c` of one sample: each phase-plane position gathers the
    /// output-gradient positions of its `multiplier` output channels whose taps read it, in the reference order
    /// (output channel, then tap), then the phase planes are merged. `gradOutput` is the sample's first output
    /// plane, `weight` the first output channel's weights.
    static func backwardInput(_ layout: PhasePlanes, multiplier: Int, channel c: Int, gradOutput: UnsafePointer<Float>,
                              weight: UnsafePointer<Float>, gradInput dx: UnsafeMutablePointer<Float>,
                              phases: UnsafeMutablePointer<Float>, laid: UnsafeMutablePointer<Float>) {
        let g = layout.g, taps = g.kernelHeight * g.kernelWidth, stride = gatheredStride(layout)
        let margin = gatherMargin(layout), span = roundedToLanes(layout.rows * layout.pitch)
        for j in 0..<multiplier {
            layout.layOut(gradOutput + (c * multiplier + j) * layout.outputHeight * layout.outputWidth,
                          into: laid + j * stride + margin)
        }
        withUnsafeTemporaryAllocation(of: (UnsafePointer<Float>, Float).self, capacity: multiplier * taps) { reads in
            for phase in 0..<g.strideHeight * g.strideWidth {
                // Tap t of output channel j adds laid_j[p − offset(t)]·w to position p of its phase plane.
                var count = 0
                for j in 0..<multiplier {
                    for (tap, start) in layout.tapStarts.enumerated() where start / layout.planeSize == phase {
                        let offset = start - phase * layout.planeSize
                        reads[count] = (UnsafePointer(laid + j * stride + margin - offset),
                                        weight[(c * multiplier + j) * taps + tap])
                        count += 1
                    }
                }
                let plane = phases + phase * layout.planeSize
                for i in Swift.stride(from: 0, to: span, by: Lanes.scalarCount) {
                    var sum = Lanes()
                    for read in reads[..<count] {
                        sum += PointwiseKernels.load16(read.0 + i) * Lanes(repeating: read.1)
                    }
                    PointwiseKernels.store16(sum, plane + i)
                }
            }
        }
        layout.merge(phases, into: dx)
    }

    /// Weight gradient (`kh × kw`) and bias gradient of output channel `o`, summed over the batch. `input` and
    /// `gradOutput` are the whole tensors.
    static func backwardWeight(_ layout: PhasePlanes, multiplier: Int, channel o: Int, input: UnsafePointer<Float>,
                               gradOutput: UnsafePointer<Float>, gradWeight: UnsafeMutablePointer<Float>,
                               gradBias: UnsafeMutablePointer<Float>?, phases: UnsafeMutablePointer<Float>,
                               laid: UnsafeMutablePointer<Float>) {
        let g = layout.g, span = roundedToLanes(layout.outputSpan), taps = g.kernelHeight * g.kernelWidth
        let inputPlane = g.inputHeight * g.inputWidth, outputPlane = layout.outputHeight * layout.outputWidth
        let c = o / multiplier
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: taps + 1) { sums in
            sums.initialize(repeating: Lanes())
            for n in 0..<g.batch {
                layout.split(input + (n * g.inputChannels + c) * inputPlane, into: phases)
                layout.layOut(gradOutput + (n * g.outputChannels + o) * outputPlane, into: laid)
                for (tap, start) in layout.tapStarts.enumerated() { sums[tap] += dot(phases + start, laid, count: span) }
                sums[taps] += lanesSum(laid, count: span)
            }
            for tap in 0..<taps { gradWeight[o * taps + tap] = PointwiseKernels.total(sums[tap]) }
            gradBias?[o] = PointwiseKernels.total(sums[taps])
        }
    }

    // MARK: - Gathering layout

    /// The largest offset of a tap inside its phase plane: how far the input gradient's gathers reach back.
    private static func gatherMargin(_ layout: PhasePlanes) -> Int {
        let g = layout.g
        return (g.kernelHeight - 1) * g.dilationHeight / g.strideHeight * layout.pitch
            + (g.kernelWidth - 1) * g.dilationWidth / g.strideWidth
    }

    /// Elements of each output channel's laid-out gradient in the input gradient's scratch: zeros for
    /// `gatherMargin`, then the plane with room for every gather of `rows·pitch` positions.
    private static func gatheredStride(_ layout: PhasePlanes) -> Int {
        gatherMargin(layout) + roundedToLanes(layout.rows * layout.pitch)
    }

    // MARK: - Lanes

    private static func roundedToLanes(_ count: Int) -> Int {
        (count + Lanes.scalarCount - 1) / Lanes.scalarCount * Lanes.scalarCount
    }


    /// Lane-wise Σ a[i]·b[i] over `count` (a multiple of the lanes) elements.
    @inline(__always)
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Lanes {
        var sum = Lanes()
        for i in stride(from: 0, to: count, by: Lanes.scalarCount) {
            sum += PointwiseKernels.load16(a + i) * PointwiseKernels.load16(b + i)
        }
        return sum
    }

    /// Lane-wise Σ a[i] over `count` (a multiple of the lanes) elements.
    @inline(__always)
    private static func lanesSum(_ a: UnsafePointer<Float>, count: Int) -> Lanes {
        var sum = Lanes()
        for i in stride(from: 0, to: count, by: Lanes.scalarCount) { sum += PointwiseKernels.load16(a + i) }
        return sum
    }
}
