@testable import CondenseCPU
import CondenseCore
import CondenseTestSupport
import XCTest

/// The CPU backend's Winograd F(2×2, 3×3) path (3×3, stride-1, padding-1 convolutions) against direct convolution
/// loops on odd shapes (rows of up to 4 tiles, four tile rows per vector; up to 8, two rows; up to 16; more than 16;
/// with the last vector of a plane's rows full and part-full), in every C kernel
/// variant this processor runs, in chunks of every size, and its gradients against finite differences of its own
/// forward.
final class WinogradConvTests: XCTestCase {
    /// (batch, input channels, output channels, height, width).
    private let shapes: [(Int, Int, Int, Int, Int)] = [
        (1, 1, 3, 1, 1), (17, 3, 7, 5, 5), (1, 13, 1, 7, 7), (17, 7, 13, 7, 7), (3, 13, 3, 6, 4), (2, 3, 1, 1, 6),
        (2, 5, 3, 9, 18), (3, 2, 17, 13, 33), (1, 33, 7, 3, 31), (2, 5, 3, 15, 8), (2, 4, 6, 13, 14),
    ]
    private let parameters = Conv2dParameters(kernel: 3, padding: 1)

    private func geometry(_ shape: (Int, Int, Int, Int, Int)) -> WindowGeometry {
        WindowGeometry(input: [shape.0, shape.1, shape.3, shape.4], outputChannels: shape.2, kernel: (3, 3),
                       stride: (1, 1), padding: (1, 1), dilation: (1, 1))
    }

    func testTheBackendMatchesDirectConvolutionOnOddShapes() throws {
        for variant in 0...KernelVariants.widest { try KernelVariants.using(variant) { try checkOddShapes(variant) } }
    }

    private func checkOddShapes(_ variant: Int) throws {
        let backend = TestDevices.cpu
        for (index, shape) in shapes.enumerated() {
            let g = geometry(shape)
            XCTAssertNotNil(WinogradConvolution(g, parameters), "\(shape) takes the Winograd path")
            var random = SeededGenerator(seed: UInt64(900 + index))
            let x = random.floats(g.inputShape.count), w = random.floats(g.outputChannels * g.inputChannels * 9)
            let b = random.floats(g.outputChannels), dy = random.floats(g.outputShape.count)
            let weightShape: Shape = [g.outputChannels, g.inputChannels, 3, 3]
            let input = try backend.tensor(x, shape: g.inputShape), weight = try backend.tensor(w, shape: weightShape)
            let output = try backend.poisoned(g.outputShape), gradInput = try backend.poisoned(g.inputShape)
            let gradWeight = try backend.poisoned(weightShape)
            let gradOutput = try backend.tensor(dy, shape: g.outputShape)
            try backend.conv2d(input: input, weight: weight, bias: try backend.tensor(b, shape: [b.count]),
                               output: output, parameters: parameters)
            try backend.conv2dBackward(gradOutput: gradOutput, input: input, weight: weight, gradInput: gradInput,
                                       gradWeight: gradWeight, gradBias: nil, parameters: parameters)
            XCTAssertLessThan(maxNormalizedError(try output.toHost(),
                                                 ConvReference.forward(g, groups: 1, input: x, weight: w, bias: b)),
                              1e-6, "\(shape) output, variant \(variant)")
            XCTAssertLessThan(maxNormalizedError(try gradInput.toHost(),
                                                 ConvReference.backwardInput(g, groups: 1, gradOutput: dy, weight: w)),
                              1e-6, "\(shape) gradInput, variant \(variant)")
            XCTAssertLessThan(maxNormalizedError(try gradWeight.toHost(),
                                                 ConvReference.backwardWeight(g, groups: 1, input: x, gradOutput: dy)),
                              1e-6, "\(shape) gradWeight, variant \(variant)")
        }
    }

    /// Weight-gradient chunks of one sample up to all of a core's samples, with a short last chunk, give the same
    /// results.
    func testEveryChunkSizeMatchesDirectConvolution() {
        let g = geometry((17, 7, 13, 5, 5))
        var random = SeededGenerator(seed: 77)
        let x = random.floats(g.inputShape.count), w = random.floats(13 * 7 * 9)
        let dy = random.floats(g.outputShape.count)
        let expected = (ConvReference.forward(g, groups: 1, input: x, weight: w, bias: nil),
                        ConvReference.backwardInput(g, groups: 1, gradOutput: dy, weight: w),
                        ConvReference.backwardWeight(g, groups: 1, input: x, gradOutput: dy))
        for samples in [1, 2, 3, 5, 17] {
            // A chunk holds `samples` samples: (7 + 13) channels of 9 tiles each.
            let winograd = WinogradConvolution(g, parameters, chunkBudget: samples * 20 * 9)!
            XCTAssertEqual(winograd.chunk(20), samples)
            var y = [Float](repeating: .nan, count: g.outputShape.count), dx = [Float](repeating: .nan, count: x.count)
            var dw = [Float](repeating: .nan, count: w.count)
            winograd.forward(x, w, bias: nil, &y)
            winograd.inputGradient(dy, w, &dx)
            winograd.weightGradient(x, dy, &dw)
            XCTAssertLessThan(maxNormalizedError(y, expected.0), 1e-6, "output, chunks of \(samples)")
            XCTAssertLessThan(maxNormalizedError(dx, expected.1), 1e-6, "gradInput, chunks of \(samples)")
            XCTAssertLessThan(maxNormalizedError(dw, expected.2), 1e-6, "gradWeight, chunks of \(samples)")
        }
    }

    /// A sample's output and input gradient are the same bits whichever samples share its batch (evaluation at
    /// another batch size reproduces a checkpoint's predictions exactly).
    func testASampleDoesNotDependOnItsBatch() throws {
        let g = geometry((5, 13, 7, 7, 7)), single = geometry((1, 13, 7, 7, 7))
        var random = SeededGenerator(seed: 5)
        let x = random.floats(g.inputShape.count), w = random.floats(7 * 13 * 9)
        let dy = random.floats(g.outputShape.count)
        let batched = WinogradConvolution(g, parameters)!, alone = WinogradConvolution(single, parameters)!
        var y = [Float](repeating: 0, count: g.outputShape.count), dx = [Float](repeating: 0, count: x.count)
        batched.forward(x, w, bias: nil, &y)
        batched.inputGradient(dy, w, &dx)
        let (inputSize, outputSize) = (single.inputShape.count, single.outputShape.count)
        for n in 0..<g.batch {
            var ySample = [Float](repeating: 0, count: outputSize), dxSample = [Float](repeating: 0, count: inputSize)
            alone.forward(Array(x[n * inputSize..<(n + 1) * inputSize]), w, bias: nil, &ySample)
            alone.inputGradient(Array(dy[n * outputSize..<(n + 1) * outputSize]), w, &dxSample)
            XCTAssertEqual(ySample, Array(y[n * outputSize..<(n + 1) * outputSize]), "output of sample \(n)")
            XCTAssertEqual(dxSample, Array(dx[n * inputSize..<(n + 1) * inputSize]), "gradInput of sample \(n)")
        }
    }

    /// `L = Σ conv(x, w)·dy` is bilinear, so central differences of the backend's own forward are exact up to
    /// rounding: the backward passes must match them.
    func testGradientsMatchFiniteDifferencesOfTheForward() throws {
        let backend = TestDevices.cpu, g = geometry((2, 3, 7, 5, 5)), weightShape: Shape = [7, 3, 3, 3]
        var random = SeededGenerator(seed: 31)
        let x = random.floats(g.inputShape.count), w = random.floats(weightShape.count)
        let dy = random.floats(g.outputShape.count)
        func loss(_ x: [Double], _ w: [Double]) throws -> Double {
            let output = try backend.allocate(g.outputShape, dtype: .float32)
            try backend.conv2d(input: try backend.tensor(x.map(Float.init), shape: g.inputShape),
                               weight: try backend.tensor(w.map(Float.init), shape: weightShape), bias: nil,
                               output: output, parameters: parameters)
            return zip(try output.toHost(), dy).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let gradInput = try backend.poisoned(g.inputShape), gradWeight = try backend.poisoned(weightShape)
        let input = try backend.tensor(x, shape: g.inputShape), weight = try backend.tensor(w, shape: weightShape)
        let gradOutput = try backend.tensor(dy, shape: g.outputShape)
        try backend.conv2dBackward(gradOutput: gradOutput, input: input, weight: weight, gradInput: gradInput,
                                   gradWeight: gradWeight, gradBias: nil, parameters: parameters)
        let (xd, wd) = (x.map(Double.init), w.map(Double.init))
        let numericInput = try numericalGradient(of: { try loss($0, wd) }, at: xd, step: 0.5)
        let numericWeight = try numericalGradient(of: { try loss(xd, $0) }, at: wd, step: 0.5)
        assertClose(try gradInput.toHost().map(Double.init), numericInput, rtol: 1e-4, atol: 1e-4, "input")
        assertClose(try gradWeight.toHost().map(Double.init), numericWeight, rtol: 1e-4, atol: 1e-4, "weight")
    }
}
