import CondenseCore

/// `FakeQuantOps` through `Kernels/fake_quant.cl`: the elementwise kernels (forward, backward, requantize) one chunk
/// of a row per work-item (`tiling`); the LSQ scale gradient as one partial per work-group and min/max in work-groups
/// per channel, finished on the device by a second one-work-group-per-channel pass. Nothing is read back.
///
/// Scale values are not validated (that would need a read-back mid-step); `quantizationParameters` guarantees
/// positive scales by clamping them to ≥ 1.1920929e-7.
extension OpenCLBackend: FakeQuantOps {
    public func fakeQuantize(input: Tensor, scale: Tensor, zeroPoint: Tensor, axis: Int?, qmin: Int, qmax: Int,
                             output: Tensor) throws {
        let layout = try FakeQuantValidation.forward(input: input, scale: scale, zeroPoint: zeroPoint, axis: axis,
                                                     qmin: qmin, qmax: qmax, output: output, on: self)
        try launch("fake_quant_forward", file: "fake_quant", defines: elementwiseDefines(layout),
                   arguments: [.buffer(input), .buffer(scale), .buffer(zeroPoint), .buffer(output),
                               .int(layout.inner), .int(layout.channels), .float(Float(qmin)), .float(Float(qmax))],
                   global: elementwiseRange(layout).global, local: elementwiseRange(layout).local)
    }

    public func fakeQuantizeBackward(input: Tensor, gradOutput: Tensor, scale: Tensor, zeroPoint: Tensor, axis: Int?,
                                     qmin: Int, qmax: Int, gradInput: Tensor, gradScale: Tensor?) throws {
        let layout = try FakeQuantValidation.backward(input: input, gradOutput: gradOutput, scale: scale,
                                                      zeroPoint: zeroPoint, axis: axis, qmin: qmin, qmax: qmax,
                                                      gradInput: gradInput, gradScale: gradScale, on: self)
        let groups = tiling.groups(alongRowOf: layout.inner), rows = layout.outer * layout.channels
        let defines = elementwiseDefines(layout).merging(["LSQ": gradScale == nil ? 0 : 1]) { $1 }
        let partial = try gradScale.map { rows * groups == 1 ? $0 : try allocate([rows * groups], dtype: .float32) }
        let gradFactor = Float(QuantizationPolicy.gradientFactor(layout, qmax: qmax))
        try launch("fake_quant_backward", file: "fake_quant", defines: defines,
                   arguments: [.buffer(input), .buffer(gradOutput), .buffer(scale), .buffer(zeroPoint),
                               .buffer(gradInput), .buffer(partial ?? gradInput), .int(layout.inner),
                               .int(layout.channels), .float(Float(qmin)), .float(Float(qmax)), .float(gradFactor)],
                   global: elementwiseRange(layout).global, local: elementwiseRange(layout).local)
        if let gradScale, let partial, rows * groups > 1 {
            let group = group(256)
            try launch("sum_partials", file: "fake_quant", defines: ["WG": group],
                       arguments: [.buffer(partial), .buffer(gradScale), .int(layout.outer), .int(layout.channels),
                                   .int(groups)],
                       global: [layout.channels * group], local: [group])
        }
    }

    public func minMax(input: Tensor, axis: Int?, minimum: Tensor, maximum: Tensor) throws {
        let layout = try FakeQuantValidation.minMax(input: input, axis: axis, minimum: minimum, maximum: maximum,
                                                    on: self)
        let (preferred, groups) = Self.fakeQuantGrouping(layout)
        let group = group(preferred)
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
        let group = group(64)
        let symmetricZero = Float(QuantizationPolicy.symmetricZeroPoint(qmin: qmin, qmax: qmax))
        try launch("quant_params", file: "fake_quant",
                   arguments: [.buffer(minimum), .buffer(maximum), .buffer(scale), .buffer(zeroPoint), .int(count),
                               .float(Float(qmin)), .float(Float(qmax)), .int(symmetric ? 1 : 0),
                               .float(symmetricZero), .float(QuantizationPolicy.minimumScale)],
                   global: [roundUp(count, toMultipleOf: group)], local: [group])
    }

    public func requantize(input: Tensor, multiplier: Tensor, zeroPoint: Int, axis: Int?, qmin: Int, qmax: Int,
                           output: Tensor) throws {
        let layout = try FakeQuantValidation.requantize(input: input, multiplier: multiplier, zeroPoint: zeroPoint,
                                                        axis: axis, qmin: qmin, qmax: qmax, output: output, on: self)
        try launch("requantize", file: "fake_quant", defines: elementwiseDefines(layout),
                   arguments: [.buffer(input), .buffer(multiplier), .buffer(output), .int(layout.inner),
                               .int(layout.channels), .float(Float(zeroPoint)), .float(Float(qmin)),
                               .float(Float(qmax))],
                   global: elementwiseRange(layout).global, local: elementwiseRange(layout).local)
    }

    // MARK: - Launch helpers

    /// The elementwise kernels (forward, backward, requantize) run [segments, rows] with rows = outer·channels:
    /// `tiling`'s chunks along each row, padded to whole work-groups of `tiling.groupSize`.
    private func elementwiseDefines(_ layout: FakeQuantLayout) -> [String: Int] {
        tiling.defines.merging(["PER_CHANNEL": layout.isPerChannel ? 1 : 0, "WG": tiling.groupSize]) { $1 }
    }

    private func elementwiseRange(_ layout: FakeQuantLayout) -> (global: [Int], local: [Int]) {
        tiling.rowRange(rowLength: layout.inner, rows: layout.outer * layout.channels)
    }

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
