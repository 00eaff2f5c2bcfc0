import CondenseCore

extension CPUBackend: BatchNormOps {
    public func batchNormTraining(input: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                                  runningVariance: Tensor, momentum: Float, epsilon: Float, output: Tensor,
                                  savedMean: Tensor, savedInverseStd: Tensor, activation: Activation) throws {
        let op = "batchNormTraining"
        let e = try BatchNormExtents.training(input: input, gamma: gamma, beta: beta, runningMean: runningMean,
                                                runningVariance: runningVariance, momentum: momentum,
                                                epsilon: epsilon, output: output, savedMean: savedMean,
                                                savedInverseStd: savedInverseStd)
        let x = try input.cpuFloats(op), y = try output.cpuFloats(op), g = try gamma.cpuFloats(op)
        let b = try beta.cpuFloats(op), rm = try runningMean.cpuFloats(op), rv = try runningVariance.cpuFloats(op)
        let sm = try savedMean.cpuFloats(op), si = try savedInverseStd.cpuFloats(op)
        let unbias = Float(e.perChannelCount) / Float(max(e.perChannelCount - 1, 1))
        timed(op) {
            parallelPlanes(e.channels) { c in
                let (mean, variance) = BatchNormKernels.statistics(e, channel: c, input: x)
                let inverseStd = 1 / (variance + epsilon).squareRoot()
                sm[c] = mean
                si[c] = inverseStd
                rm[c] = (1 - momentum) * rm[c] + momentum * mean
                rv[c] = (1 - momentum) * rv[c] + momentum * variance * unbias
                let (scale, shift) = BatchNormKernels.affine(gamma: g[c], beta: b[c], mean: mean,
                                                             inverseStd: inverseStd)
                BatchNormKernels.normalize(e, channel: c, input: x, scale: scale, shift: shift, activation: activation,
                                           output: y)
            }
        }
    }

    public func batchNormInference(input: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                                   runningVariance: Tensor, epsilon: Float, output: Tensor,
                                   activation: Activation) throws {
        let op = "batchNormInference"
        let e = try BatchNormExtents.inference(input: input, gamma: gamma, beta: beta, runningMean: runningMean,
                                                 runningVariance: runningVariance, epsilon: epsilon, output: output)
        let x = try input.cpuFloats(op), y = try output.cpuFloats(op), g = try gamma.cpuFloats(op)
        let b = try beta.cpuFloats(op), rm = try runningMean.cpuFloats(op), rv = try runningVariance.cpuFloats(op)
        timed(op) {
            parallelPlanes(e.channels) { c in
                let scale = g[c] / (rv[c] + epsilon).squareRoot()
                BatchNormKernels.normalize(e, channel: c, input: x, scale: scale, shift: b[c] - rm[c] * scale,
                                           activation: activation, output: y)
            }
        }
    }

    public func batchNormBackward(gradOutput: Tensor, input: Tensor, gamma: Tensor, beta: Tensor, savedMean: Tensor,
                                  savedInverseStd: Tensor, activation: Activation, gradInput: Tensor,
                                  gradGamma: Tensor, gradBeta: Tensor) throws {
        let op = "batchNormBackward"
        let e = try BatchNormExtents.backward(gradOutput: gradOutput, input: input, gamma: gamma, beta: beta,
                                                savedMean: savedMean, savedInverseStd: savedInverseStd,
                                                gradInput: gradInput, gradGamma: gradGamma, gradBeta: gradBeta)
        let dy = try gradOutput.cpuFloats(op), x = try input.cpuFloats(op), g = try gamma.cpuFloats(op)
        let b = try beta.cpuFloats(op), sm = try savedMean.cpuFloats(op), si = try savedInverseStd.cpuFloats(op)
        let dx = try gradInput.cpuFloats(op), dg = try gradGamma.cpuFloats(op), db = try gradBeta.cpuFloats(op)
        func run<Gate: GradientGate>(_ gate: Gate.Type) {
            parallelPlanes(e.channels) { c in
                (dg[c], db[c]) = BatchNormKernels.backward(e, channel: c, gradOutput: dy, input: x, gamma: g[c],
                                                           beta: b[c], mean: sm[c], inverseStd: si[c], gate: gate,
                                                           gradInput: dx)
            }
        }
        timed(op) {
            switch activation {  // concrete gates, so that each loop is specialized
            case .none: run(GradientGates.Open.self)
            case .relu: run(GradientGates.ReLU.self)
            case .relu6: run(GradientGates.ReLU6.self)
            }
        }
    }
}
