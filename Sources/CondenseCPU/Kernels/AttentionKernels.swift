import CondenseCore

/// Attention maps on the host, one sample at a time, generic over the float type.
public enum AttentionKernels {
    /// `Q̂` and `‖Q‖` of sample `n` (see `AttentionOps`). A sample whose features are all zero keeps `Q̂ = 0`.
    public static func map<T: BinaryFloatingPoint>(_ e: AttentionExtents, sample n: Int, features: UnsafePointer<T>,
                                                   map: UnsafeMutablePointer<T>, norms: UnsafeMutablePointer<T>) {
        let a = features + n * e.channels * e.positions, q = map + n * e.positions
        var squares: T = 0
        for p in 0..<e.positions {
            var sum: T = 0
            for c in 0..<e.channels { sum += a[c * e.positions + p] * a[c * e.positions + p] }
            q[p] = sum / T(e.channels)
            squares += q[p] * q[p]
        }
        let norm = squares.squareRoot()
        norms[n] = norm
        let scale = norm > 0 ? 1 / norm : 0
        for p in 0..<e.positions { q[p] *= scale }
    }

    /// `∂L/∂A` of sample `n` from `∂L/∂Q̂`.
    public static func backward<T: BinaryFloatingPoint>(_ e: AttentionExtents, sample n: Int, features: UnsafePointer<T>,
                                                        map: UnsafePointer<T>, norms: UnsafePointer<T>,
                                                        gradMap: UnsafePointer<T>, gradFeatures: UnsafeMutablePointer<T>) {
        let offset = n * e.positions, base = n * e.channels * e.positions
        var dot: T = 0
        for p in 0..<e.positions { dot += map[offset + p] * gradMap[offset + p] }
        let inverseNorm = norms[n] > 0 ? 1 / norms[n] : 0, twoOverC = 2 / T(e.channels)
        for p in 0..<e.positions {
            let dq = (gradMap[offset + p] - map[offset + p] * dot) * inverseNorm
            for c in 0..<e.channels {
                gradFeatures[base + c * e.positions + p] = twoOverC * features[base + c * e.positions + p] * dq
            }
        }
    }
}
