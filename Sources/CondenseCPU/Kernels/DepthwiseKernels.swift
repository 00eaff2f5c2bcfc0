import CondenseCore

/// Depthwise convolution on the host, one run of up to `PhasePlanes.stack` planes of one channel (consecutive
/// samples) at a time, on stacked stride-phase planes (`PhasePlanes`), sixteen output positions at a time. Forward
/// and input gradient keep each group of positions in registers over all kernel taps and add the taps in the
/// reference order with the reference's operations, so they equal `DepthwiseConvReference` bit for bit; the weight
/// gradient keeps sixteen running sums per tap.
///
/// Scratch per call: `phases` of `scratchSize.phases` and `laid` of `scratchSize.laid` elements, zeroed before the
/// first run (padded to whole lanes, so no loop has a remainder; the lanes past the output read and write zeros
/// or slack).
enum DepthwiseKernels {
    private typealias Lanes = SIMD16<Float>

    /// Where a run of planes lies: the first plane and the distance from one sample's plane to the next's.
    struct Planes<Pointer> {
        let first: Pointer
        let sampleStride: Int
    }

    /// Scratch elements each call needs for geometry `layout`.
    static func scratchSize(_ layout: PhasePlanes) -> (phases: Int, laid: Int) {
        (layout.size + Lanes.scalarCount, layout.g.outputChannels / layout.g.inputChannels * gatheredStride(layout))
    }

    /// Output planes `y` (`Ho × Wo`) of `count` samples of one output channel, with weight `w`, over input planes
    /// `x`.
    static func forward(_ layout: PhasePlanes, count: Int, activation: Activation,
                        input x: Planes<UnsafePointer<Float>>, weight w: UnsafePointer<Float>, bias: Float,
                        output y: Planes<UnsafeMutablePointer<Float>>,
                        phases: UnsafeMutablePointer<Float>, laid: UnsafeMutablePointer<Float>) {
        let (lower, upper) = PointwiseKernels.bounds(activation)
        for block in 0..<count { layout.split(x.first + block * x.sampleStride, block: block, into: phases) }
        layout.tapStarts.withUnsafeBufferPointer { starts in
            for i in stride(from: 0, to: layout.outputSpan(blocks: count), by: Lanes.scalarCount) {
                var sum = Lanes(repeating: bias)
                for (tap, start) in starts.enumerated() {
                    sum += PointwiseKernels.load16(phases + start + i) * Lanes(repeating: w[tap])
                }
                PointwiseKernels.store16(PointwiseKernels.clamp(sum, lower, upper), laid + i)
            }
        }
        for block in 0..<count { layout.copyOut(laid, block: block, into: y.first + block * y.sampleStride) }
    }

    /// Input-gradient planes `dx` of `count` samples of input channel `c`: each phase-plane position gathers the
    /// output-gradient positions of its `multiplier` output channels whose taps read it, in the reference order
    /// (output channel, then tap), then the phase planes are merged. `gradOutput` points at the first sample's
    /// first output plane, `weight` at the first output channel's weights.
    static func backwardInput(_ layout: PhasePlanes, count: Int, multiplier: Int, channel c: Int,
                              gradOutput: Planes<UnsafePointer<Float>>, weight: UnsafePointer<Float>,
                              gradInput dx: Planes<UnsafeMutablePointer<Float>>, phases: UnsafeMutablePointer<Float>,
                              laid: UnsafeMutablePointer<Float>) {
        let g = layout.g, taps = g.kernelHeight * g.kernelWidth, stride = gatheredStride(layout)
        let margin = gatherMargin(layout), span = roundedToLanes(count * layout.blockSize)
        let outputPlane = layout.outputHeight * layout.outputWidth
        for j in 0..<multiplier {
            for block in 0..<count {
                layout.layOut(gradOutput.first + block * gradOutput.sampleStride + (c * multiplier + j) * outputPlane,
                              block: block, into: laid + j * stride + margin)
            }
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
        for block in 0..<count { layout.merge(phases, block: block, into: dx.first + block * dx.sampleStride) }
    }

    /// Weight gradients (`kh × kw`) and bias gradients of output channels `channels`, summed over the batch in runs
    /// of `layout.stack` samples: run by run, each run's channels one after another, so the planes of neighbouring
    /// channels, which share cache lines when small, are read together. `input` and `gradOutput` are the whole
    /// tensors.
    static func backwardWeight(_ layout: PhasePlanes, multiplier: Int, channels: Range<Int>,
                               input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                               gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>?,
                               phases: UnsafeMutablePointer<Float>, laid: UnsafeMutablePointer<Float>) {
        let g = layout.g, taps = g.kernelHeight * g.kernelWidth
        let inputPlane = g.inputHeight * g.inputWidth, outputPlane = layout.outputHeight * layout.outputWidth
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: channels.count * (taps + 1)) { allSums in
            allSums.initialize(repeating: Lanes())
            for first in stride(from: 0, to: g.batch, by: layout.stack) {
                let count = min(layout.stack, g.batch - first), end = layout.outputSpan(blocks: count)
                let span = roundedToLanes(end)
                for o in channels {
                    let sums = allSums.baseAddress! + (o - channels.lowerBound) * (taps + 1), c = o / multiplier
                    for block in 0..<count {
                        let n = first + block
                        layout.split(input + (n * g.inputChannels + c) * inputPlane, block: block, into: phases)
                        layout.layOut(gradOutput + (n * g.outputChannels + o) * outputPlane, block: block, into: laid)
                    }
                    // The lanes past the last output row must not pick up a previous, longer run's data.
                    (laid + end).update(repeating: 0, count: span - end)
                    // Taps in pairs, each gradient chunk loaded once per pair.
                    var tap = 0
                    while tap + 1 < taps {
                        let (first, second) = dots(phases + layout.tapStarts[tap], phases + layout.tapStarts[tap + 1],
                                                   laid, count: span)
                        sums[tap] += first
                        sums[tap + 1] += second
                        tap += 2
                    }
                    if tap < taps { sums[tap] += dot(phases + layout.tapStarts[tap], laid, count: span) }
                    sums[taps] += lanesSum(laid, count: span)
                }
            }
            for o in channels {
                let sums = allSums.baseAddress! + (o - channels.lowerBound) * (taps + 1)
                for tap in 0..<taps { gradWeight[o * taps + tap] = PointwiseKernels.total(sums[tap]) }
                gradBias?[o] = PointwiseKernels.total(sums[taps])
            }
        }
    }

    // MARK: - Gathering layout

    /// The largest offset of a tap inside its phase plane: how far the input gradient's gathers reach back.
    private static func gatherMargin(_ layout: PhasePlanes) -> Int {
        let g = layout.g
        return (g.kernelHeight - 1) * g.dilationHeight / g.strideHeight * layout.pitch
            + (g.kernelWidth - 1) * g.dilationWidth / g.strideWidth
    }

    /// Elements of each output channel's laid-out gradient in the scratch: zeros for `gatherMargin`, then the
    /// stacked blocks with room for every gather and every lane past them.
    private static func gatheredStride(_ layout: PhasePlanes) -> Int {
        gatherMargin(layout) + roundedToLanes(layout.stack * layout.blockSize) + Lanes.scalarCount
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

    /// Lane-wise (Σ a[i]·c[i], Σ b[i]·c[i]) over `count` (a multiple of the lanes) elements.
    @inline(__always)
    private static func dots(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                             count: Int) -> (Lanes, Lanes) {
        var (first, second) = (Lanes(), Lanes())
        for i in stride(from: 0, to: count, by: Lanes.scalarCount) {
            let shared = PointwiseKernels.load16(c + i)
            first += PointwiseKernels.load16(a + i) * shared
            second += PointwiseKernels.load16(b + i) * shared
        }
        return (first, second)
    }

    /// Lane-wise Σ a[i] over `count` (a multiple of the lanes) elements.
    @inline(__always)
    private static func lanesSum(_ a: UnsafePointer<Float>, count: Int) -> Lanes {
        var sum = Lanes()
        for i in stride(from: 0, to: count, by: Lanes.scalarCount) { sum += PointwiseKernels.load16(a + i) }
        return sum
    }
}
