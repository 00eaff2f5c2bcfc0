import CondenseCore

/// The column steps of `OpenCLBackend+Conv.swift` through `Kernels/im2col.cl`, specialised per kernel size and
/// stride. Columns are channel-major, `[C·kh·kw, S, Ho·Wo]` for a chunk of S samples, so one GEMM covers the chunk:
/// row `(c·kh + ky)·kw + kx`, column `s·Ho·Wo + oy·Wo + ox` holds `input[s, c, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw]`
/// (zero outside the input).
extension OpenCLBackend {
    /// Unfolds samples `[firstSample, firstSample + sampleCount)` of `input` into `columns` (`[C·kh·kw, sampleCount,
    /// Ho·Wo]`, at least that many elements).
    func im2col(input: Tensor, columns: Tensor, geometry g: WindowGeometry, firstSample: Int,
                sampleCount: Int) throws {
        try Self.checkColumns("im2col", columns: columns, image: input, g, firstSample, sampleCount)
        try launchWindow("im2col", [.buffer(input), .buffer(columns)], g, firstSample, sampleCount,
                         global: [g.outputHeight, sampleCount, g.columnRows])
    }

    /// The adjoint of `im2col`: every input element of those samples gathers the column entries that read it, and is
    /// overwritten with their sum.
    func col2im(columns: Tensor, gradInput: Tensor, geometry g: WindowGeometry, firstSample: Int,
                sampleCount: Int) throws {
        try Self.checkColumns("col2im", columns: columns, image: gradInput, g, firstSample, sampleCount)
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

    /// Throws unless `image` has the geometry's input shape, the sample range lies inside it and `columns` holds
    /// that many samples' column matrices.
    private static func checkColumns(_ op: String, columns: Tensor, image: Tensor, _ g: WindowGeometry, _ first: Int,
                                     _ count: Int) throws {
        try requireFloat32(op, columns, image)
        guard image.shape == g.inputShape else {
            throw CondenseError.shapeMismatch(op: op, expected: "image \(g.inputShape)", got: "\(image.shape)")
        }
        guard first >= 0, count >= 0, first + count <= g.batch else {
            throw CondenseError.invalidArgument(op: op, "samples \(first)..<\(first + count) outside batch \(g.batch)")
        }
        guard columns.count >= count * g.columnRows * g.columnCount else {
            throw CondenseError.shapeMismatch(op: op, expected: "at least \(count * g.columnRows * g.columnCount) column elements",
                                              got: "\(columns.count)")
        }
    }
}
