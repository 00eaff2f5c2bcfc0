/// Per-channel mean and standard deviation of pixels scaled to [0, 1], computed on a training split and stored in
/// checkpoints so inference and export normalize exactly as training did.
public struct Normalization: Equatable, Sendable {
    public let mean: [Float]
    public let std: [Float]

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// The statistics of `split` (computed in Double).
    public init(of split: ImageSplit, channels: Int) {
        let plane = split.pixels.count / max(split.count * channels, 1)
        var sums = [Double](repeating: 0, count: channels), squares = sums
        for n in 0..<split.count {
            for c in 0..<channels {
                let base = (n * channels + c) * plane
                for i in 0..<plane {
                    let value = Double(split.pixels[base + i]) / 255
                    sums[c] += value
                    squares[c] += value * value
                }
            }
        }
        let count = Double(max(split.count * plane, 1))
        mean = sums.map { Float($0 / count) }
        std = zip(sums, squares).map { sum, square in
            Float(max((square / count - (sum / count) * (sum / count)).squareRoot(), 1e-6))
        }
    }
}
