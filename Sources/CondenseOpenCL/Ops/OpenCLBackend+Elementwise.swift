import CondenseCore

/// `ElementwiseOps` through `Kernels/elementwise.cl`: the streaming ops one `tiling` chunk per work-item, the others
/// one work-item per element in 64-item work-groups.
extension OpenCLBackend: ElementwiseOps {
    public func activation(_ kind: Activation, input: Tensor, output: Tensor) throws {
        try ElementwiseValidation.sameCount("activation", input, output)
        try chunked("activation_forward", count: input.count, defines: ["ACTIVATION": kind.rawValue],
                      [.buffer(input), .buffer(output)])
    }

    public func activationBackward(_ kind: Activation, output: Tensor, gradOutput: Tensor, gradInput: Tensor) throws {
        try ElementwiseValidation.sameCount("activationBackward", output, gradOutput, gradInput)
        try chunked("activation_backward", count: output.count, defines: ["ACTIVATION": kind.rawValue],
                      [.buffer(output), .buffer(gradOutput), .buffer(gradInput)])
    }

    public func add(_ a: Tensor, _ b: Tensor, output: Tensor) throws {
        try ElementwiseValidation.sameCount("add", a, b, output)
        try chunked("add", count: a.count, [.buffer(a), .buffer(b), .buffer(output)])
    }

    public func axpy(alpha: Float, x: Tensor, y: Tensor) throws {
        try ElementwiseValidation.sameCount("axpy", x, y)
        try chunked("axpy", count: x.count, [.float(alpha), .buffer(x), .buffer(y)])
    }

    public func scale(_ x: Tensor, by factor: Float, output: Tensor) throws {
        try ElementwiseValidation.sameCount("scale", x, output)
        try chunked("scale", count: x.count, [.buffer(x), .float(factor), .buffer(output)])
    }

    public func multiply(_ a: Tensor, _ b: Tensor, output: Tensor) throws {
        try ElementwiseValidation.sameCount("multiply", a, b, output)
        try chunked("multiply", count: a.count, [.buffer(a), .buffer(b), .buffer(output)])
    }

    public func addChannelBias(_ bias: Tensor, to tensor: Tensor) throws {
        let (_, channels, spatial) = try ElementwiseValidation.channels("addChannelBias", tensor: tensor, bias: bias)
        try pointwise("add_channel_bias", count: tensor.count,
                      [.buffer(bias), .buffer(tensor), .int(channels), .int(spatial)])
    }

    public func channelBiasGradient(gradOutput: Tensor, gradBias: Tensor) throws {
        let (batch, channels, spatial) = try ElementwiseValidation.channels("channelBiasGradient", tensor: gradOutput,
                                                                            bias: gradBias)
        let groups = Self.biasGradientGroups(perChannel: batch * spatial, groupSize: group(Self.biasGradientGroupSize))
        let partials = groups == 1 ? gradBias : try allocate([channels, groups], dtype: .float32)
        try sumChannels(of: gradOutput, into: partials, batch: batch, channels: channels, spatial: spatial,
                        groups: groups)
        if groups > 1 {
            try sumChannels(of: partials, into: gradBias, batch: 1, channels: channels, spatial: groups, groups: 1)
        }
    }

    /// Work-groups of `groupSize` per channel of `channel_bias_gradient`: one, unless a work-item would loop more
    /// than 16,384 times over a channel's elements (with groups of 128, past 2 million of them: a batch of 42 at
    /// 224 × 224), which llvmpipe's limit of 65,535 iterations and GPU watchdogs do not allow to grow with the batch.
    static func biasGradientGroups(perChannel elements: Int, groupSize: Int) -> Int {
        ceilDiv(max(elements, 1), groupSize * 16_384)
    }

    /// Work-items per group of `channel_bias_gradient`, where the driver allows them (`group`).
    static let biasGradientGroupSize = 128

    /// `channel_bias_gradient` with `groups` work-groups per channel, writing `groups` partial sums per channel.
    private func sumChannels(of tensor: Tensor, into sums: Tensor, batch: Int, channels: Int, spatial: Int,
                             groups: Int) throws {
        let group = group(Self.biasGradientGroupSize)
        try launch("channel_bias_gradient", file: "elementwise", defines: ["WG": group],
                   arguments: [.buffer(tensor), .buffer(sums), .int(batch), .int(channels), .int(spatial),
                               .int(groups)],
                   global: [channels * groups * group], local: [group])
    }

    public func dropout(input: Tensor, output: Tensor, mask: Tensor, probability p: Float, seed: UInt32) throws {
        try ElementwiseValidation.probability(p)
        try ElementwiseValidation.sameCount("dropout", input, output, mask)
        try pointwise("dropout_forward", count: input.count,
                      [.buffer(input), .buffer(output), .buffer(mask), .float(p), .float(1 / (1 - p)),
                       .int(Int(Int32(bitPattern: seed)))])
    }

    /// One work-item per element; `count` is appended as the kernel's last argument.
    private func pointwise(_ kernel: String, count: Int, defines: [String: Int] = [:],
                           _ arguments: [KernelArgument]) throws {
        try launch(kernel, file: "elementwise", defines: defines, arguments: arguments + [.int(count)],
                   global: [roundUp(count, toMultipleOf: group(64))], local: [group(64)])
    }

    /// One `tiling` chunk per work-item over `count` elements (the streaming kernels); `count` is appended as the
    /// kernel's last argument.
    private func chunked(_ kernel: String, count: Int, defines: [String: Int] = [:],
                         _ arguments: [KernelArgument]) throws {
        let range = tiling.rowRange(rowLength: count, rows: 1)
        try launch(kernel, file: "elementwise", defines: tiling.defines.merging(defines) { $1 },
                   arguments: arguments + [.int(count)], global: range.global, local: range.local)
    }
}
