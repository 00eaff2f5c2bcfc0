import CondenseCore

/// `DepthwiseConvOps` through `Kernels/depthwise_conv.cl`, specialised per layer geometry (every size and stride is a
/// compile-time define), activation and bias. Forward and input gradient run one band of output rows of one plane
/// per work-group through a local-memory tile (`tiling` picks the work-group size and vector width); the weight
/// gradient sums per (channel, sample, band) the same way, then over samples and bands.
extension OpenCLBackend: DepthwiseConvOps {
    public func depthwiseConv2d(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor,
                                parameters p: DepthwiseConv2dParameters) throws {
        let g = try p.geometry("depthwiseConv2d", input: input.shape, weight: weight, bias: bias, output: output.shape)
        try requireFloat32("depthwiseConv2d", input, output)
        let band = bandLaunch(rows: g.outputHeight, columns: g.outputWidth, planes: g.batch * g.outputChannels)
        try launch("depthwise_forward", file: "depthwise_conv",
                   defines: defines(g, p, band, ["ACTIVATION": p.activation.rawValue, "HAS_BIAS": bias == nil ? 0 : 1]),
                   arguments: [.buffer(input), .buffer(weight), .buffer(bias ?? weight), .buffer(output)],
                   global: band.global, local: band.local)
    }

    public func depthwiseConv2dBackwardInput(gradOutput: Tensor, weight: Tensor, gradInput: Tensor,
                                             parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2dBackwardInput"
        let g = try p.geometry(op, input: gradInput.shape, weight: weight, bias: nil, output: gradOutput.shape)
        try requireFloat32(op, gradOutput, gradInput)
        let band = bandLaunch(rows: g.inputHeight, columns: g.inputWidth, planes: g.batch * g.inputChannels)
        try launch("depthwise_backward_input", file: "depthwise_conv",
                   defines: defines(g, p, band, ["BACKWARD_INPUT": 1]),
                   arguments: [.buffer(gradOutput), .buffer(weight), .buffer(gradInput)],
                   global: band.global, local: band.local)
    }

    public func depthwiseConv2dBackwardWeight(input: Tensor, gradOutput: Tensor, gradWeight: Tensor, gradBias: Tensor?,
                                              parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2dBackwardWeight"
        let g = try p.geometry(op, input: input.shape, weight: gradWeight, bias: gradBias, output: gradOutput.shape)
        try requireFloat32(op, input, gradOutput)
        let taps = p.kernelHeight * p.kernelWidth
        let band = bandLaunch(rows: g.outputHeight, columns: g.outputWidth, planes: g.batch * g.outputChannels)
        let partialsPerChannel = g.batch * band.global[1]
        let partial = try allocate([g.outputChannels, partialsPerChannel, taps + 1], dtype: .float32)
        try launch("depthwise_backward_weight_partial", file: "depthwise_conv", defines: defines(g, p, band, [:]),
                   arguments: [.buffer(input), .buffer(gradOutput), .buffer(partial), .int(g.batch)],
                   global: band.global, local: band.local)
        try launch("depthwise_backward_weight_reduce", file: "depthwise_conv",
                   defines: defines(g, p, nil, ["HAS_BIAS": gradBias == nil ? 0 : 1]),
                   arguments: [.buffer(partial), .buffer(gradWeight), .buffer(gradBias ?? gradWeight),
                               .int(partialsPerChannel)],
                   global: [roundUp(g.outputChannels * (taps + 1), toMultipleOf: 64)], local: [64])
    }

    /// Sizes of a banded launch over `planes` planes of `rows` × `columns` outputs: bands of about 1024 outputs
    /// (`TY` rows), one work-group of `tiling.tileGroupSize` work-items each.
    private struct BandLaunch {
        let rows: Int, groupSize: Int, global: [Int], local: [Int]
    }

    private func bandLaunch(rows: Int, columns: Int, planes: Int) -> BandLaunch {
        let bandRows = max(1, min(rows, 1024 / max(columns, 1))), groupSize = tiling.tileGroupSize
        return BandLaunch(rows: bandRows, groupSize: groupSize,
                          global: [groupSize, ceilDiv(rows, bandRows), planes], local: [groupSize, 1, 1])
    }

    /// The layer's geometry as defines (and the band's, for the banded kernels).
    private func defines(_ g: WindowGeometry, _ p: DepthwiseConv2dParameters, _ band: BandLaunch?,
                         _ extra: [String: Int]) -> [String: Int] {
        var defines = ["KH": p.kernelHeight, "KW": p.kernelWidth, "H": g.inputHeight, "W": g.inputWidth,
                       "OH": g.outputHeight, "OW": g.outputWidth, "STRIDE_H": g.strideHeight,
                       "STRIDE_W": g.strideWidth, "PH": g.paddingHeight, "PW": g.paddingWidth, "DH": g.dilationHeight,
                       "DW": g.dilationWidth, "C": g.inputChannels, "M": p.multiplier]
        if let band { defines.merge(["TY": band.rows, "LS": band.groupSize, "VEC": tiling.vectorWidth]) { $1 } }
        return defines.merging(extra) { $1 }
    }
}
