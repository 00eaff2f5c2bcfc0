import CondenseCore
import CondenseTestSupport
import XCTest

/// Depthwise convolution: OpenCL against the CPU backend on odd shapes, and both against JAX. Each comparison runs
/// with both chunk tilings, so the banded kernels (GPU tiling, and CPU layers the row kernels do not take) and the
/// row kernels (CPU tiling, rows of at most 31) are both checked.
final class DepthwiseConvParityTests: XCTestCase {
    private struct Case {
        let batch: Int, channels: Int, height: Int, width: Int
        let parameters: DepthwiseConv2dParameters
        let bias: Bool
    }

    private var cases: [Case] {
        [
            Case(batch: 1, channels: 1, height: 5, width: 5, parameters: .init(kernel: 3, padding: 1), bias: false),
            // 4×5 outputs: on the CPU tiling the weight gradient sums blocks of 8, 8 and 1 samples per work-item.
            Case(batch: 17, channels: 3, height: 7, width: 9, parameters: .init(kernel: 3, stride: 2, padding: 1,
                                                                                activation: .relu6), bias: true),
            Case(batch: 2, channels: 7, height: 5, width: 5, parameters: .init(kernel: 5, padding: 2, multiplier: 2),
                 bias: true),
            Case(batch: 3, channels: 13, height: 1, width: 1, parameters: .init(kernel: 1), bias: true),
            Case(batch: 2, channels: 33, height: 7, width: 9, parameters: .init(kernel: 3, padding: 2, dilation: 2),
                 bias: false),
            Case(batch: 1, channels: 3, height: 9, width: 7,
                 parameters: .init(kernel: (3, 5), stride: (1, 2), padding: (0, 2), dilation: (2, 1), multiplier: 3),
                 bias: true),
            // Maps taller than one band of the banded kernels (about 1024 outputs): 45 rows of 40, and a strided
            // layer whose input gradient (33 rows of 40) spans two bands.
            Case(batch: 2, channels: 3, height: 45, width: 40, parameters: .init(kernel: 3, padding: 1,
                                                                                 activation: .relu), bias: true),
            Case(batch: 1, channels: 2, height: 33, width: 40, parameters: .init(kernel: 3, stride: 2, padding: 1),
                 bias: false),
            // Padding wider than the kernel reaches: the input gradient's tile starts inside the output gradient.
            Case(batch: 2, channels: 2, height: 4, width: 4, parameters: .init(kernel: 1, padding: 1), bias: true),
            // The row kernels (CPU tiling, rows of at most 31): rows of 15 (stored as 8 + 4 + 2 + 1 lanes)
            // over 19 rows (blocks of 8, 8 and 3); rows of exactly 16 with a multiplier; the widest kernel they
            // unroll (7 taps along a row); then rows in two halves: 28 at stride 1 (MobileNetV2's first block) over
            // 11 rows (blocks of 4), 28 → 14 at stride 2 (whose input gradient has two halves), 31 (no spare lane
            // in the first half, the zero lane the row's last) with a 5-wide stride-2 kernel and a multiplier, and
            // 17 with dilation 2.
            Case(batch: 2, channels: 5, height: 19, width: 15, parameters: .init(kernel: 3, padding: 1,
                                                                                 activation: .relu6), bias: true),
            Case(batch: 3, channels: 3, height: 10, width: 16, parameters: .init(kernel: 3, padding: 1, multiplier: 2,
                                                                                 activation: .relu), bias: true),
            Case(batch: 2, channels: 3, height: 6, width: 12,
                 parameters: .init(kernel: (1, 7), stride: (1, 1), padding: (0, 3), dilation: (1, 1)), bias: false),
            Case(batch: 3, channels: 2, height: 11, width: 28, parameters: .init(kernel: 3, padding: 1,
                                                                                 activation: .relu6), bias: true),
            Case(batch: 17, channels: 3, height: 9, width: 28, parameters: .init(kernel: 3, stride: 2, padding: 1),
                 bias: false),
            Case(batch: 2, channels: 2, height: 7, width: 31, parameters: .init(kernel: 5, stride: 2, padding: 2,
                                                                                multiplier: 2), bias: true),
            Case(batch: 2, channels: 3, height: 5, width: 17, parameters: .init(kernel: 3, padding: 2, dilation: 2),
                 bias: false),
        ]
    }

    func testEveryOpMatchesTheCPUBackend() throws {
        for (index, c) in cases.enumerated() {
            var random = SeededGenerator(seed: UInt64(100 + index))
            let p = c.parameters
            let inputShape: Shape = [c.batch, c.channels, c.height, c.width]
            let geometry = WindowGeometry(input: inputShape, outputChannels: c.channels * p.multiplier,
                                          kernel: (p.kernelHeight, p.kernelWidth), stride: (p.strideHeight, p.strideWidth),
                                          padding: (p.paddingHeight, p.paddingWidth),
                                          dilation: (p.dilationHeight, p.dilationWidth))
            let x = random.floats(inputShape.count), w = random.floats(c.channels * p.multiplier * p.kernelHeight * p.kernelWidth)
            let b = random.floats(c.channels * p.multiplier), dy = random.floats(geometry.outputShape.count)
            // The weight and bias gradients sum N·OH·OW products of values in [-1, 1] in different orders on the two
            // backends: a few thousand of them move a cancelling sum by ~1e-5 absolute.
            let atol: Float = geometry.outputShape.count / (c.channels * p.multiplier) > 1000 ? 1e-4 : 1e-5
            try assertParityForEachTiling("depthwise case \(index)", rtol: 1e-5, atol: atol) { backend in
                let input = try backend.tensor(x, shape: inputShape)
                let weight = try backend.tensor(w, shape: [c.channels * p.multiplier, 1, p.kernelHeight, p.kernelWidth])
                let bias = c.bias ? try backend.tensor(b, shape: [b.count]) : nil
                let gradOutput = try backend.tensor(dy, shape: geometry.outputShape)
                let output = try backend.poisoned(geometry.outputShape), gradInput = try backend.poisoned(inputShape)
                let gradWeight = try backend.poisoned(weight.shape), gradBias = try backend.poisoned([b.count])
                try backend.depthwiseConv2d(input: input, weight: weight, bias: bias, output: output, parameters: p)
                try backend.depthwiseConv2dBackwardInput(gradOutput: gradOutput, weight: weight, gradInput: gradInput,
                                                         parameters: p)
                try backend.depthwiseConv2dBackwardWeight(input: input, gradOutput: gradOutput, gradWeight: gradWeight,
                                                          gradBias: gradBias, parameters: p)
                return [output, gradInput, gradWeight, gradBias]
            }
        }
    }

    func testBothBackendsMatchJAX() throws {
        let p = DepthwiseConv2dParameters(kernel: 3, stride: 2, padding: 1, dilation: 2, multiplier: 2)
        func load(_ name: String, on backend: Backend) throws -> Tensor {
            let array = try Fixtures.array("depthwise_conv", name)
            return try backend.tensor(array.floats(), shape: Shape(array.shape))
        }
        for backend in [TestDevices.cpu as Backend, try TestDevices.openCL()] {
            let input = try load("input", on: backend), weight = try load("weight", on: backend)
            let bias = try load("bias", on: backend), gradOutput = try load("grad_output", on: backend)
            let output = try backend.poisoned(gradOutput.shape), gradInput = try backend.poisoned(input.shape)
            let gradWeight = try backend.poisoned(weight.shape), gradBias = try backend.poisoned(bias.shape)
            try backend.depthwiseConv2d(input: input, weight: weight, bias: bias, output: output, parameters: p)
            try backend.depthwiseConv2dBackwardInput(gradOutput: gradOutput, weight: weight, gradInput: gradInput,
                                                     parameters: p)
            try backend.depthwiseConv2dBackwardWeight(input: input, gradOutput: gradOutput, gradWeight: gradWeight,
                                                      gradBias: gradBias, parameters: p)
            for (name, tensor) in [("output", output), ("grad_input", gradInput), ("grad_weight", gradWeight),
                                   ("grad_bias", gradBias)] {
                try assertClose(tensor, try load(name, on: backend), rtol: 1e-5, atol: 1e-6, "\(backend.name) \(name)")
            }
        }
    }
}
