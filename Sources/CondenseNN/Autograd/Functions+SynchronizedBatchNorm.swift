import CondenseCore

/// What synchronized batch norm needs of a data-parallel job: a sum over its processes, and this process's share of
/// the global batch (its images ÷ the batch's images, the weight its gradients get when they are averaged).
public protocol BatchNormSynchronization: AnyObject {
    var share: Float { get }
    /// Replaces each element of `values` with its sum over every process.
    func sum(_ values: inout [Double]) throws
}

/// Training-mode batch norm over the global batch of a data-parallel job (PyTorch's `SyncBatchNorm`): the mean and
/// variance are those of every process's images together, and the backward pass sums its two reductions (Σ dy and
/// Σ dy·x̂) over the processes, so that N processes of B/N images compute what one process computes on B.
///
/// Statistics travel in Double: each process sends its image count, per-channel sum and centred sum of squares
/// (from its own mean, so nothing cancels within a process), and the job's variance is combined from those
/// (Chan et al.'s parallel formula). The backward pass returns, for this process, the gradient of the job's loss
/// divided by its share, because the gradient averager multiplies every gradient by that share: with shares s_r
/// and local counts M_r, dx = γ/σ · (dy − Σ_r s_r Σ dy / M_r − x̂ · Σ_r s_r Σ dy·x̂ / M_r), which for equal shards is
/// PyTorch's formula.
func synchronizedBatchNorm(_ x: Variable, gamma: Variable, beta: Variable, runningMean: Tensor,
                           runningVariance: Tensor, momentum: Float, epsilon: Float, activation: Activation,
                           over job: BatchNormSynchronization) throws -> Variable {
    let backend = x.backend, output = try backend.allocate(x.shape, dtype: .float32)
    let channels = x.shape[1], localCount = x.shape.count / max(channels, 1)
    let (mean, variance, count) = try globalStatistics(of: x.value, channels: channels, over: job)
    try updateRunning(runningMean, runningVariance, mean: mean, variance: variance, count: count, momentum: momentum)
    let inverseStd = variance.map { Float(1 / ($0 + Double(epsilon)).squareRoot()) }
    let floatMean = mean.map { Float($0) }
    try backend.batchNormInference(input: x.value, gamma: gamma.value, beta: beta.value,
                                   runningMean: try backend.tensor(floatMean, shape: [channels]),
                                   runningVariance: try backend.tensor(variance.map { Float($0) }, shape: [channels]),
                                   epsilon: epsilon, output: output, activation: activation)
    return Tape.output(output, inputs: [x, gamma, beta]) { dy in
        let masked = try maskedGradient(dy, output: output, activation: activation)
        let normalized = try channelAffine(x.value, scale: inverseStd,
                                           shift: zip(floatMean, inverseStd).map { -$0 * $1 })
        let products = try backend.allocate(x.shape, dtype: .float32)
        try backend.multiply(normalized, masked, output: products)
        let (sumDy, sumDyX) = (try channelSums(masked), try channelSums(products))
        if gamma.requiresGrad { try gamma.accumulate(try backend.tensor(sumDyX, shape: [channels])) }
        if beta.requiresGrad { try beta.accumulate(try backend.tensor(sumDy, shape: [channels])) }
        guard x.requiresGrad else { return }
        var reductions = (sumDy + sumDyX).map { Double($0) * Double(job.share) }
        try job.sum(&reductions)
        let gammas = try gamma.value.toHost()
        let scale = (0..<channels).map { gammas[$0] * inverseStd[$0] }
        let meanDy = reductions[..<channels].map { Float($0 / Double(localCount)) }
        let meanDyX = reductions[channels...].map { Float($0 / Double(localCount)) }
        let dx = try channelAffine(masked, scale: scale, shift: (0..<channels).map { -scale[$0] * meanDy[$0] })
        let correction = try channelAffine(normalized, scale: (0..<channels).map { scale[$0] * meanDyX[$0] },
                                           shift: [Float](repeating: 0, count: channels))
        try backend.axpy(alpha: -1, x: correction, y: dx)
        try x.accumulate(dx)
    }
}

/// The job's per-channel mean and biased variance of `x` (NCHW), and its element count per channel.
private func globalStatistics(of x: Tensor, channels: Int, over job: BatchNormSynchronization) throws
    -> (mean: [Double], variance: [Double], count: Double) {
    let localCount = x.count / max(channels, 1)
    let sums = try channelSums(x)
    let localMean = sums.map { $0 / Float(localCount) }
    let centred = try channelAffine(x, scale: [Float](repeating: 1, count: channels), shift: localMean.map { -$0 })
    let squares = try x.backend.allocate(x.shape, dtype: .float32)
    try x.backend.multiply(centred, centred, output: squares)
    let centredSquares = try channelSums(squares)
    // [count, Σx, Σ(x − μ_r)², M_r·μ_r²]: the combined variance is (Σ M2_r + Σ M_r μ_r² − M μ²) / M.
    let weightedSquaredMeans: [Double] = zip(sums, localMean).map { Double($0) * Double($1) }
    var statistics: [Double] = [Double(localCount)]
    statistics += sums.map { Double($0) }
    statistics += centredSquares.map { Double($0) }
    statistics += weightedSquaredMeans
    try job.sum(&statistics)
    let count = statistics[0]
    let mean: [Double] = (0..<channels).map { statistics[1 + $0] / count }
    let variance: [Double] = (0..<channels).map { channel in
        let squares: Double = statistics[1 + channels + channel] + statistics[1 + 2 * channels + channel]
        return max(0, (squares - count * mean[channel] * mean[channel]) / count)
    }
    return (mean, variance, count)
}

/// PyTorch's running statistics update, with the unbiased variance of the job's batch.
private func updateRunning(_ runningMean: Tensor, _ runningVariance: Tensor, mean: [Double], variance: [Double],
                           count: Double, momentum: Float) throws {
    let m = Double(momentum), unbiased = count / max(count - 1, 1)
    let newMean = zip(try runningMean.toHost(), mean).map { Float((1 - m) * Double($0) + m * $1) }
    let newVariance = zip(try runningVariance.toHost(), variance).map { Float((1 - m) * Double($0) + m * $1 * unbiased) }
    try newMean.withUnsafeBytes { try runningMean.backend.write($0, to: runningMean) }
    try newVariance.withUnsafeBytes { try runningVariance.backend.write($0, to: runningVariance) }
}

/// Σ over batch and space of each channel of an NCHW tensor.
private func channelSums(_ x: Tensor) throws -> [Float] {
    let sums = try x.backend.allocate([x.shape[1]], dtype: .float32)
    try x.backend.channelBiasGradient(gradOutput: x, gradBias: sums)
    return try sums.toHost()
}

/// `scale[c]·x + shift[c]` per channel of an NCHW tensor, as a batch-norm inference with mean 0 and variance
/// 1 − ε (so its 1/√(var + ε) is 1).
private func channelAffine(_ x: Tensor, scale: [Float], shift: [Float]) throws -> Tensor {
    let backend = x.backend, channels: Shape = [x.shape[1]], epsilon: Float = 1e-5
    let output = try backend.allocate(x.shape, dtype: .float32)
    try backend.batchNormInference(input: x, gamma: try backend.tensor(scale, shape: channels),
                                   beta: try backend.tensor(shift, shape: channels),
                                   runningMean: try backend.full(channels, value: 0),
                                   runningVariance: try backend.full(channels, value: 1 - epsilon), epsilon: epsilon,
                                   output: output, activation: .none)
    return output
}
