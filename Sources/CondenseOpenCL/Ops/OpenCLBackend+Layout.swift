import CondenseCore

/// `LayoutOps` through `Kernels/layout.cl`: a chunk of a row per work-item, or on CPU drivers, for rows shorter than a
/// chunk, square tiles of rows (`swap_leading_axes_tiles`).
extension OpenCLBackend: LayoutOps {
    public func swapLeadingAxes(input: Tensor, inputOffset: Int, output: Tensor, outputOffset: Int, a: Int, b: Int,
                                plane: Int) throws {
        try LayoutValidation.swap(input, inputOffset, output, outputOffset, a: a, b: b, plane: plane)
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
}
