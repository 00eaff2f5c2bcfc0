import CondenseCore
import CondenseNN

/// Folds an evaluation-mode batch norm into the convolution before it (ARCHITECTURE.md §4), so inference runs one biased
/// convolution instead of a convolution and a normalization.
///
/// With `k = γ / √(σ² + ε)` per output channel `o`, the folded weight and bias are
/// `w'[o, …] = w[o, …] · k[o]` and `b'[o] = β[o] − μ[o] · k[o] + b[o] · k[o]` (the last term only when the
/// convolution had a bias). Evaluation-mode batch norm is the affine map `γ · (y − μ) / √(σ² + ε) + β`, so
/// `conv'(x) = bn(conv(x))` exactly in real arithmetic; here `k` and `b'` are computed in Double and rounded once.
/// Works for every convolution layout whose first axis is the output channel: OIHW, grouped and depthwise
/// (`[C·m, 1, kh, kw]`) weights alike. Any activation fused into the batch norm is not part of the fold.
public enum BatchNormFolding {
    /// A convolution's weight (OIHW, C order) and bias after folding.
    public struct FoldedConvolution: Equatable, Sendable {
        /// The scaled weight, same shape as the convolution's.
        public var weight: [Float]
        /// One bias per output channel.
        public var bias: [Float]
    }

    /// The running statistics and affine parameters of one evaluation-mode batch norm, one value per channel.
    public struct Statistics: Equatable, Sendable {
        public var gamma: [Float]
        public var beta: [Float]
        public var mean: [Float]
        public var variance: [Float]
        public var epsilon: Float

        public init(gamma: [Float], beta: [Float], mean: [Float], variance: [Float], epsilon: Float = 1e-5) {
            self.gamma = gamma
            self.beta = beta
            self.mean = mean
            self.variance = variance
            self.epsilon = epsilon
        }

        /// The statistics a `BatchNorm2d` holds (copied to the host).
        public init(of batchNorm: BatchNorm2d) throws {
            self.init(gamma: try batchNorm.weight.value.toHost(), beta: try batchNorm.bias.value.toHost(),
                      mean: try batchNorm.runningMean.value.toHost(),
                      variance: try batchNorm.runningVariance.value.toHost(), epsilon: batchNorm.epsilon)
        }
    }

    /// Folds `statistics` into a convolution of weight `weight` (shape `weightShape`, output channels first) and
    /// optional `bias`.
    ///
    /// - Throws: `CondenseError.shapeMismatch` when the weight's element count does not fit its shape, or the bias or
    ///   any statistic does not hold one value per output channel; `invalidArgument` when `σ² + ε` is not positive.
    public static func fold(weight: [Float], weightShape: [Int], bias: [Float]?, into statistics: Statistics) throws
        -> FoldedConvolution {
        let op = "BatchNormFolding.fold"
        guard let outChannels = weightShape.first, weightShape.reduce(1, *) == weight.count else {
            throw CondenseError.shapeMismatch(op: op, expected: "a weight of \(weightShape.reduce(1, *)) values for " +
                                              "shape \(weightShape)", got: "\(weight.count) values")
        }
        let perChannel = [("bias", bias), ("gamma", statistics.gamma), ("beta", statistics.beta),
                          ("running mean", statistics.mean), ("running variance", statistics.variance)]
        for case let (name, values?) in perChannel where values.count != outChannels {
            throw CondenseError.shapeMismatch(op: op, expected: "\(name) of \(outChannels) values (one per output channel)",
                                              got: "\(values.count)")
        }
        let scales = try (0..<outChannels).map { channel -> Double in
            let denominator = Double(statistics.variance[channel]) + Double(statistics.epsilon)
            guard denominator > 0 else {
                throw CondenseError.invalidArgument(op: op, "channel \(channel): running variance + eps is " +
                                                    "\(denominator); it must be positive")
            }
            return Double(statistics.gamma[channel]) / denominator.squareRoot()
        }
        let perOutput = outChannels == 0 ? 0 : weight.count / outChannels
        let foldedWeight = weight.indices.map { Float(Double(weight[$0]) * scales[$0 / perOutput]) }
        let foldedBias = (0..<outChannels).map { channel in
            Float(Double(statistics.beta[channel])
                  + (Double(bias?[channel] ?? 0) - Double(statistics.mean[channel])) * scales[channel])
        }
        return FoldedConvolution(weight: foldedWeight, bias: foldedBias)
    }

    /// Folds `batchNorm`'s running statistics into `conv` (both read to the host; neither is changed).
    public static func fold(_ conv: Conv2d, _ batchNorm: BatchNorm2d) throws -> FoldedConvolution {
        try fold(weight: try conv.weight.value.toHost(), weightShape: conv.weight.shape.dims,
                 bias: try conv.bias?.value.toHost(), into: try Statistics(of: batchNorm))
    }
}
