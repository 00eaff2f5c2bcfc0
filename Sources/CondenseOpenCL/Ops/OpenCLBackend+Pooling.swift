import CondenseCore

/// `PoolingOps` through `Kernels/pooling.cl`, specialised per window size.
extension OpenCLBackend: PoolingOps {
    public func maxPool2d(input: Tensor, output: Tensor, indices: Tensor, parameters: Pool2dParameters) throws {
        let g = try parameters.geometry("maxPool2d", input: input, output: output, indices: indices)
        try launchWindow("max_pool_forward", [.buffer(input), .buffer(output), .buffer(indices)], g, items: output.count)
    }

    public func maxPool2dBackward(gradOutput: Tensor, indices: Tensor, gradInput: Tensor,
                                  parameters: Pool2dParameters) throws {
        let g = try parameters.geometry("maxPool2dBackward", input: gradInput, output: gradOutput, indices: indices)
        try launchWindow("max_pool_backward", [.buffer(gradOutput), .buffer(indices), .buffer(gradInput)], g,
                         items: gradInput.count)
    }

    public func globalAveragePool(input: Tensor, output: Tensor) throws {
        let (planes, spatial) = try globalPoolExtents("globalAveragePool", image: input, pooled: output)
        try launch("global_avg_forward", file: "pooling",
                   arguments: [.buffer(input), .buffer(output), .int(spatial), .int(planes)],
                   global: [roundUp(planes, toMultipleOf: group(64))], local: [group(64)])
    }

    public func globalAveragePoolBackward(gradOutput: Tensor, gradInput: Tensor) throws {
        let (_, spatial) = try globalPoolExtents("globalAveragePoolBackward", image: gradInput, pooled: gradOutput)
        try launch("global_avg_backward", file: "pooling",
                   arguments: [.buffer(gradOutput), .buffer(gradInput), .int(spatial), .int(gradInput.count)],
                   global: [roundUp(gradInput.count, toMultipleOf: group(64))], local: [group(64)])
    }

    private func launchWindow(_ kernel: String, _ buffers: [KernelArgument], _ g: WindowGeometry, items: Int) throws {
        let geometry = [g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth, g.strideHeight, g.strideWidth,
                        g.paddingHeight, g.paddingWidth, g.batch * g.inputChannels]
        try launch(kernel, file: "pooling", defines: ["KH": g.kernelHeight, "KW": g.kernelWidth],
                   arguments: buffers + geometry.map { .int($0) },
                   global: [roundUp(items, toMultipleOf: group(64))], local: [group(64)])
    }
}
