import CondenseCore

/// Batch normalization on the host, one channel at a time: the channel's values are `batch` runs of `spatial`
/// contiguous elements, each run processed sixteen lanes at a time in straight loops (no closures, so nothing
/// stands between the loads and the arithmetic). Means and variances use two passes (mean first, then squared
/// deviations), as `BatchNormReference`, with the sums spread over sixteen running lanes; the activation is applied
/// in the same pass that normalizes.
enum BatchNormKernels {
    private typealias Lanes = SIMD16<Float>
    private static let width = Lanes.scalarCount

    /// Runs `body(start)` for the start of each of channel `c`'s runs.
    @inline(__always)
    private static func forEachRun(_ e: BatchNormExtents, channel c: Int, _ body: (Int) -> Void) {
        for n in 0..<e.batch { body((n * e.channels + c) * e.spatial) }
    }

    /// Batch mean and biased variance of channel `c`.
    static func statistics(_ e: BatchNormExtents, channel c: Int, input x: UnsafePointer<Float>) -> (mean: Float, variance: Float) {
        var sumLanes = Lanes(), sum: Float = 0
        forEachRun(e, channel: c) { start in
            let run = x + start
            var i = 0
            while i + width <= e.spatial {
                sumLanes += PointwiseKernels.load16(run + i)
                i += width
            }
            while i < e.spatial {
                sum += run[i]
                i += 1
            }
        }
        let count = Float(e.perChannelCount), mean = (PointwiseKernels.total(sumLanes) + sum) / count
        let meanLanes = Lanes(repeating: mean)
        var squareLanes = Lanes(), squares: Float = 0
        forEachRun(e, channel: c) { start in
            let run = x + start
            var i = 0
            while i + width <= e.spatial {
                let d = PointwiseKernels.load16(run + i) - meanLanes
                squareLanes += d * d
                i += width
            }
            while i < e.spatial {
                squares += (run[i] - mean) * (run[i] - mean)
                i += 1
            }
        }
        return (mean, (PointwiseKernels.total(squareLanes) + squares) / count)
    }

    /// The training-mode normalization of a channel as `x·scale + shift`: `scale = γ·inverseStd`,
    /// `shift = β − mean·scale`. The forward and the backward's activation gate both take it from here, so the gate
    /// sees the very pre-activation the forward clamped.
    static func affine(gamma: Float, beta: Float, mean: Float, inverseStd: Float) -> (scale: Float, shift: Float) {
        let scale = gamma * inverseStd
        return (scale, beta - mean * scale)
    }

    /// `output = activation(x·scale + shift)` over channel `c` (see `affine`).
    static func normalize(_ e: BatchNormExtents, channel c: Int, input x: UnsafePointer<Float>, scale: Float,
                          shift: Float, activation: Activation, output y: UnsafeMutablePointer<Float>) {
        let (lower, upper) = PointwiseKernels.bounds(activation)
        let scaleLanes = Lanes(repeating: scale), shiftLanes = Lanes(repeating: shift)
        forEachRun(e, channel: c) { start in
            let source = x + start, target = y + start
            var i = 0
            while i + width <= e.spatial {
                let value = PointwiseKernels.load16(source + i) * scaleLanes + shiftLanes
                PointwiseKernels.store16(PointwiseKernels.clamp(value, lower, upper), target + i)
                i += width
            }
            while i < e.spatial {
                target[i] = PointwiseKernels.clamp(source[i] * scale + shift, lower, upper)
                i += 1
            }
        }
    }

    /// Training-mode gradients of channel `c` (see `BatchNormOps.batchNormBackward`), `dy` gated by `Gate` at the
    /// pre-activation `x·scale + shift`, computed as `normalize` computes it; returns `(dγ, dβ)` and writes `dx`.
    static func backward<Gate: GradientGate>(_ e: BatchNormExtents, channel c: Int, gradOutput dy: UnsafePointer<Float>,
                                             input x: UnsafePointer<Float>, gamma: Float, beta: Float, mean: Float,
                                             inverseStd: Float, gate: Gate.Type,
                                             gradInput dx: UnsafeMutablePointer<Float>) -> (gamma: Float, beta: Float) {
        let meanLanes = Lanes(repeating: mean)
        let (scale, shift) = affine(gamma: gamma, beta: beta, mean: mean, inverseStd: inverseStd)
        let scaleLanes = Lanes(repeating: scale), shiftLanes = Lanes(repeating: shift)
        var dyLanes = Lanes(), productLanes = Lanes(), dyRest: Float = 0, productRest: Float = 0
        forEachRun(e, channel: c) { start in
            let g = dy + start, v = x + start
            var i = 0
            while i + width <= e.spatial {
                let value = PointwiseKernels.load16(v + i)
                let gradient = Gate.gate(PointwiseKernels.load16(g + i), at: value * scaleLanes + shiftLanes)
                dyLanes += gradient
                productLanes += gradient * (value - meanLanes)
                i += width
            }
            while i < e.spatial {
                let gradient = Gate.gate(g[i], at: v[i] * scale + shift)
                dyRest += gradient
                productRest += gradient * (v[i] - mean)
                i += 1
            }
        }
        let sumDy = PointwiseKernels.total(dyLanes) + dyRest
        let sumDyXhat = (PointwiseKernels.total(productLanes) + productRest) * inverseStd
        let count = Float(e.perChannelCount), factor = gamma * inverseStd / count
        // dx = factor·(M·dy − Σdy − x̂·Σdy·x̂) = a·dy + b·(x − mean) + constant, with x̂ = (x − mean)·inverseStd.
        let a = factor * count, b = -factor * inverseStd * sumDyXhat, constant = -factor * sumDy
        let aLanes = Lanes(repeating: a), bLanes = Lanes(repeating: b), constantLanes = Lanes(repeating: constant)
        forEachRun(e, channel: c) { start in
            let g = dy + start, v = x + start, target = dx + start
            var i = 0
            while i + width <= e.spatial {
                let value = PointwiseKernels.load16(v + i)
                let gradient = Gate.gate(PointwiseKernels.load16(g + i), at: value * scaleLanes + shiftLanes)
                PointwiseKernels.store16(aLanes * gradient + bLanes * (value - meanLanes) + constantLanes, target + i)
                i += width
            }
            while i < e.spatial {
                target[i] = a * Gate.gate(g[i], at: v[i] * scale + shift) + b * (v[i] - mean) + constant
                i += 1
            }
        }
        return (sumDyXhat, sumDy)
    }
}
