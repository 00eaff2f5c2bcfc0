import CondenseCore

/// `ConvOps` through `Kernels/im2col.cl`, specialised per kernel size and stride; convolution itself is
/// `Backend+Conv.swift` with the device's GEMM.
extension OpenCLBackend: ConvOps {
    public func conv2dBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, gradInput: Tensor?,
                               gradWeight: Tensor?, gradBias: Tensor?, parameters: Conv2dParameters) throws {
        try channelMajorConv2dBackward(gradOutput: gradOutput, input: input, weight: weight, gradInput: gradInput,
                                       gradWeight: gradWeight, gradBias: gradBias, parameters: parameters)
    }

    public func im2col(input: Tensor, columns: Tensor, geometry g: WindowGeometry, firstSample: Int,
                       sampleCount: Int) throws {
        try ConvValidation.columns("im2col", columns: columns, image: input, g, firstSample, sampleCount)
        try launchWindow("im2col", [.buffer(input), .buffer(columns)], g, firstSample, sampleCount,
                         global: [g.outputHeight, sampleCount, g.columnRows])
    }

    public func col2im(columns: Tensor, gradInput: Tensor, geometry g: WindowGeometry, firstSample: Int,
                       sampleCount: Int) throws {
        try ConvValidation.columns("col2im", columns: columns, image: gradInput, g, firstSample, sampleCount)
        try launchWindow("col2im", [.buffer(columns), .buffer(gradInput)], g, firstSample, sampleCount,
                         global: [g.inputHeight, sampleCount, g.inputChannels])
    }

    private func launchWindow(_ kernel: String, _ buffers: [KernelArgument], _ g: WindowGeometry, _ first: Int,
                              _ count: Int, global: [Int]) throws {
        let geometry = [g.inputChannels, g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth, g.paddingHeight,
                        g.paddingWidth, g.dilationHeight, g.dilationWidth, first, count]
        try launch(kernel, file: "im2col",
                   defines: ["KH": g.kernelHeight, "KW": g.kernelWidth, "SH": g.strideHeight, "SW": g.strideWidth],
                   arguments: buffers + geometry.map { .int($0) }, global: global)
    }
}
