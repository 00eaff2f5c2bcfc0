import CondenseCore

extension CPUBackend: ReductionOps {
    public func sum(input: Tensor, output: Tensor) throws {
        try ReductionValidation.scalar("sum", input: input, output: output)
        try output.cpuFloats("sum")[0] = ReductionKernels.sum(try input.cpuFloats("sum"), count: input.count)
    }

    public func sumColumns(input: Tensor, output: Tensor) throws {
        let (rows, columns) = try ReductionValidation.matrix("sumColumns", input: input, output: output) { $1 }
        let x = try input.cpuFloats("sumColumns"), y = try output.cpuFloats("sumColumns")
        y.update(repeating: 0, count: columns)
        for r in 0..<rows {
            for c in 0..<columns { y[c] += x[r * columns + c] }
        }
    }

    public func countCorrect(logits: Tensor, labels: Tensor, output: Tensor) throws {
        let (rows, columns) = try ReductionValidation.countCorrect(logits: logits, labels: labels, output: output)
        let x = try logits.cpuFloats("countCorrect")
        let y = try labels.cpuPointer("countCorrect", dtype: .int32, as: Int32.self)
        let correct = (0..<rows).filter { ReductionKernels.argmax(x + $0 * columns, count: columns) == Int(y[$0]) }
        try output.cpuFloats("countCorrect")[0] = Float(correct.count)
    }
}
