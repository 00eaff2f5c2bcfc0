/// Reductions over float32 tensors, written to device tensors so a training step needs no read-back.
public protocol ReductionOps {
    /// `output[0] = Σ input` (all elements; output has 1 element).
    func sum(input: Tensor, output: Tensor) throws
    /// Column sums of a `[R, C]` matrix into `[C]` (e.g. a linear layer's bias gradient).
    func sumColumns(input: Tensor, output: Tensor) throws
    /// Number of rows of `logits` `[B, K]` whose argmax (the first index of the row's largest value, as PyTorch)
    /// equals the int32 label, as float32 in a 1-element tensor.
    func countCorrect(logits: Tensor, labels: Tensor, output: Tensor) throws
}

/// Shape checks shared by both backends' reductions.
public enum ReductionValidation {
    /// Throws unless `output` is a float32 1-element tensor and `input` float32.
    public static func scalar(_ op: String, input: Tensor, output: Tensor) throws {
        try requireFloat32(op, input, output)
        guard output.count == 1 else {
            throw CondenseError.shapeMismatch(op: op, expected: "a 1-element output", got: "\(output.shape)")
        }
    }

    /// The `(rows, columns)` of a 2-D float32 `input`, after checking `output` has `expected(rows, columns)` elements.
    public static func matrix(_ op: String, input: Tensor, output: Tensor, outputDType: DType = .float32,
                              expected: (Int, Int) -> Int) throws -> (rows: Int, columns: Int) {
        try requireFloat32(op, input)
        guard input.shape.rank == 2, input.shape[0] >= 1, input.shape[1] >= 1 else {
            throw CondenseError.shapeMismatch(op: op, expected: "input [R, C] with R, C ≥ 1", got: "\(input.shape)")
        }
        let (rows, columns) = (input.shape[0], input.shape[1])
        guard output.dtype == outputDType else {
            throw CondenseError.dtypeMismatch(op: op, expected: outputDType, got: output.dtype)
        }
        guard output.shape == [expected(rows, columns)] else {
            throw CondenseError.shapeMismatch(op: op, expected: "output [\(expected(rows, columns))]", got: "\(output.shape)")
        }
        return (rows, columns)
    }

    /// `countCorrect`: logits `[B, K]`, int32 labels `[B]`, a 1-element float32 output.
    public static func countCorrect(logits: Tensor, labels: Tensor, output: Tensor) throws -> (rows: Int, columns: Int) {
        let extents = try matrix("countCorrect", input: logits, output: labels, outputDType: .int32) { rows, _ in rows }
        try scalar("countCorrect", input: logits, output: output)
        return extents
    }
}
