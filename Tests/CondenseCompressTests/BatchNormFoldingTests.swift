import CondenseCompress
import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// Batch-norm folding: a hand-computed case, and conv → BN in evaluation mode against one biased convolution with
/// the folded weights (plain, strided, depthwise, with and without a convolution bias).
final class BatchNormFoldingTests: XCTestCase {
    func testFoldMatchesHandComputedValues() throws {
        // One output channel of two weights: k = 2 / √(3 + 1) = 1, so w' = w, b' = 0.5 − 1·1 + 0.25·1 = −0.25;
        // the second channel: k = 3 / √(8 + 1) = 1, w' = w, b' = −1 − (−2 − 0.5)·1 = 1.5.
        let statistics = BatchNormFolding.Statistics(gamma: [2, 3], beta: [0.5, -1], mean: [1, -2], variance: [3, 8],
                                                     epsilon: 1)
        let folded = try BatchNormFolding.fold(weight: [1, -2, 4, 8], weightShape: [2, 2, 1, 1], bias: [0.25, 0.5],
                                               into: statistics)
        XCTAssertEqual(folded.weight, [1, -2, 4, 8])
        XCTAssertEqual(folded.bias, [-0.25, 1.5])

        // k = 1 / √(0.25 + 0) = 2 scales the weights; no conv bias: b' = β − μ·k = 0 − 1·2.
        let scaled = try BatchNormFolding.fold(weight: [1, 3], weightShape: [1, 2, 1, 1], bias: nil,
                                               into: .init(gamma: [1], beta: [0], mean: [1], variance: [0.25], epsilon: 0))
        XCTAssertEqual(scaled.weight, [2, 6])
        XCTAssertEqual(scaled.bias, [-2])
    }

    func testFoldedConvolutionEqualsConvolutionThenBatchNorm() throws {
        let backend = TestDevices.cpu
        // (in, out, kernel, stride, padding, groups, conv bias)
        let cases = [(3, 5, 3, 1, 1, 1, false), (4, 6, 3, 2, 1, 2, true), (6, 6, 3, 1, 1, 6, false),
                     (4, 8, 1, 1, 0, 1, true)]
        var random = SeededGenerator(seed: 11)
        for (index, (inChannels, outChannels, kernel, stride, padding, groups, hasBias)) in cases.enumerated() {
            var initializer = Initializer(seed: UInt64(index))
            let conv = try Conv2d(inChannels, outChannels, kernel: kernel, stride: stride, padding: padding,
                                  groups: groups, bias: hasBias, on: backend, initializer: &initializer)
            if let bias = conv.bias { try bias.assign(try backend.tensor(random.floats(outChannels), shape: [outChannels])) }
            let batchNorm = try BatchNorm2d(outChannels, on: backend)
            for (variable, range) in [(batchNorm.weight, Float(0.5)...2), (batchNorm.bias, -1...1),
                                      (batchNorm.runningMean, -0.5...0.5), (batchNorm.runningVariance, 0.1...3)] {
                try variable.assign(try backend.tensor(random.floats(outChannels, in: range), shape: [outChannels]))
            }
            let reference = Sequential([conv, batchNorm])
            reference.train(false)

            let folded = try BatchNormFolding.fold(conv, batchNorm)
            let fused = try Conv2d(inChannels, outChannels, kernel: kernel, stride: stride, padding: padding,
                                   groups: groups, bias: true, on: backend, initializer: &initializer)
            try fused.weight.assign(try backend.tensor(folded.weight, shape: conv.weight.shape))
            try fused.bias!.assign(try backend.tensor(folded.bias, shape: [outChannels]))

            let input = Variable(try backend.tensor(random.floats(2 * inChannels * 7 * 7), shape: [2, inChannels, 7, 7]))
            try assertClose(try fused(input).value, try reference(input).value, rtol: 1e-5, atol: 1e-5, "case \(index)")
        }
    }

    func testMismatchedStatisticsAreRejected() {
        let statistics = BatchNormFolding.Statistics(gamma: [1], beta: [0], mean: [0], variance: [1])
        XCTAssertThrowsError(try BatchNormFolding.fold(weight: [1, 2], weightShape: [2, 1, 1, 1], bias: nil,
                                                       into: statistics)) { error in
            XCTAssertTrue("\(error)".contains("gamma of 2 values"), "\(error)")
        }
        XCTAssertThrowsError(try BatchNormFolding.fold(weight: [1], weightShape: [1, 1, 1, 1], bias: nil,
                                                       into: .init(gamma: [1], beta: [0], mean: [0], variance: [-1],
                                                                   epsilon: 0)))
    }
}
