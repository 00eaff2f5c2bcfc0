extension CPUBackend: ConvOps {
    public func im2col(input: Tensor, columns: Tensor, geometry g: WindowGeometry, firstSample: Int,
                       sampleCount: Int) throws {
        try ConvValidation.columns("im2col", columns: columns, image: input, g, firstSample, sampleCount)
        ConvReference.im2col(g, input: try input.cpuFloats("im2col"), columns: try columns.cpuFloats("im2col"),
                             first: firstSample, count: sampleCount)
    }

    public func col2im(columns: Tensor, gradInput: Tensor, geometry g: WindowGeometry, firstSample: Int,
                       sampleCount: Int) throws {
        try ConvValidation.columns("col2im", columns: columns, image: gradInput, g, firstSample, sampleCount)
        ConvReference.col2im(g, columns: try columns.cpuFloats("col2im"), gradInput: try gradInput.cpuFloats("col2im"),
                             first: firstSample, count: sampleCount)
    }
}
