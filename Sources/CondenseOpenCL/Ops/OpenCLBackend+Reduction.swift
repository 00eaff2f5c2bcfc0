import CondenseCore

/// `ReductionOps` through `Kernels/reduction.cl`: two-pass tree reductions for whole tensors, one launch otherwise.
extension OpenCLBackend: ReductionOps {
    private static let group = 256

    public func sum(input: Tensor, output: Tensor) throws {
        try ReductionValidation.scalar("sum", input: input, output: output)
        try reduceAll(input, into: output)
    }

    public func sumColumns(input: Tensor, output: Tensor) throws {
        let (rows, columns) = try ReductionValidation.matrix("sumColumns", input: input, output: output) { $1 }
        try launch("sum_columns", file: "reduction",
                   arguments: [.buffer(input), .buffer(output), .int(rows), .int(columns)],
                   global: [roundUp(columns, toMultipleOf: group(64))], local: [group(64)])
    }

    public func countCorrect(logits: Tensor, labels: Tensor, output: Tensor) throws {
        let (rows, columns) = try ReductionValidation.countCorrect(logits: logits, labels: labels, output: output)
        let group = group(Self.group)
        try launch("count_correct", file: "reduction", defines: ["WG": group],
                   arguments: [.buffer(logits), .buffer(labels), .buffer(output), .int(rows), .int(columns)],
                   global: [group], local: [group])
    }

    /// Pass 1 writes one partial per work-group (at most 256 groups, each a contiguous slice); pass 2 adds them.
    private func reduceAll(_ input: Tensor, into output: Tensor) throws {
        let group = group(Self.group)
        let groups = max(1, min(256, ceilDiv(input.count, group * 16)))
        let perGroup = ceilDiv(max(input.count, 1), groups)
        let partials = try allocate([groups], dtype: .float32)
        try launch("sum_partials", file: "reduction", defines: ["WG": group],
                   arguments: [.buffer(input), .buffer(partials), .int(input.count), .int(perGroup)],
                   global: [groups * group], local: [group])
        try launch("sum_final", file: "reduction", defines: ["WG": group],
                   arguments: [.buffer(partials), .buffer(output), .int(groups)],
                   global: [group], local: [group])
    }
}
