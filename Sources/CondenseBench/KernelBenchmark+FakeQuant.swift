import CondenseCore

extension KernelBenchmark {
    /// Fake quantization as QAT runs it at `batch`: a uint8 per-tensor activation of a MobileNetV2 expansion
    /// ([batch, 96, 14, 14]) forward and backward with LSQ, and int8 per-channel weights of a 3×3 convolution with
    /// 256 channels in and out (MobileNetV2's own weights are too small to measure bandwidth).
    static func fakeQuantizeCases(batch: Int) -> [Case] {
        let activation: Shape = [batch, 96, 14, 14], weight: Shape = [256, 256, 3, 3]
        let activationBytes = activation.count * 4, weightBytes = weight.count * 4
        func parameters(_ backend: Backend, channels: Int, scale: Float, zeroPoint: Float) throws -> (Tensor, Tensor) {
            (try backend.full([channels], value: scale), try backend.full([channels], value: zeroPoint))
        }
        return [
            Case(name: "fake_quantize_per_tensor_uint8_forward", bytes: 2 * activationBytes) { backend, generator in
                let input = try backend.tensor(generator.floats(activation.count, in: -3...3), shape: activation)
                let (scale, zeroPoint) = try parameters(backend, channels: 1, scale: 6 / 255, zeroPoint: 128)
                let output = try backend.allocate(activation, dtype: .float32)
                return ({ try backend.fakeQuantize(input: input, scale: scale, zeroPoint: zeroPoint, axis: nil,
                                                   qmin: 0, qmax: 255, output: output) }, output)
            },
            Case(name: "fake_quantize_per_tensor_uint8_backward_lsq", bytes: 3 * activationBytes) { backend, generator in
                let input = try backend.tensor(generator.floats(activation.count, in: -3...3), shape: activation)
                let gradOutput = try backend.tensor(generator.floats(activation.count), shape: activation)
                let (scale, zeroPoint) = try parameters(backend, channels: 1, scale: 6 / 255, zeroPoint: 128)
                let gradInput = try backend.allocate(activation, dtype: .float32)
                let gradScale = try backend.allocate([1], dtype: .float32)
                return ({ try backend.fakeQuantizeBackward(input: input, gradOutput: gradOutput, scale: scale,
                                                           zeroPoint: zeroPoint, axis: nil, qmin: 0, qmax: 255,
                                                           gradInput: gradInput, gradScale: gradScale) }, gradInput)
            },
            Case(name: "fake_quantize_per_channel_int8_forward", bytes: 2 * weightBytes) { backend, generator in
                let input = try backend.tensor(generator.floats(weight.count), shape: weight)
                let (scale, zeroPoint) = try parameters(backend, channels: weight[0], scale: 1 / 127, zeroPoint: 0)
                let output = try backend.allocate(weight, dtype: .float32)
                return ({ try backend.fakeQuantize(input: input, scale: scale, zeroPoint: zeroPoint, axis: 0,
                                                   qmin: -127, qmax: 127, output: output) }, output)
            },
        ]
    }
}
