import CondenseCore

/// `dy` masked by a fused activation's derivative (taken from the forward output), or `dy` itself.
func maskedGradient(_ dy: Tensor, output: Tensor, activation: Activation) throws -> Tensor {
    guard activation != .none else { return dy }
    let masked = try dy.backend.allocate(dy.shape, dtype: .float32)
    try dy.backend.activationBackward(activation, output: output, gradOutput: dy, gradInput: masked)
    return masked
}

/// Batch normalization with PyTorch's semantics and an optional fused activation. In training mode it normalizes
/// with batch statistics and updates `runningMean`/`runningVariance` in place; in evaluation mode it uses them (and stays differentiable, as an affine map).
public func batchNorm(_ x: Variable, gamma: Variable, beta: Variable, runningMean: Tensor, runningVariance: Tensor,
                      training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5,
                      activation: Activation = .none) throws -> Variable {
    let backend = x.backend, output = try backend.allocate(x.shape, dtype: .float32)
    guard training else {
        try backend.batchNormInference(input: x.value, gamma: gamma.value, beta: beta.value, runningMean: runningMean,
                                       runningVariance: runningVariance, epsilon: epsilon, output: output,
                                       activation: activation)
        return Tape.output(output, inputs: [x, gamma, beta]) { dy in
            let masked = try maskedGradient(dy, output: output, activation: activation)
            let channels = [x.shape[1]] as Shape
            let zeros = try backend.full(channels, value: 0), ones = try backend.full(channels, value: 1)
            if x.requiresGrad {
                // With fixed statistics the layer is affine: dx = γ/√(σ² + ε)·dy, the same op with μ = β = 0.
                let dx = try backend.allocate(x.shape, dtype: .float32)
                try backend.batchNormInference(input: masked, gamma: gamma.value, beta: zeros, runningMean: zeros,
                                               runningVariance: runningVariance, epsilon: epsilon, output: dx,
                                               activation: .none)
                try x.accumulate(dx)
            }
            if gamma.requiresGrad {
                let normalized = try backend.allocate(x.shape, dtype: .float32), dGamma = try backend.allocate(channels, dtype: .float32)
                try backend.batchNormInference(input: x.value, gamma: ones, beta: zeros, runningMean: runningMean,
                                               runningVariance: runningVariance, epsilon: epsilon, output: normalized,
                                               activation: .none)
                try backend.multiply(normalized, masked, output: normalized)
                try backend.channelBiasGradient(gradOutput: normalized, gradBias: dGamma)
                try gamma.accumulate(dGamma)
            }
            if beta.requiresGrad {
                let dBeta = try backend.allocate(channels, dtype: .float32)
                try backend.channelBiasGradient(gradOutput: masked, gradBias: dBeta)
                try beta.accumulate(dBeta)
            }
        }
    }
    let channels = [x.shape[1]] as Shape
    let savedMean = try backend.allocate(channels, dtype: .float32)
    let savedInverseStd = try backend.allocate(channels, dtype: .float32)
    try backend.batchNormTraining(input: x.value, gamma: gamma.value, beta: beta.value, runningMean: runningMean,
                                  runningVariance: runningVariance, momentum: momentum, epsilon: epsilon, output: output,
                                  savedMean: savedMean, savedInverseStd: savedInverseStd, activation: activation)
    return Tape.output(output, inputs: [x, gamma, beta]) { dy in
        let dx = try backend.allocate(x.shape, dtype: .float32)
        let dGamma = try backend.allocate(channels, dtype: .float32), dBeta = try backend.allocate(channels, dtype: .float32)
        try backend.batchNormBackward(gradOutput: dy, input: x.value, gamma: gamma.value, beta: beta.value,
                                      savedMean: savedMean, savedInverseStd: savedInverseStd, activation: activation,
                                      gradInput: dx, gradGamma: dGamma, gradBeta: dBeta)
        if x.requiresGrad { try x.accumulate(dx) }
        if gamma.requiresGrad { try gamma.accumulate(dGamma) }
        if beta.requiresGrad { try beta.accumulate(dBeta) }
    }
}
