/// Batch normalization over the channels of `[N, C, H, W]` (or `[N, C]`) float32 tensors, PyTorch's semantics:
/// normalization with the biased batch variance, running variance updated with the unbiased one,
/// `running = (1 − momentum)·running + momentum·batch`. Per-channel tensors are `[C]`.
public protocol BatchNormOps {
    /// Training mode: batch statistics, `output = activation(γ·(x − μ)/√(σ² + ε) + β)`; saves μ and
    /// `1/√(σ² + ε)` for the backward pass and updates the running statistics in place.
    func batchNormTraining(input: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVariance: Tensor,
                           momentum: Float, epsilon: Float, output: Tensor, savedMean: Tensor,
                           savedInverseStd: Tensor, activation: Activation) throws
    /// Inference mode: the running statistics instead of the batch's.
    func batchNormInference(input: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVariance: Tensor,
                            epsilon: Float, output: Tensor, activation: Activation) throws
    /// Training-mode backward through `batchNormTraining` with the same `activation`: `dy` is first gated by the
    /// activation (`Activation.passesGradient`) at the pre-activation `γ·x̂ + β`, recomputed from `input` as the
    /// forward computes it, so neither the forward output nor a separate masking pass is needed. Then, with
    /// `x̂ = (x − μ)·inv` and M = N·H·W: `dβ = Σ dy`, `dγ = Σ dy·x̂`, `dx = γ·inv/M · (M·dy − dβ − x̂·dγ)`.
    func batchNormBackward(gradOutput: Tensor, input: Tensor, gamma: Tensor, beta: Tensor, savedMean: Tensor,
                           savedInverseStd: Tensor, activation: Activation, gradInput: Tensor, gradGamma: Tensor,
                           gradBeta: Tensor) throws
}

/// The extents of a batch-norm call and the checks both backends run first.
public struct BatchNormExtents: Equatable, Sendable {
    public let batch: Int, channels: Int, spatial: Int

    /// Checks `input`'s layout, every per-channel tensor's shape, `output`'s shape and the parameters.
    public init(_ op: String, input: Tensor, output: Tensor, perChannel: [(String, Tensor)], momentum: Float = 0,
                epsilon: Float = 1e-5) throws {
        try requireFloat32(op, input, output)
        guard (input.shape.rank == 2 || input.shape.rank == 4), input.shape[0] >= 1 else {
            throw CondenseError.shapeMismatch(op: op, expected: "input [N, C] or [N, C, H, W]", got: "\(input.shape)")
        }
        guard output.shape == input.shape else {
            throw CondenseError.shapeMismatch(op: op, expected: "output \(input.shape)", got: "\(output.shape)")
        }
        batch = input.shape[0]
        channels = input.shape[1]
        spatial = input.shape.rank == 4 ? input.shape[2] * input.shape[3] : 1
        for (name, tensor) in perChannel {
            try requireFloat32(op, tensor)
            guard tensor.shape == [channels] else {
                throw CondenseError.shapeMismatch(op: op, expected: "\(name) [\(channels)]", got: "\(tensor.shape)")
            }
        }
        guard momentum >= 0, momentum <= 1 else {
            throw CondenseError.invalidArgument(op: op, "momentum must be in [0, 1], got \(momentum)")
        }
        guard epsilon > 0 else { throw CondenseError.invalidArgument(op: op, "epsilon must be > 0, got \(epsilon)") }
    }

    /// The checks of `batchNormTraining`.
    public static func training(input: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVariance: Tensor,
                                momentum: Float, epsilon: Float, output: Tensor, savedMean: Tensor,
                                savedInverseStd: Tensor) throws -> BatchNormExtents {
        try BatchNormExtents("batchNormTraining", input: input, output: output,
                             perChannel: [("gamma", gamma), ("beta", beta), ("runningMean", runningMean),
                                          ("runningVariance", runningVariance), ("savedMean", savedMean),
                                          ("savedInverseStd", savedInverseStd)],
                             momentum: momentum, epsilon: epsilon)
    }

    /// The checks of `batchNormInference`.
    public static func inference(input: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                                 runningVariance: Tensor, epsilon: Float, output: Tensor) throws -> BatchNormExtents {
        try BatchNormExtents("batchNormInference", input: input, output: output,
                             perChannel: [("gamma", gamma), ("beta", beta), ("runningMean", runningMean),
                                          ("runningVariance", runningVariance)], epsilon: epsilon)
    }

    /// The checks of `batchNormBackward`.
    public static func backward(gradOutput: Tensor, input: Tensor, gamma: Tensor, beta: Tensor, savedMean: Tensor,
                                savedInverseStd: Tensor, gradInput: Tensor, gradGamma: Tensor,
                                gradBeta: Tensor) throws -> BatchNormExtents {
        let op = "batchNormBackward"
        let extents = try BatchNormExtents(op, input: input, output: gradOutput,
                                           perChannel: [("gamma", gamma), ("beta", beta), ("savedMean", savedMean),
                                                        ("savedInverseStd", savedInverseStd), ("gradGamma", gradGamma),
                                                        ("gradBeta", gradBeta)])
        try requireFloat32(op, gradInput)
        guard gradInput.shape == input.shape else {
            throw CondenseError.shapeMismatch(op: op, expected: "gradInput \(input.shape)", got: "\(gradInput.shape)")
        }
        return extents
    }

    /// Values per channel: N·H·W.
    public var perChannelCount: Int { batch * spatial }
}
