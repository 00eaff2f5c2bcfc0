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
        let planes = g.batch * g.outputChannels, arguments: [KernelArgument] = [.buffer(input), .buffer(weight),
                                                                              .buffer(bias ?? weight), .buffer(output)]
        let options = ["ACTIVATION": p.activation.rawValue, "HAS_BIAS": bias == nil ? 0 : 1]
        if usesRowKernels(g, p) {
            try launch("depthwise_forward_rows", file: "depthwise_conv", defines: rowDefines(g, p, options),
                       arguments: arguments + [.int(g.inputWidth)], global: [planes], local: [1])
            return
        }
        let band = bandLaunch(rows: g.outputHeight, columns: g.outputWidth, planes: planes)
        try launch("depthwise_forward", file: "depthwise_conv", defines: defines(g, p, band, options),
                   arguments: arguments, global: band.global, local: band.local)
    }

    public func depthwiseConv2dBackwardInput(gradOutput: Tensor, weight: Tensor, gradInput: Tensor,
                                             parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2dBackwardInput"
        let g = try p.geometry(op, input: gradInput.shape, weight: weight, bias: nil, output: gradOutput.shape)
        try requireFloat32(op, gradOutput, gradInput)
        let planes = g.batch * g.inputChannels
        let arguments: [KernelArgument] = [.buffer(gradOutput), .buffer(weight), .buffer(gradInput)]
        if usesRowKernels(g, p) {
            try launch("depthwise_backward_input_rows", file: "depthwise_conv",
                       defines: rowDefines(g, p, ["BACKWARD_INPUT": 1]), arguments: arguments + [.int(g.outputWidth)],
                       global: [planes], local: [1])
            return
        }
        let band = bandLaunch(rows: g.inputHeight, columns: g.inputWidth, planes: planes)
        try launch("depthwise_backward_input", file: "depthwise_conv",
                   defines: defines(g, p, band, ["BACKWARD_INPUT": 1]), arguments: arguments, global: band.global,
                   local: band.local)
    }

    public func depthwiseConv2dBackwardWeight(input: Tensor, gradOutput: Tensor, gradWeight: Tensor, gradBias: Tensor?,
                                              parameters p: DepthwiseConv2dParameters) throws {
        let op = "depthwiseConv2dBackwardWeight"
        let g = try p.geometry(op, input: input.shape, weight: gradWeight, bias: gradBias, output: gradOutput.shape)
        try requireFloat32(op, input, gradOutput)
        let taps = p.kernelHeight * p.kernelWidth, planes = g.batch * g.outputChannels
        let samples = Self.samplesPerWorkItem(outputHeight: g.outputHeight, outputWidth: g.outputWidth)
        let partialsPerChannel: Int
        if usesRowKernels(g, p) {
            partialsPerChannel = ceilDiv(g.batch, samples)
        } else {
            partialsPerChannel = g.batch * bandLaunch(rows: g.outputHeight, columns: g.outputWidth, planes: planes).global[1]
        }
        let partial = try allocate([g.outputChannels, partialsPerChannel, taps + 1], dtype: .float32)
        let arguments: [KernelArgument] = [.buffer(input), .buffer(gradOutput), .buffer(partial), .int(g.batch)]
        if usesRowKernels(g, p) {
            try launch("depthwise_backward_weight_rows", file: "depthwise_conv",
                       defines: rowDefines(g, p, ["SAMPLES": samples]),
                       arguments: arguments + [.int(g.inputWidth), .int(g.outputWidth)],
                       global: [g.outputChannels * partialsPerChannel], local: [1])
        } else {
            let band = bandLaunch(rows: g.outputHeight, columns: g.outputWidth, planes: planes)
            try launch("depthwise_backward_weight_partial", file: "depthwise_conv", defines: defines(g, p, band, [:]),
                       arguments: arguments, global: band.global, local: band.local)
        }
        try launch("depthwise_backward_weight_reduce", file: "depthwise_conv",
                   defines: defines(g, p, nil, ["HAS_BIAS": gradBias == nil ? 0 : 1]),
                   arguments: [.buffer(partial), .buffer(gradWeight), .buffer(gradBias ?? gradWeight),
                               .int(partialsPerChannel)],
                   global: [roundUp(g.outputChannels * (taps + 1), toMultipleOf: group(64))], local: [group(64)])
    }

    /// Whether the layer runs through the row kernels (`depthwise_*_rows`): on a CPU driver (one work-item per
    /// tile), with a kernel at most 7 wide, when the input and output rows fit in two `float16` with a lane to spare.
    private func usesRowKernels(_ g: WindowGeometry, _ p: DepthwiseConv2dParameters) -> Bool {
        tiling.isForCPUDriver && p.kernelWidth <= 7 && max(g.inputWidth, g.outputWidth) <= 31
    }

    /// Samples per work-item of the row kernels' weight gradient: enough rows of small planes (up to 8×8) to
    /// outweigh each work-item's lane sums and partial stores, one sample of larger planes.
    static func samplesPerWorkItem(outputHeight: Int, outputWidth: Int) -> Int {
        outputHeight * outputWidth > 64 ? 1 : max(1, 32 / outputHeight)
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

    /// The row kernels' defines: the geometry, with VEC 16 (a row is a `float16`).
    private func rowDefines(_ g: WindowGeometry, _ p: DepthwiseConv2dParameters, _ extra: [String: Int]) -> [String: Int] {
        defines(g, p, nil, extra.merging(["VEC": 16]) { $1 })
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
