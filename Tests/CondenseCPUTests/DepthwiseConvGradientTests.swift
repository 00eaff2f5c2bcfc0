import CondenseCPU
import CondenseCore
import CondenseTestSupport
import XCTest

/// Depthwise backward passes against central finite differences of the Double forward, and bad input.
final class DepthwiseConvGradientTests: XCTestCase {
    private let geometry = WindowGeometry(input: [2, 3, 5, 4], outputChannels: 6, kernel: (3, 2), stride: (2, 1),
                                          padding: (1, 1), dilation: (1, 2))

    func testGradientsMatchFiniteDifferences() {
        var random = SeededGenerator(seed: 9)
        let g = geometry
        let x = random.floats(g.inputShape.count).map(Double.init)
        let w = random.floats(g.outputChannels * 6).map(Double.init), b = random.floats(6).map(Double.init)
        let dy = random.floats(g.outputShape.count).map(Double.init)
        // L = Σ forward(x, w, b) ⊙ dy, so ∂L/∂(x, w, b) are exactly the backward passes fed with dy.
        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            var y = [Double](repeating: 0, count: g.outputShape.count)
            DepthwiseConvReference.forward(g, multiplier: 2, activation: .none, input: x, weight: w, bias: b,
                                           output: &y)
            return zip(y, dy).reduce(0) { $0 + $1.0 * $1.1 }
        }
        var gradInput = [Double](repeating: .nan, count: x.count)
        var gradWeight = [Double](repeating: .nan, count: w.count), gradBias = [Double](repeating: .nan, count: 6)
        DepthwiseConvReference.backwardInput(g, multiplier: 2, gradOutput: dy, weight: w, gradInput: &gradInput)
        DepthwiseConvReference.backwardWeight(g, multiplier: 2, input: x, gradOutput: dy, gradWeight: &gradWeight,
                                              gradBias: &gradBias)
        assertClose(gradInput, numericalGradient(of: { loss($0, w, b) }, at: x), rtol: 1e-6, atol: 1e-8, "input")
        assertClose(gradWeight, numericalGradient(of: { loss(x, $0, b) }, at: w), rtol: 1e-6, atol: 1e-8, "weight")
        assertClose(gradBias, numericalGradient(of: { loss(x, w, $0) }, at: b), rtol: 1e-6, atol: 1e-8, "bias")
    }

    func testFusedReLU6ClampsTheOutput() throws {
        let backend = TestDevices.cpu
        let input = try backend.tensor([-4, 1, 5, 9], shape: [1, 1, 2, 2])
        let weight = try backend.tensor([1], shape: [1, 1, 1, 1])
        let output = try backend.poisoned([1, 1, 2, 2])
        try backend.depthwiseConv2d(input: input, weight: weight, bias: nil, output: output,
                                    parameters: .init(kernel: 1, activation: .relu6))
        XCTAssertEqual(try output.toHost(), [0, 1, 5, 6])
    }

    func testBadInputIsRejectedWithTheReason() throws {
        let backend = TestDevices.cpu
        let input = try backend.full([1, 2, 5, 5], value: 1), weight = try backend.full([2, 1, 3, 3], value: 1)
        let output = try backend.allocate([1, 2, 5, 5], dtype: .float32)
        func reason(_ parameters: DepthwiseConv2dParameters, weight: Tensor? = nil, output: Tensor? = nil) -> String {
            do {
                try backend.depthwiseConv2d(input: input, weight: weight ?? weightTensor, bias: nil,
                                            output: output ?? outputTensor, parameters: parameters)
                return "no error"
            } catch { return "\(error)" }
        }
        let weightTensor = weight, outputTensor = output
        XCTAssertTrue(reason(.init(kernel: 3, stride: 0, padding: 1)).contains("stride must be ≥ 1"))
        XCTAssertTrue(reason(.init(kernel: 3, padding: -1)).contains("padding must be ≥ 0"))
        XCTAssertTrue(reason(.init(kernel: 7)).contains("does not fit"))
        XCTAssertTrue(reason(.init(kernel: 3, padding: 1, multiplier: 0)).contains("multiplier must be ≥ 1"))
        XCTAssertTrue(reason(.init(kernel: 3, padding: 1), weight: try backend.full([2, 1, 5, 5], value: 1))
            .contains("weight [2, 1, 3, 3]"))
        XCTAssertTrue(reason(.init(kernel: 3, padding: 0)).contains("output [1, 2, 3, 3]"))
    }
}
