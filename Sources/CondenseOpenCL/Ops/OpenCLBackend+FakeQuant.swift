import CondenseCore

/// `FakeQuantOps` through `Kernels/fake_quant.cl`: the forward one work-item per element; the backward and min/max
/// in work-groups per channel, whose sums (the LSQ scale gradient) and extrema are finished on the device by a
/// second one-work-group-per-channel pass when a channel spans several groups. Nothing is read back.
///
/// Scale values are not validated (that would need a read-back mid-step); `quantizationParameters` guarantees
/// positive scales by clamping them to ≥ 1.1920929e-7.
extension OpenCLBackend: FakeQuantOps {
    public func fakeQuantize(input: Tensor, scale: Tensor, zeroPoint: Tensor, axis: Int?, qmin: Int, qmax: Int,
                             output: Tensor) throws {
        let layout = try FakeQuantValidation.forward(input: input, scale: scale, zeroPoint: zeroPoint, axis: axis,
                                                     qmin: qmin, qmax: qmax, output: output, on: self)
        let group = 64
        try launch("fake_quant_forward", file: "fake_quant", defines: ["PER_CHANNEL": layout.isPerChannel ? 1 : 0],
                   arguments: [.buffer(input), .buffer(scale), .buffer(zeroPoint), .buffer(output), .int(layout.count),
                               .int(layout.inner), .int(layout.channels), .float(Float(qmin)), .float(Float(qmax))],
                   global: [roundUp(layout.count, toMultipleOf: group)], local: [group])
    }

    public func fakeQuantizeBackward(input: Tensor, gradOutput: Tensor, scale: Tensor, zeroPoint: Tensor, axis: Int?,
                                     qmin: Int, qmax: Int, gradInput: Tensor, gradScale: Tensor?) throws {
        let layout = try FakeQuantValidation.backward(input: input, gradOutput: gradOutput, scale: scale,
                                                      zeroPoint: zeroPoint, axis: axis, qmin: qmin, qmax: qmax,
                                                      gradInput: gradInput, gradScale: gradScale, on: self)
        let (group, groups) = Self.fakeQuantGrouping(layout)
        let defines = ["PER_CHANNEL": layout.isPerChannel ? 1 : 0, "LSQ": gradScale == nil ? 0 : 1, "WG": group]
        let partial = try gradScale.map { groups == 1 ? $0 : try allocate([layout.channels * groups], dtype: .float32) }
        let gradFactor = Float(FakeQuantReference.gradientFactor(layout, qmax: qmax))
        try launch("fake_quant_backward", file: "fake_quant", defines: defines,
                   arguments: [.buffer(input), .buffer(gradOutput), .buffer(scale), .buffer(zeroPoint),
                               .buffer(gradInput), .buffer(partial ?? gradInput), .int(layout.perChannel),
                               .int(layout.inner), .int(layout.channels), .int(groups), .float(Float(qmin)),
                               .float(Float(qmax)), .float(gradFactor)],
                   global: [layout.channels * groups * group], local: [group])
        if let gradScale, let partial, groups > 1 {
            try launch("sum_partials", file: "fake_quant", defines: defines,
                       arguments: [.buffer(partial), .buffer(gradScale), .int(groups)],
                       global: [layout.channels * group], local: [group])
        }
    }

    public func minMax(input: Tensor, axis: Int?, minimum: Tensor, maximum: Tensor) throws {
        let layout = try FakeQuantValidation.minMax(input: input, axis: axis, minimum: minimum, maximum: maximum,
                                                    on: self)
        let (group, groups) = Self.fakeQuantGrouping(layout)
        let defines = ["PER_CHANNEL": layout.isPerChannel ? 1 : 0, "WG": group]
        let partialMin = groups == 1 ? minimum : try allocate([layout.channels * groups], dtype: .float32)
        let partialMax = groups == 1 ? maximum : try allocate([layout.channels * groups], dtype: .float32)
        try launch("min_max_partial", file: "fake_quant", defines: defines,
                   arguments: [.buffer(input), .buffer(partialMin), .buffer(partialMax), .int(layout.perChannel),
                               .int(layout.inner), .int(layout.channels), .int(groups)],
                   global: [layout.channels * groups * group], local: [group])
        if groups > 1 {
            try launch("min_max_partials", file: "fake_quant", defines: defines,
                       arguments: [.buffer(partialMin), .buffer(partialMax), .buffer(minimum), .buffer(maximum),
                                   .int(groups)],
                       global: [layout.channels * group], local: [group])
        }
    }

    public func quantizationParameters(minimum: Tensor, maximum: Tensor, qmin: Int, qmax: Int, symmetric: Bool,
                                       scale: Tensor, zeroPoint: Tensor) throws {
        let count = try FakeQuantValidation.quantizationParameters(minimum: minimum, maximum: maximum, qmin: qmin,
                                                                   qmax: qmax, symmetric: symmetric, scale: scale,
                                                                   zeroPoint: zeroPoint, on: self)
        let group = 64
        let symmetricZero = Float(FakeQuantReference.symmetricZeroPoint(qmin: qmin, qmax: qmax))
        try launch("quant_params", file: "fake_quant",
                   arguments: [.buffer(minimum), .buffer(maximum), .buffer(scale), .buffer(zeroPoint), .int(count),
                               .float(Float(qmin)), .float(Float(qmax)), .int(symmetric ? 1 : 0),
                               .float(symmetricZero), .float(FakeQuantReference.minimumScale)],
                   global: [roundUp(count, toMultipleOf: group)], local: [group])
    }

    public func requantize(input: Tensor, multiplier: Tensor, zeroPoint: Int, axis: Int?, qmin: Int, qmax: Int,
                           output: Tensor) throws {
        let layout = try FakeQuantValidation.requantize(input: input, multiplier: multiplier, zeroPoint: zeroPoint,
                                                        axis: axis, qmin: qmin, qmax: qmax, output: output, on: self)
        let group = 64
        try launch("requantize", file: "fake_quant", defines: ["PER_CHANNEL": layout.isPerChannel ? 1 : 0],
                   arguments: [.buffer(input), .buffer(multiplier), .buffer(output), .int(layout.count),
                               .int(layout.inner), .int(layout.channels), .float(Float(zeroPoint)),
                               .float(Float(qmin)), .float(Float(qmax))],
                   global: [roundUp(layout.count, toMultipleOf: group)], local: [group])
    }

    // MARK: - Launch helpers

    /// Work-group size and groups per channel for the grouped kernels: the group is the next power of two of the
    /// elements per channel from 32 to 256; a long channel is split over up to ~8 elements per work-item, at most
    /// about 1024 groups in all (the second pass reduces them per channel).
    static func fakeQuantGrouping(_ layout: FakeQuantLayout) -> (group: Int, groups: Int) {
        var group = 32
        while group < layout.perChannel, group < 256 { group *= 2 }
        let groups = max(1, min(ceilDiv(layout.perChannel, group * 8), ceilDiv(1024, layout.channels)))
        return (group, groups)
    }
}
