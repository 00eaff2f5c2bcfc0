import CondenseCore
import CondenseTestSupport
import XCTest

/// Batch normalization: OpenCL against the CPU backend (training, inference, backward, running statistics), with
/// both chunk tilings; planes of 1 to 323 elements cover vector tails and, on the CPU tiling, planes of two chunks.
final class BatchNormParityTests: XCTestCase {
    func testEveryOpMatchesTheCPUBackend() throws {
        let shapes: [Shape] = [[1, 3, 5, 5], [17, 7, 1, 1], [2, 13, 7, 9], [4, 33, 5, 5], [17, 1, 3, 3], [9, 5],
                               [2, 3, 17, 19]]
        for (index, shape) in shapes.enumerated() {
            var random = SeededGenerator(seed: UInt64(40 + index))
            let c = shape[1]
            // A large mean with small spread checks that the statistics are computed stably.
            let x = random.floats(shape.count).map { index == 2 ? 1000 + $0 : 3 * $0 }
            // γ up to 4, so that the pre-activation crosses ReLU6's upper bound and both ends gate gradients.
            let dy = random.floats(shape.count), gamma = random.floats(c, in: -4...4), beta = random.floats(c)
            let mean = random.floats(c), variance = random.floats(c, in: 0.5...2)
            // Around 1000 the float32 spacing is 6e-5, so the two backends' different summation orders legitimately
            // move x̂ by ~1e-4; a one-pass E[x²] − E[x]² variance would be off by tens of percent instead.
            let tolerance: Float = index == 2 ? 2e-3 : 2e-5
            for activation in Activation.allCases {
                try assertParityForEachTiling("batch norm \(shape) \(activation)", rtol: tolerance,
                                              atol: tolerance) { backend in
                    let input = try backend.tensor(x, shape: shape)
                    let g = try backend.tensor(gamma, shape: [c]), b = try backend.tensor(beta, shape: [c])
                    let runningMean = try backend.tensor(mean, shape: [c])
                    let runningVariance = try backend.tensor(variance, shape: [c])
                    let output = try backend.poisoned(shape), inference = try backend.poisoned(shape)
                    let savedMean = try backend.poisoned([c]), savedInverseStd = try backend.poisoned([c])
                    try backend.batchNormInference(input: input, gamma: g, beta: b, runningMean: runningMean,
                                                   runningVariance: runningVariance, epsilon: 1e-5, output: inference,
                                                   activation: activation)
                    try backend.batchNormTraining(input: input, gamma: g, beta: b, runningMean: runningMean,
                                                  runningVariance: runningVariance, momentum: 0.1, epsilon: 1e-5,
                                                  output: output, savedMean: savedMean,
                                                  savedInverseStd: savedInverseStd, activation: activation)
                    let gradInput = try backend.poisoned(shape)
                    let gradGamma = try backend.poisoned([c]), gradBeta = try backend.poisoned([c])
                    try backend.batchNormBackward(gradOutput: try backend.tensor(dy, shape: shape), input: input,
                                                  gamma: g, beta: b, savedMean: savedMean,
                                                  savedInverseStd: savedInverseStd, activation: activation,
                                                  gradInput: gradInput, gradGamma: gradGamma, gradBeta: gradBeta)
                    return [inference, output, savedMean, savedInverseStd, runningMean, runningVariance, gradInput,
                            gradGamma, gradBeta]
                }
            }
        }
    }
}
