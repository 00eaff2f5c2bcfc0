/// Batch normalization on the host, one channel at a time: the channel's values are `batch` runs of `spatial`
/// contiguous elements, each run processed eight lanes at a time. Means and variances use two passes (mean first,
/// then squared deviations), as `BatchNormReference`, with the sums spread over eight running lanes.
enum BatchNormKernels {
    private typealias Lanes = SIMD8<Float>

    /// Runs `body(start)` for the start of each of channel `c`'s runs.
    @inline(__always)
    private static func forEachRun(_ e: BatchNormExtents, channel c: Int, _ body: (Int) -> Void) {
        for n in 0..<e.batch { body((n * e.channels + c) * e.spatial) }
    }

    /// Batch mean and biased variance of channel `c`.
    static func statistics(_ e: BatchNormExtents, channel c: Int, input x: UnsafePointer<Float>) -> (mean: Float, variance: Float) {
        var sum: Float = 0
        forEachRun(e, channel: c) { sum += PointwiseKernels.sum(x + $0, count: e.spatial) }
        let count = Float(e.perChannelCount), mean = sum / count
        var squares: Float = 0
        forEachRun(e, channel: c) { start in
            let run = x + start, meanLanes = Lanes(repeating: mean)
            var lanes = Lanes(), i = 0
            while i + 8 <= e.spatial {
                let d = PointwiseKernels.load(run + i) - meanLanes
                lanes += d * d
                i += 8
            }
            squares += lanes.sum()
            for j in i..<e.spatial { squares += (run[j] - mean) * (run[j] - mean) }
        }
        return (mean, squares / count)
    }

    /// `output = activation(x·scale + shift)` over channel `c`, with `scale = γ·inverseStd`,
    /// `shift = β − mean·scale`.
    static func normalize(_ e: BatchNormExtents, channel c: Int, input x: UnsafePointer<Float>, scale: Float,
                          shift: Float, activation: Activation, output y: UnsafeMutablePointer<Float>) {
        let scaleLanes = Lanes(repeating: scale), shiftLanes = Lanes(repeating: shift)
        forEachRun(e, channel: c) { start in
            PointwiseKernels.map(x + start, y + start, count: e.spatial, { $0 * scaleLanes + shiftLanes },
                                 { $0 * scale + shift })
            PointwiseKernels.apply(activation, y + start, count: e.spatial)
        }
    }

    /// Training-mode gradients of channel `c` (see `BatchNormOps.batchNormBackward`); returns `(dγ, dβ)` and
    /// writes `dx`.
    static func backward(_ e: BatchNormExtents, channel c: Int, gradOutput dy: UnsafePointer<Float>,
                         input x: UnsafePointer<Float>, gamma: Float, mean: Float, inverseStd: Float,
                         gradInput dx: UnsafeMutablePointer<Float>) -> (gamma: Float, beta: Float) {
        let meanLanes = Lanes(repeating: mean)
        var sumDy: Float = 0, sumDyCentered: Float = 0
        forEachRun(e, channel: c) { start in
            let g = dy + start, v = x + start
            var dyLanes = Lanes(), productLanes = Lanes(), i = 0
            while i + 8 <= e.spatial {
                let gradient = PointwiseKernels.load(g + i)
                dyLanes += gradient
                productLanes += gradient * (PointwiseKernels.load(v + i) - meanLanes)
                i += 8
            }
            sumDy += dyLanes.sum()
            sumDyCentered += productLanes.sum()
            for j in i..<e.spatial {
                sumDy += g[j]
                sumDyCentered += g[j] * (v[j] - mean)
            }
        }
        let sumDyXhat = sumDyCentered * inverseStd
        let count = Float(e.perChannelCount), factor = gamma * inverseStd / count
        // dx = factor·(M·dy − Σdy − x̂·Σdy·x̂) = a·dy + b·(x − mean) + constant, with x̂ = (x − mean)·inverseStd.
        let a = factor * count, b = -factor * inverseStd * sumDyXhat, constant = -factor * sumDy
        let aLanes = Lanes(repeating: a), bLanes = Lanes(repeating: b), constantLanes = Lanes(repeating: constant)
        forEachRun(e, channel: c) { start in
            PointwiseKernels.zip(dy + start, x + start, dx + start, count: e.spatial,
                                 { aLanes * $0 + bLanes * ($1 - meanLanes) + constantLanes },
                                 { a * $0 + b * ($1 - mean) + constant })
        }
        return (sumDyXhat, sumDy)
    }
}
