import CondenseCore

/// `FakeQuantOps` on the CPU: the reference math in Float.
extension CPUBackend: FakeQuantOps {
    public func fakeQuantize(input: Tensor, scale: Tensor, zeroPoint: Tensor, axis: Int?, qmin: Int, qmax: Int,
                             output: Tensor) throws {
        let op = "fakeQuantize"
        let layout = try FakeQuantValidation.forward(input: input, scale: scale, zeroPoint: zeroPoint, axis: axis,
                                                     qmin: qmin, qmax: qmax, output: output, on: self)
        FakeQuantKernels.fakeQuantize(try input.cpuFloats(op), scale: try scale.cpuFloats(op),
                                        zeroPoint: try zeroPoint.cpuFloats(op), layout: layout, qmin: qmin,
                                        qmax: qmax, output: try output.cpuFloats(op))
    }

    public func fakeQuantizeBackward(input: Tensor, gradOutput: Tensor, scale: Tensor, zeroPoint: Tensor, axis: Int?,
                                     qmin: Int, qmax: Int, gradInput: Tensor, gradScale: Tensor?) throws {
        let op = "fakeQuantizeBackward"
        let layout = try FakeQuantValidation.backward(input: input, gradOutput: gradOutput, scale: scale,
                                                      zeroPoint: zeroPoint, axis: axis, qmin: qmin, qmax: qmax,
                                                      gradInput: gradInput, gradScale: gradScale, on: self)
        FakeQuantKernels.fakeQuantizeBackward(try input.cpuFloats(op), gradOutput: try gradOutput.cpuFloats(op),
                                                scale: try scale.cpuFloats(op), zeroPoint: try zeroPoint.cpuFloats(op),
                                                layout: layout, qmin: qmin, qmax: qmax,
                                                gradInput: try gradInput.cpuFloats(op),
                                                gradScale: try gradScale?.cpuFloats(op))
    }

    public func minMax(input: Tensor, axis: Int?, minimum: Tensor, maximum: Tensor) throws {
        let op = "minMax"
        let layout = try FakeQuantValidation.minMax(input: input, axis: axis, minimum: minimum, maximum: maximum,
                                                    on: self)
        FakeQuantKernels.minMax(try input.cpuFloats(op), layout: layout, minimum: try minimum.cpuFloats(op),
                                  maximum: try maximum.cpuFloats(op))
    }

    public func quantizationParameters(minimum: Tensor, maximum: Tensor, qmin: Int, qmax: Int, symmetric: Bool,
                                       scale: Tensor, zeroPoint: Tensor) throws {
        let op = "quantizationParameters"
        let count = try FakeQuantValidation.quantizationParameters(minimum: minimum, maximum: maximum, qmin: qmin,
                                                                   qmax: qmax, symmetric: symmetric, scale: scale,
                                                                   zeroPoint: zeroPoint, on: self)
        QuantizationPolicy.quantizationParameters(minimum: try minimum.cpuFloats(op),
                                                  maximum: try maximum.cpuFloats(op), count: count, qmin: qmin,
                                                  qmax: qmax, symmetric: symmetric, scale: try scale.cpuFloats(op),
                                                  zeroPoint: try zeroPoint.cpuFloats(op))
    }

    public func requantize(input: Tensor, multiplier: Tensor, zeroPoint: Int, axis: Int?, qmin: Int, qmax: Int,
                           output: Tensor) throws {
        let op = "requantize"
        let layout = try FakeQuantValidation.requantize(input: input, multiplier: multiplier, zeroPoint: zeroPoint,
                                                        axis: axis, qmin: qmin, qmax: qmax, output: output, on: self)
        FakeQuantKernels.requantize(try input.cpuFloats(op), multiplier: try multiplier.cpuFloats(op),
                                      zeroPoint: zeroPoint, layout: layout, qmin: qmin, qmax: qmax,
                                      output: try output.cpuFloats(op))
    }
}
