import CondenseCore
import CondenseTestSupport
import XCTest

/// Convolution (im2col/col2im and CLBlast) on OpenCL against the CPU backend (im2col/col2im and OpenBLAS).
final class ConvParityTests: XCTestCase {
    func testForwardAndBothGradientsMatchTheCPUBackend() throws {
        for (index, c) in ConvTestCase.all.enumerated() {
            var random = SeededGenerator(seed: UInt64(200 + index))
            let x = random.floats(c.input.count), w = random.floats(c.weightShape.count)
            let b = random.floats(c.outputChannels), dy = random.floats(c.geometry.outputShape.count)
            let gpu = try TestDevices.openCL(), cpu = TestDevices.cpu
            var results: [[[Float]]] = []
            for backend in [cpu as Backend, gpu] {
                let input = try backend.tensor(x, shape: c.input), weight = try backend.tensor(w, shape: c.weightShape)
                let bias = c.bias ? try backend.tensor(b, shape: [b.count]) : nil
                let output = try backend.poisoned(c.geometry.outputShape), gradInput = try backend.poisoned(c.input)
                let gradWeight = try backend.poisoned(c.weightShape), gradBias = try backend.poisoned([b.count])
                let gradOutput = try backend.tensor(dy, shape: c.geometry.outputShape)
                try backend.conv2d(input: input, weight: weight, bias: bias, output: output, parameters: c.parameters)
                try backend.conv2dBackwardInput(gradOutput: gradOutput, weight: weight, gradInput: gradInput,
                                                parameters: c.parameters)
                try backend.conv2dBackwardWeight(input: input, gradOutput: gradOutput, gradWeight: gradWeight,
                                                 gradBias: gradBias, parameters: c.parameters)
                results.append(try [output, gradInput, gradWeight, gradBias].map { try $0.toHost() })
            }
            for (name, (actual, expected)) in zip(["output", "gradInput", "gradWeight", "gradBias"],
                                                  zip(results[1], results[0])) {
                XCTAssertFalse(actual.contains { $0.isNaN }, "\(c) \(name) has unwritten elements")
                XCTAssertLessThan(maxNormalizedError(actual, expected), 1e-5, "\(c) \(name)")
            }
        }
    }
}
