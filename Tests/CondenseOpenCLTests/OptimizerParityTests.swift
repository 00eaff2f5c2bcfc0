import CondenseCore
import CondenseTestSupport
import XCTest

/// SGD and AdamW updates: OpenCL against the CPU backend over several steps on odd sizes.
final class OptimizerParityTests: XCTestCase {
    // Values are O(1); the absolute tolerance covers fused multiply-adds (the OpenCL compiler may contract
    // μ·b + g, the CPU loop does not) where the buffer cancels towards zero.
    private let sizes = [1, 7, 1000, 4097]

    func testSGDVariantsMatchTheCPUBackend() throws {
        let variants = [SGDOptions(learningRate: 0.1),
                        SGDOptions(learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: true),
                        SGDOptions(learningRate: 0.02, momentum: 0.8, dampening: 0.1, weightDecay: 1e-4)]
        for (variantIndex, options) in variants.enumerated() {
            for size in sizes {
                var random = SeededGenerator(seed: UInt64(size + variantIndex))
                let p = random.floats(size), gradients = (0..<3).map { _ in random.floats(size) }
                try assertParity("SGD variant \(variantIndex) size \(size)", rtol: 1e-6, atol: 1e-6) { backend in
                    let parameter = try backend.tensor(p, shape: [size]), buffer = try backend.poisoned([size])
                    for (step, g) in gradients.enumerated() {
                        try backend.sgdStep(parameter: parameter, gradient: try backend.tensor(g, shape: [size]),
                                            momentumBuffer: buffer, options: options, isFirstStep: step == 0)
                    }
                    return options.momentum == 0 ? [parameter] : [parameter, buffer]
                }
            }
        }
    }

    func testAdamWMatchesTheCPUBackend() throws {
        let options = AdamWOptions(learningRate: 0.01, beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.05)
        for size in sizes {
            var random = SeededGenerator(seed: UInt64(size))
            let p = random.floats(size), gradients = (0..<3).map { _ in random.floats(size) }
            try assertParity("AdamW size \(size)", rtol: 2e-6, atol: 1e-7) { backend in
                let parameter = try backend.tensor(p, shape: [size])
                let m = try backend.full([size], value: 0), v = try backend.full([size], value: 0)
                for (step, g) in gradients.enumerated() {
                    try backend.adamWStep(parameter: parameter, gradient: try backend.tensor(g, shape: [size]),
                                          firstMoment: m, secondMoment: v, step: step + 1, options: options)
                }
                return [parameter, m, v]
            }
        }
    }
}
