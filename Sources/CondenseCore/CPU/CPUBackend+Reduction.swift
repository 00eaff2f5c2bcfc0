extension CPUBackend: ReductionOps {
    public func sum(input: Tensor, output: Tensor) throws {
        try ReductionValidation.scalar("sum", input: input, output: output)
        try output.cpuFloats("sum")[0] = ReductionReference.sum(try input.cpuFloats("sum"), count: input.count)
    }

    public func mean(input: Tensor, output: Tensor) throws {
        try ReductionValidation.scalar("mean", input: input, output: output)
        try output.cpuFloats("mean")[0] = ReductionReference.sum(try input.cpuFloats("mean"), count: input.count)
            / Float(max(input.count, 1))
    }

    public func sumColumns(input: Tensor, output: Tensor) throws {
        let (rows, columns) = try ReductionValidation.matrix("sumColumns", input: input, output: output) { $1 }
        let x = try input.cpuFloats("sumColumns"), y = try output.cpuFloats("sumColumns")
        y.update(repeating: 0, count: columns)
        for r in 0..<rows {
            for c in 0..<columns { y[c] += x[r * columns + c] }
        }
    }

    public func sumRows(input: Tensor, output: Tensor) throws {
        let (rows, columns) = try ReductionValidation.matrix("sumRows", input: input, output: output) { r, _ in r }
        let x = try input.cpuFloats("sumRows"), y = try output.cpuFloats("sumRows")
        for r in 0..<rows { y[r] = ReductionReference.sum(x + r * columns, count: columns) }
    }

    public func argmax(rows: Tensor, output: Tensor) throws {
        let (count, columns) = try ReductionValidation.matrix("argmax", input: rows, output: output,
                                                              outputDType: .int32) { r, _ in r }
        let x = try rows.cpuFloats("argmax"), y = try output.cpuPointer("argmax", dtype: .int32, as: Int32.self)
        for r in 0..<count { y[r] = Int32(ReductionReference.argmax(x + r * columns, count: columns)) }
    }

    public func countCorrect(logits: Tensor, labels: Tensor, output: Tensor) throws {
        let (rows, columns) = try ReductionValidation.countCorrect(logits: logits, labels: labels, output: output)
        let x = try logits.cpuFloats("countCorrect")
        let y = try labels.cpuPointer("countCorrect", dtype: .int32, as: Int32.self)
        let correct = (0..<rows).filter { ReductionReference.argmax(x + $0 * columns, count: columns) == Int(y[$0]) }
        try output.cpuFloats("countCorrect")[0] = Float(correct.count)
    }
}
