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
        try launch("channel_bias_gradient", file: "elementwise", defines: ["WG": 128],
                   arguments: [.buffer(gradOutput), .buffer(gradBias), .int(batch), .int(channels), .int(spatial)],
                   global: [channels * 128], local: [128])
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
                   global: [roundUp(count, toMultipleOf: 64)], local: [64])
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
