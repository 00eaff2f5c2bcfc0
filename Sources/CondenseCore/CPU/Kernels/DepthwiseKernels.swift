/// Depthwise convolution on the host, one plane (or one channel) at a time, on stride-phase planes
/// (`PhasePlanes`): each kernel tap is one contiguous multiply-add over the whole output, eight lanes at a time.
/// Forward and input gradient add their taps in the reference order with the reference's operations, so they
/// equal `DepthwiseConvReference` bit for bit; the weight gradient keeps eight running sums per tap.
///
/// Scratch per call: `phases` of `scratchSize.phases` and `laid` of `scratchSize.laid` elements (padded to whole
/// lanes, so no loop has a remainder; the lanes past the output read and write zeros or slack).
enum DepthwiseKernels {
    private typealias Lanes = SIMD8<Float>

    /// Scratch elements each call needs for geometry `layout`.
    static func scratchSize(_ layout: PhasePlanes) -> (phases: Int, laid: Int) {
        (layout.size + 8, roundedToLanes(layout.outputSpan))
    }

    /// Output plane `y` (`Ho × Wo`) of output channel weight `w` over input plane `x`.
    static func forward(_ layout: PhasePlanes, activation: Activation, input x: UnsafePointer<Float>,
                        weight w: UnsafePointer<Float>, bias: Float, output y: UnsafeMutablePointer<Float>,
                        phases: UnsafeMutablePointer<Float>, laid: UnsafeMutablePointer<Float>) {
        let g = layout.g, span = roundedToLanes(layout.outputSpan)
        layout.split(x, into: phases)
        laid.update(repeating: bias, count: span)
        for ky in 0..<g.kernelHeight {
            for kx in 0..<g.kernelWidth {
                multiplyAdd(laid, phases + layout.tapStart(ky, kx), w[ky * g.kernelWidth + kx], count: span)
            }
        }
        for oy in 0..<g.outputHeight {
            PointwiseKernels.apply(activation, laid + oy * layout.pitch, y + oy * g.outputWidth, count: g.outputWidth)
        }
    }

    /// Input-gradient plane `dx` of input channel `c` of one sample: the output-gradient planes of its
    /// `multiplier` output channels, each tap scattered back onto the phase planes, then merged. `gradOutput` is the
    /// sample's first output plane, `weight` the first output channel's weights.
    static func backwardInput(_ layout: PhasePlanes, multiplier: Int, channel c: Int, gradOutput: UnsafePointer<Float>,
                              weight: UnsafePointer<Float>, gradInput dx: UnsafeMutablePointer<Float>,
                              phases: UnsafeMutablePointer<Float>, laid: UnsafeMutablePointer<Float>) {
        let g = layout.g, span = roundedToLanes(layout.outputSpan), taps = g.kernelHeight * g.kernelWidth
        phases.update(repeating: 0, count: layout.size + 8)
        (laid + layout.outputSpan).update(repeating: 0, count: span - layout.outputSpan)
        for j in 0..<multiplier {
            let o = c * multiplier + j
            layout.layOut(gradOutput + o * g.outputHeight * g.outputWidth, into: laid)
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    multiplyAdd(phases + layout.tapStart(ky, kx), laid, weight[o * taps + ky * g.kernelWidth + kx],
                                count: span)
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
        let (inputPlane, outputPlane, c) = (g.inputHeight * g.inputWidth, g.outputHeight * g.outputWidth, o / multiplier)
        (laid + layout.outputSpan).update(repeating: 0, count: span - layout.outputSpan)
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: taps + 1) { sums in
            sums.initialize(repeating: Lanes())
            for n in 0..<g.batch {
                layout.split(input + (n * g.inputChannels + c) * inputPlane, into: phases)
                layout.layOut(gradOutput + (n * g.outputChannels + o) * outputPlane, into: laid)
                for ky in 0..<g.kernelHeight {
                    for kx in 0..<g.kernelWidth {
                        sums[ky * g.kernelWidth + kx] += dot(phases + layout.tapStart(ky, kx), laid, count: span)
                    }
                }
                sums[taps] += lanesSum(laid, count: span)
            }
            for tap in 0..<taps { gradWeight[o * taps + tap] = sums[tap].sum() }
            gradBias?[o] = sums[taps].sum()
        }
    }

    // MARK: - Lanes

    private static func roundedToLanes(_ count: Int) -> Int { (count + 7) / 8 * 8 }

    /// `target[i] += source[i]·weight` for `count` (a multiple of 8) elements.
    @inline(__always)
    private static func multiplyAdd(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>,
                                    _ weight: Float, count: Int) {
        let w = Lanes(repeating: weight)
        for i in stride(from: 0, to: count, by: 8) {
            PointwiseKernels.store(PointwiseKernels.load(target + i) + PointwiseKernels.load(source + i) * w, target + i)
        }
    }

    /// Lane-wise Σ a[i]·b[i] over `count` (a multiple of 8) elements.
    @inline(__always)
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Lanes {
        var sum = Lanes()
        for i in stride(from: 0, to: count, by: 8) { sum += PointwiseKernels.load(a + i) * PointwiseKernels.load(b + i) }
        return sum
    }

    /// Lane-wise Σ a[i] over `count` (a multiple of 8) elements.
    @inline(__always)
    private static func lanesSum(_ a: UnsafePointer<Float>, count: Int) -> Lanes {
        var sum = Lanes()
        for i in stride(from: 0, to: count, by: 8) { sum += PointwiseKernels.load(a + i) }
        return sum
    }
}
