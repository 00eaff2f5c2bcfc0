import CondenseCore

/// `LayoutOps` through `Kernels/layout.cl`.
extension OpenCLBackend: LayoutOps {
    public func swapLeadingAxes(input: Tensor, inputOffset: Int, output: Tensor, outputOffset: Int, a: Int, b: Int,
                                plane: Int) throws {
        try LayoutValidation.swap(input, inputOffset, output, outputOffset, a: a, b: b, plane: plane)
        let range = tiling.rowRange(rowLength: plane, rows: a * b)
        try launch("swap_leading_axes", file: "layout", defines: tiling.defines,
                   arguments: [.buffer(input), .int(inputOffset), .buffer(output), .int(outputOffset), .int(a), .int(b),
                               .int(plane)],
                   global: range.global, local: range.local)
    }
}
