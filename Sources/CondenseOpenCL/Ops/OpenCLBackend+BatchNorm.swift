import CondenseCore

/// `BatchNormOps` through `Kernels/batch_norm.cl`: per-plane partial sums, a per-channel reduction, then an
/// elementwise launch over chunks of the planes (`tiling`; short planes several to a work-item on CPU drivers).
extension OpenCLBackend: BatchNormOps {
    public func batchNormTraining(input: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                                  runningVariance: Tensor, momentum: Float, epsilon: Float, output: Tensor,
                                  savedMean: Tensor, savedInverseStd: Tensor, activation: Activation) throws {
        let e = try BatchNormExtents.training(input: input, gamma: gamma, beta: beta, runningMean: runningMean,
                                                runningVariance: runningVariance, momentum: momentum,
                                                epsilon: epsilon, output: output, savedMean: savedMean,
                                                savedInverseStd: savedInverseStd)
        let unbias = Float(e.perChannelCount) / Float(max(e.perChannelCount - 1, 1))
        let partial = try allocate([e.channels, e.batch, 2], dtype: .float32)
        let planes = planeBlocks(e)
        try launch("bn_partial_moments", file: "batch_norm", defines: planes.defines,
                   arguments: [.buffer(input), .buffer(partial), .int(e.batch), .int(e.channels), .int(e.spatial)],
                   global: planes.global)
        try launch("bn_statistics", file: "batch_norm",
                   arguments: [.buffer(partial), .buffer(savedMean), .buffer(savedInverseStd), .buffer(runningMean),
                               .buffer(runningVariance), .int(e.batch), .int(e.channels), .int(e.spatial),
                               .float(momentum), .float(epsilon), .float(unbias)],
                   global: [e.channels])
        try normalize(input, gamma, beta, mean: savedMean, statistic: savedInverseStd, output, e, epsilon: epsilon,
                      training: true, activation: activation)
    }

    public func batchNormInference(input: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                                   runningVariance: Tensor, epsilon: Float, output: Tensor,
                                   activation: Activation) throws {
        let e = try BatchNormExtents.inference(input: input, gamma: gamma, beta: beta, runningMean: runningMean,
                                                 runningVariance: runningVariance, epsilon: epsilon, output: output)
        try normalize(input, gamma, beta, mean: runningMean, statistic: runningVariance, output, e, epsilon: epsilon,
                      training: false, activation: activation)
    }

    public func batchNormBackward(gradOutput: Tensor, input: Tensor, gamma: Tensor, beta: Tensor, savedMean: Tensor,
                                  savedInverseStd: Tensor, activation: Activation, gradInput: Tensor,
                                  gradGamma: Tensor, gradBeta: Tensor) throws {
        let e = try BatchNormExtents.backward(gradOutput: gradOutput, input: input, gamma: gamma, beta: beta,
                                                savedMean: savedMean, savedInverseStd: savedInverseStd,
                                                gradInput: gradInput, gradGamma: gradGamma, gradBeta: gradBeta)
        let partial = try allocate([e.channels, e.batch, 2], dtype: .float32)
        let planes = planeBlocks(e), gate = ["ACTIVATION": activation.rawValue]
        try launch("bn_partial_backward", file: "batch_norm", defines: planes.defines.merging(gate) { $1 },
                   arguments: [.buffer(gradOutput), .buffer(input), .buffer(gamma), .buffer(beta), .buffer(savedMean),
                               .buffer(savedInverseStd), .buffer(partial), .int(e.batch), .int(e.channels),
                               .int(e.spatial)],
                   global: planes.global)
        try launch("bn_backward_reduce", file: "batch_norm",
                   arguments: [.buffer(partial), .buffer(savedInverseStd), .buffer(gradGamma), .buffer(gradBeta),
                               .int(e.batch), .int(e.channels)],
                   global: [e.channels])
        let range = tiling.rowBlocks(rowLength: e.spatial, rows: e.batch * e.channels)
        try launch("bn_backward_input", file: "batch_norm", defines: range.defines.merging(gate) { $1 },
                   arguments: [.buffer(gradOutput), .buffer(input), .buffer(gamma), .buffer(beta), .buffer(savedMean),
                               .buffer(savedInverseStd), .buffer(gradGamma), .buffer(gradBeta), .buffer(gradInput),
                               .int(e.batch * e.channels), .int(e.channels), .int(e.spatial),
                               .float(Float(e.perChannelCount))],
                   global: range.global, local: range.local)
    }

    /// `statistic` is the saved inverse standard deviation when training, the running variance otherwise.
    private func normalize(_ input: Tensor, _ gamma: Tensor, _ beta: Tensor, mean: Tensor, statistic: Tensor,
                           _ output: Tensor, _ e: BatchNormExtents, epsilon: Float, training: Bool,
                           activation: Activation) throws {
        let range = tiling.rowBlocks(rowLength: e.spatial, rows: e.batch * e.channels)
        try launch("bn_normalize", file: "batch_norm",
                   defines: range.defines.merging(["ACTIVATION": activation.rawValue, "TRAINING": training ? 1 : 0]) { $1 },
                   arguments: [.buffer(input), .buffer(gamma), .buffer(beta), .buffer(mean), .buffer(statistic),
                               .buffer(output), .int(e.batch * e.channels), .int(e.channels), .int(e.spatial),
                               .float(epsilon)],
                   global: range.global, local: range.local)
    }

    /// The [1, blocks of planes] range of the per-plane reductions (whole planes, ROWS a work-item) and its defines.
    private func planeBlocks(_ e: BatchNormExtents) -> (global: [Int], defines: [String: Int]) {
        let blocks = tiling.rowBlocks(rowLength: e.spatial, rows: e.batch * e.channels)
        return ([1, blocks.global[1]], blocks.defines)
    }
}
