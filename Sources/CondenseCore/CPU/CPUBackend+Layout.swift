/// `LayoutOps` on the host: one contiguous plane copy per (i, j), the `b` rows of each `i` on one core's range.
extension CPUBackend: LayoutOps {
    public func swapLeadingAxes(input: Tensor, inputOffset: Int, output: Tensor, outputOffset: Int, a: Int, b: Int,
                                plane: Int) throws {
        let op = "swapLeadingAxes"
        try LayoutValidation.swap(input, inputOffset, output, outputOffset, a: a, b: b, plane: plane)
        let x = try input.cpuFloats(op) + inputOffset, y = try output.cpuFloats(op) + outputOffset
        timed(op) {
            HostParallel.forEachRange(a) { _, rows in
                for i in rows {
                    for j in 0..<b { (y + (j * a + i) * plane).update(from: x + (i * b + j) * plane, count: plane) }
                }
            }
        }
    }
}
