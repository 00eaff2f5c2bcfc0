import CondenseCore

extension KernelBenchmark {
    /// The depthwise 3×3 of a MobileNetV2 block at `batch` (128 in training here): 96 channels (width 0.35's 6×
    /// expansion of 16) on 14×14 maps, stride 1, fused bias and ReLU6.
    static func depthwiseConvCases(batch n: Int) -> [Case] {
        let (c, h, w) = (96, 14, 14), mapBytes = n * c * h * w * 4
        let parameters = DepthwiseConv2dParameters(kernel: 3, padding: 1, activation: .relu6)
        func tensors(_ backend: Backend, _ generator: inout InputGenerator) throws -> (Tensor, Tensor, Tensor, Tensor) {
            (try backend.tensor(generator.floats(n * c * h * w), shape: [n, c, h, w]),
             try backend.tensor(generator.floats(c * 9), shape: [c, 1, 3, 3]),
             try backend.tensor(generator.floats(c), shape: [c]),
             try backend.tensor(generator.floats(n * c * h * w), shape: [n, c, h, w]))
        }
        return [
            Case(name: "depthwise_conv2d_forward", bytes: 2 * mapBytes) { backend, generator in
                let (input, weight, bias, _) = try tensors(backend, &generator)
                let output = try backend.allocate(input.shape, dtype: .float32)
                return ({ try backend.depthwiseConv2d(input: input, weight: weight, bias: bias, output: output,
                                                      parameters: parameters) }, output)
            },
            Case(name: "depthwise_conv2d_backward_input", bytes: 2 * mapBytes) { backend, generator in
                let (_, weight, _, gradOutput) = try tensors(backend, &generator)
                let gradInput = try backend.allocate(gradOutput.shape, dtype: .float32)
                return ({ try backend.depthwiseConv2dBackwardInput(gradOutput: gradOutput, weight: weight,
                                                                   gradInput: gradInput, parameters: parameters) },
                        gradInput)
            },
            Case(name: "depthwise_conv2d_backward_weight", bytes: 2 * mapBytes) { backend, generator in
                let (input, weight, bias, gradOutput) = try tensors(backend, &generator)
                let gradWeight = try backend.allocate(weight.shape, dtype: .float32)
                let gradBias = try backend.allocate(bias.shape, dtype: .float32)
                return ({ try backend.depthwiseConv2dBackwardWeight(input: input, gradOutput: gradOutput,
                                                                    gradWeight: gradWeight, gradBias: gradBias,
                                                                    parameters: parameters) }, gradWeight)
            },
        ]
    }
}
