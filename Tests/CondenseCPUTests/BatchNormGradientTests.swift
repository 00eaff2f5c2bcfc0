import CondenseCPU
import CondenseCore
import CondenseTestSupport
import XCTest

/// Batch-norm backward against finite differences of the Double training forward; running statistics by hand.
final class BatchNormGradientTests: XCTestCase {
    private let extents = try! BatchNormExtents("test", input: TestDevices.cpu.full([3, 2, 2, 2], value: 0),
                                                output: TestDevices.cpu.full([3, 2, 2, 2], value: 0), perChannel: [])

    /// Σ y ⊙ w of the training-mode forward in Double, for every channel.
    private func loss(_ x: [Double], gamma: [Double], beta: [Double], weights: [Double]) -> Double {
        var y = [Double](repeating: 0, count: x.count)
        for c in 0..<2 {
            let (mean, variance) = BatchNormReference.statistics(extents, channel: c, input: x)
            BatchNormReference.normalize(extents, channel: c, input: x, mean: mean,
                                         inverseStd: 1 / (variance + 1e-5).squareRoot(), gamma: gamma[c],
                                         beta: beta[c], activation: .none, output: &y)
        }
        return zip(y, weights).reduce(0) { $0 + $1.0 * $1.1 }
    }

    func testBackwardMatchesFiniteDifferences() {
        var random = SeededGenerator(seed: 77)
        let x = random.floats(24).map(Double.init), dy = random.floats(24).map(Double.init)
        let gamma = random.floats(2).map(Double.init), beta = random.floats(2).map(Double.init)
        var gradInput = [Double](repeating: .nan, count: 24), gradGamma = [Double](repeating: .nan, count: 2)
        var gradBeta = gradGamma
        for c in 0..<2 {
            let (mean, variance) = BatchNormReference.statistics(extents, channel: c, input: x)
            (gradGamma[c], gradBeta[c]) = BatchNormReference.backward(extents, channel: c, gradOutput: dy, input: x,
                                                                      gamma: gamma[c], mean: mean,
                                                                      inverseStd: 1 / (variance + 1e-5).squareRoot(),
                                                                      gradInput: &gradInput)
        }
        assertClose(gradInput, numericalGradient(of: { loss($0, gamma: gamma, beta: beta, weights: dy) }, at: x),
                    rtol: 1e-5, atol: 1e-7, "input")
        assertClose(gradGamma, numericalGradient(of: { loss(x, gamma: $0, beta: beta, weights: dy) }, at: gamma),
                    rtol: 1e-6, atol: 1e-8, "gamma")
        assertClose(gradBeta, numericalGradient(of: { loss(x, gamma: gamma, beta: $0, weights: dy) }, at: beta),
                    rtol: 1e-6, atol: 1e-8, "beta")
    }

    func testRunningStatisticsUseTheUnbiasedVariance() throws {
        let backend = TestDevices.cpu
        // One channel, values 1, 2, 3, 6: mean 3, biased variance 3.5, unbiased 14/3.
        let input = try backend.tensor([1, 2, 3, 6], shape: [2, 1, 1, 2])
        let runningMean = try backend.tensor([1], shape: [1]), runningVariance = try backend.tensor([2], shape: [1])
        let savedMean = try backend.poisoned([1]), savedInverseStd = try backend.poisoned([1])
        try backend.batchNormTraining(input: input, gamma: try backend.full([1], value: 1),
                                      beta: try backend.full([1], value: 0), runningMean: runningMean,
                                      runningVariance: runningVariance, momentum: 0.1, epsilon: 1e-5,
                                      output: try backend.poisoned([2, 1, 1, 2]), savedMean: savedMean,
                                      savedInverseStd: savedInverseStd, activation: .none)
        XCTAssertEqual(try runningMean.toHost()[0], 0.9 * 1 + 0.1 * 3, accuracy: 1e-6)
        XCTAssertEqual(try runningVariance.toHost()[0], 0.9 * 2 + 0.1 * 14 / 3, accuracy: 1e-6)
        XCTAssertEqual(try savedInverseStd.toHost()[0], 1 / (3.5 + 1e-5).squareRoot(), accuracy: 1e-6)
    }

    func testBadInputIsRejected() throws {
        let backend = TestDevices.cpu
        let input = try backend.full([2, 3, 2, 2], value: 1), c3 = try backend.full([3], value: 1)
        func reason(momentum: Float = 0.1, epsilon: Float = 1e-5, gamma: Tensor? = nil) -> String {
            do {
                try backend.batchNormTraining(input: input, gamma: gamma ?? c3, beta: c3, runningMean: c3,
                                              runningVariance: c3, momentum: momentum, epsilon: epsilon,
                                              output: try backend.allocate(input.shape, dtype: .float32),
                                              savedMean: c3, savedInverseStd: c3, activation: .none)
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(reason(momentum: 1.5).contains("momentum must be in [0, 1]"))
        XCTAssertTrue(reason(epsilon: 0).contains("epsilon must be > 0"))
        XCTAssertTrue(reason(gamma: try backend.full([4], value: 1)).contains("gamma [3]"))
        // The backward reads beta for its activation gate, so a beta of the wrong shape is named too.
        do {
            try backend.batchNormBackward(gradOutput: input, input: input, gamma: c3,
                                          beta: try backend.full([4], value: 1), savedMean: c3, savedInverseStd: c3, activation: .relu,
                                          gradInput: try backend.allocate(input.shape, dtype: .float32),
                                          gradGamma: c3, gradBeta: c3)
            XCTFail("a beta of shape [4] was accepted")
        } catch {
            XCTAssertTrue("\(error)".contains("beta [3]"), "\(error)")
        }
    }
}
