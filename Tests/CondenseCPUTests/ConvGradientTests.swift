import CondenseCPU
import CondenseCore
import CondenseTestSupport
import XCTest

/// The GEMM formulation against direct convolution loops, the direct loops' gradients against finite differences,
/// and bad input.
final class ConvGradientTests: XCTestCase {
    func testTheCPUBackendMatchesDirectConvolution() throws {
        let backend = TestDevices.cpu
        for (index, c) in ConvTestCase.all.enumerated() {
            var random = SeededGenerator(seed: UInt64(300 + index))
            let x = random.floats(c.input.count), w = random.floats(c.weightShape.count)
            let b = random.floats(c.outputChannels), dy = random.floats(c.geometry.outputShape.count)
            let g = c.geometry, groups = c.parameters.groups
            let input = try backend.tensor(x, shape: c.input), weight = try backend.tensor(w, shape: c.weightShape)
            let output = try backend.poisoned(g.outputShape), gradInput = try backend.poisoned(c.input)
            let gradWeight = try backend.poisoned(c.weightShape)
            let gradOutput = try backend.tensor(dy, shape: g.outputShape)
            try backend.conv2d(input: input, weight: weight, bias: try backend.tensor(b, shape: [b.count]),
                               output: output, parameters: c.parameters)
            try backend.conv2dBackward(gradOutput: gradOutput, input: input, weight: weight, gradInput: gradInput,
                                       gradWeight: gradWeight, gradBias: nil, parameters: c.parameters)
            XCTAssertLessThan(maxNormalizedError(try output.toHost(),
                                                 ConvReference.forward(g, groups: groups, input: x, weight: w, bias: b)),
                              1e-6, "\(c) output")
            XCTAssertLessThan(maxNormalizedError(try gradInput.toHost(),
                                                 ConvReference.backwardInput(g, groups: groups, gradOutput: dy, weight: w)),
                              1e-6, "\(c) gradInput")
            XCTAssertLessThan(maxNormalizedError(try gradWeight.toHost(),
                                                 ConvReference.backwardWeight(g, groups: groups, input: x, gradOutput: dy)),
                              1e-6, "\(c) gradWeight")
        }
    }

    func testDirectGradientsMatchFiniteDifferences() {
        let c = ConvTestCase.all[4]  // grouped, dilated, strided, asymmetric
        let g = c.geometry, groups = c.parameters.groups
        var random = SeededGenerator(seed: 17)
        let x = random.floats(c.input.count).map(Double.init), w = random.floats(c.weightShape.count).map(Double.init)
        let dy = random.floats(g.outputShape.count).map(Double.init)
        func loss(_ x: [Double], _ w: [Double]) -> Double {
            zip(ConvReference.forward(g, groups: groups, input: x, weight: w, bias: nil), dy).reduce(0) { $0 + $1.0 * $1.1 }
        }
        assertClose(ConvReference.backwardInput(g, groups: groups, gradOutput: dy, weight: w),
                    numericalGradient(of: { loss($0, w) }, at: x), rtol: 1e-6, atol: 1e-8, "input")
        assertClose(ConvReference.backwardWeight(g, groups: groups, input: x, gradOutput: dy),
                    numericalGradient(of: { loss(x, $0) }, at: w), rtol: 1e-6, atol: 1e-8, "weight")
    }

    func testBadInputIsRejected() throws {
        let backend = TestDevices.cpu
        let input = try backend.full([1, 4, 5, 5], value: 1)
        func reason(_ p: Conv2dParameters, weight: Shape = [6, 4, 3, 3], output: Shape = [1, 6, 3, 3]) -> String {
            do {
                try backend.conv2d(input: input, weight: try backend.full(weight, value: 1), bias: nil,
                                   output: try backend.allocate(output, dtype: .float32), parameters: p)
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(reason(.init(kernel: 3)), "no error")
        XCTAssertTrue(reason(.init(kernel: 3, stride: 0)).contains("stride must be ≥ 1"))
        XCTAssertTrue(reason(.init(kernel: 3, groups: 3), weight: [6, 1, 3, 3]).contains("groups 3 must divide"))
        XCTAssertTrue(reason(.init(kernel: 3), weight: [6, 3, 3, 3]).contains("weight [6, 4, 3, 3]"))
        XCTAssertTrue(reason(.init(kernel: 3), output: [1, 6, 5, 5]).contains("output [1, 6, 3, 3]"))
        XCTAssertTrue(reason(.init(kernel: 7), weight: [6, 4, 7, 7]).contains("does not fit"))
    }
}
