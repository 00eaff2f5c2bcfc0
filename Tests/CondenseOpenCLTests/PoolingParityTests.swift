import CondenseCore
import CondenseTestSupport
import XCTest

/// Pooling: OpenCL against the CPU backend, including overlapping windows and padding.
final class PoolingParityTests: XCTestCase {
    func testEveryOpMatchesTheCPUBackend() throws {
        let cases: [(Shape, Pool2dParameters)] = [
            ([1, 3, 5, 5], .init(kernel: 2)), ([17, 7, 7, 9], .init(kernel: 3, stride: 2, padding: 1)),
            ([2, 13, 5, 5], .init(kernel: 3, stride: 1, padding: 1)), ([3, 33, 1, 1], .init(kernel: 1)),
            ([2, 1, 9, 7], .init(kernel: 5, stride: 2, padding: 2)),
        ]
        for (index, (shape, parameters)) in cases.enumerated() {
            var random = SeededGenerator(seed: UInt64(500 + index))
            let x = random.floats(shape.count)
            let g = WindowGeometry(input: shape, outputChannels: shape[1],
                                   kernel: (parameters.kernelHeight, parameters.kernelWidth),
                                   stride: (parameters.strideHeight, parameters.strideWidth),
                                   padding: (parameters.paddingHeight, parameters.paddingWidth), dilation: (1, 1))
            let dy = random.floats(g.outputShape.count), pooledGradient = random.floats(shape[0] * shape[1])
            try assertParity("pooling \(shape) \(parameters)", rtol: 1e-6, atol: 1e-6) { backend in
                let input = try backend.tensor(x, shape: shape), gradOutput = try backend.tensor(dy, shape: g.outputShape)
                let maxima = try backend.poisoned(g.outputShape)
                let indices = try backend.allocate(g.outputShape, dtype: .int32)
                let maxGradient = try backend.poisoned(shape)
                try backend.maxPool2d(input: input, output: maxima, indices: indices, parameters: parameters)
                try backend.maxPool2dBackward(gradOutput: gradOutput, indices: indices, gradInput: maxGradient,
                                              parameters: parameters)
                let pooled = try backend.poisoned([shape[0], shape[1]]), globalGradient = try backend.poisoned(shape)
                try backend.globalAveragePool(input: input, output: pooled)
                try backend.globalAveragePoolBackward(gradOutput: try backend.tensor(pooledGradient, shape: pooled.shape),
                                                      gradInput: globalGradient)
                return [maxima, maxGradient, pooled, globalGradient]
            }
        }
    }
}
