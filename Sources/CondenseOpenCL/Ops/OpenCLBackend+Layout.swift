import CondenseCore

/// The layout step of `OpenCLBackend+Conv.swift`, between the NCHW tensors layers keep and the channel-major matrices
/// convolution GEMMs want, through `Kernels/layout.cl`: a chunk of a row per work-item, or on CPU drivers, for rows
/// shorter than a chunk, square tiles of rows (`swap_leading_axes_tiles`).
extension OpenCLBackend {
    /// Reads `a·b·plane` elements of `input` from `inputOffset` as `[a, b, plane]` and writes them into `output` from
    /// `outputOffset` as `[b, a, plane]`: planes keep their contents, the two leading axes swap. With `a` samples and
    /// `b` channels this turns NCHW into CNHW (all samples' planes of a channel side by side), and back.
    func swapLeadingAxes(input: Tensor, inputOffset: Int, output: Tensor, outputOffset: Int, a: Int, b: Int,
                         plane: Int) throws {
        try Self.checkSwap(input, inputOffset, output, outputOffset, a: a, b: b, plane: plane)
        let buffers: [KernelArgument] = [.buffer(input), .int(inputOffset), .buffer(output), .int(outputOffset),
                                         .int(a), .int(b)]
        if tiling.isForCPUDriver && plane > 0 && plane < tiling.chunk {
            let tile = Self.swapTile(plane: plane)
            try launch("swap_leading_axes_tiles", file: "layout", defines: ["PLANE": plane, "TILE": tile],
                       arguments: buffers, global: [ceilDiv(a, tile), ceilDiv(b, tile)], local: [1, 1])
            return
        }
        let range = tiling.rowRange(rowLength: plane, rows: a * b)
        try launch("swap_leading_axes", file: "layout", defines: tiling.defines, arguments: buffers + [.int(plane)],
                   global: range.global, local: range.local)
    }

    /// Rows per side of a tile of `plane`-float rows: about 1024 floats a tile (4 KB each way, well inside L1).
    static func swapTile(plane: Int) -> Int {
        max(1, min(32, Int(Double(1024 / plane).squareRoot())))
    }

    /// Throws unless both tensors are float32, on one backend, the sizes are non-negative and both ranges lie inside
    /// their tensors and do not overlap when the tensors share storage.
    private static func checkSwap(_ input: Tensor, _ inputOffset: Int, _ output: Tensor, _ outputOffset: Int, a: Int,
                                  b: Int, plane: Int) throws {
        let op = "swapLeadingAxes"
        try requireFloat32(op, input, output)
        guard input.backend === output.backend else { throw CondenseError.backendMismatch(op: op) }
        guard a >= 0, b >= 0, plane >= 0, inputOffset >= 0, outputOffset >= 0 else {
            throw CondenseError.invalidArgument(op: op, "a=\(a) b=\(b) plane=\(plane) and the offsets " +
                                                "(\(inputOffset), \(outputOffset)) must be ≥ 0")
        }
        let count = a * b * plane
        for (label, tensor, offset) in [("input", input, inputOffset), ("output", output, outputOffset)]
        where offset + count > tensor.count {
            throw CondenseError.shapeMismatch(op: op, expected: "\(label) with ≥ \(offset + count) elements",
                                              got: "\(tensor.shape)")
        }
        if input.storage === output.storage, count > 0, inputOffset < outputOffset + count, outputOffset < inputOffset + count {
            throw CondenseError.invalidArgument(op: op, "input and output ranges overlap")
        }
    }
}
