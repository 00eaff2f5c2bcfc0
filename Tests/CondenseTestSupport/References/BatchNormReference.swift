import CondenseCore

/// Batch normalization on the host, one channel at a time, generic over the float type. Means and variances use
/// two passes (mean first, then squared deviations), which stays accurate for large means.
public enum BatchNormReference {
    /// The values of channel `c`: `batch` runs of `spatial` contiguous elements, `channels·spatial` apart.
    @inlinable
    static func forEach<T>(_ e: BatchNormExtents, channel c: Int, _ base: UnsafePointer<T>, _ body: (Int, T) -> Void) {
        for n in 0..<e.batch {
            let offset = (n * e.channels + c) * e.spatial
            for i in 0..<e.spatial { body(offset + i, base[offset + i]) }
        }
    }

    /// Batch mean and biased variance of channel `c`.
    public static func statistics<T: BinaryFloatingPoint>(_ e: BatchNormExtents, channel c: Int,
                                                          input: UnsafePointer<T>) -> (mean: T, variance: T) {
        let count = T(e.perChannelCount)
        var sum: T = 0
        forEach(e, channel: c, input) { _, x in sum += x }
        let mean = sum / count
        var squares: T = 0
        forEach(e, channel: c, input) { _, x in squares += (x - mean) * (x - mean) }
        return (mean, squares / count)
    }

    /// `output = activation(γ·(x − mean)·inverseStd + β)` for channel `c`.
    public static func normalize<T: BinaryFloatingPoint>(_ e: BatchNormExtents, channel c: Int, input: UnsafePointer<T>,
                                                         mean: T, inverseStd: T, gamma: T, beta: T,
                                                         activation: Activation, output: UnsafeMutablePointer<T>) {
        let scale = gamma * inverseStd, shift = beta - mean * scale
        forEach(e, channel: c, input) { index, x in output[index] = activation.apply(x * scale + shift) }
    }

    /// Training-mode gradients of channel `c`; returns `(dγ, dβ)` and writes `dx`.
    public static func backward<T: BinaryFloatingPoint>(_ e: BatchNormExtents, channel c: Int,
                                                        gradOutput: UnsafePointer<T>, input: UnsafePointer<T>,
                                                        gamma: T, mean: T, inverseStd: T,
                                                        gradInput: UnsafeMutablePointer<T>) -> (gamma: T, beta: T) {
        var sumDy: T = 0, sumDyXhat: T = 0
        forEach(e, channel: c, input) { index, x in
            sumDy += gradOutput[index]
            sumDyXhat += gradOutput[index] * (x - mean) * inverseStd
        }
        let count = T(e.perChannelCount), factor = gamma * inverseStd / count
        forEach(e, channel: c, input) { index, x in
            let xHat = (x - mean) * inverseStd
            gradInput[index] = factor * (count * gradOutput[index] - sumDy - xHat * sumDyXhat)
        }
        return (sumDyXhat, sumDy)
    }
}
