import CondenseCore

/// `SoftmaxOps` on the CPU: the reference math in Float.
extension CPUBackend: SoftmaxOps {
    public func softmax(logits: Tensor, temperature: Float, output: Tensor) throws {
        let e = try SoftmaxValidation.forward("softmax", logits: logits, temperature: temperature, output: output,
                                              on: self)
        SoftmaxKernels.softmax(try logits.cpuFloats("softmax"), rows: e.rows, classes: e.classes,
                                 temperature: temperature, output: try output.cpuFloats("softmax"))
    }

    public func crossEntropy(logits: Tensor, labels: Tensor, labelSmoothing: Float, loss: Tensor,
                             gradLogits: Tensor?) throws {
        let op = "crossEntropy"
        let e = try SoftmaxValidation.crossEntropy(logits: logits, labels: labels, labelSmoothing: labelSmoothing,
                                                   loss: loss, gradLogits: gradLogits, on: self)
        let value = try SoftmaxKernels.crossEntropy(
            try logits.cpuFloats(op), labels: try labels.cpuPointer(op, dtype: .int32, as: Int32.self), rows: e.rows,
            classes: e.classes, labelSmoothing: labelSmoothing, gradLogits: try gradLogits?.cpuFloats(op))
        try loss.cpuFloats(op).pointee = value
    }

    public func distillationLoss(student: Tensor, teacher: Tensor, labels: Tensor, temperature: Float, alpha: Float,
                                 loss: Tensor, gradStudent: Tensor?, terms: Tensor?) throws {
        let op = "distillationLoss"
        let e = try SoftmaxValidation.distillation(student: student, teacher: teacher, labels: labels,
                                                   temperature: temperature, alpha: alpha, loss: loss,
                                                   gradStudent: gradStudent, terms: terms, on: self)
        let (kd, ce) = try SoftmaxKernels.distillation(
            student: try student.cpuFloats(op), teacher: try teacher.cpuFloats(op),
            labels: try labels.cpuPointer(op, dtype: .int32, as: Int32.self), rows: e.rows, classes: e.classes,
            temperature: temperature, alpha: alpha, gradStudent: try gradStudent?.cpuFloats(op))
        try loss.cpuFloats(op).pointee = kd + ce
        if let terms {
            let pair = try terms.cpuFloats(op)
            pair[0] = kd
            pair[1] = ce
        }
    }

    public func decoupledDistillationLoss(student: Tensor, teacher: Tensor, labels: Tensor, temperature: Float,
                                          alpha: Float, beta: Float, loss: Tensor, gradStudent: Tensor?,
                                          terms: Tensor?) throws {
        let op = "decoupledDistillationLoss"
        let e = try SoftmaxValidation.decoupledDistillation(student: student, teacher: teacher, labels: labels,
                                                            temperature: temperature, alpha: alpha, beta: beta,
                                                            loss: loss, gradStudent: gradStudent, terms: terms,
                                                            on: self)
        let values = try SoftmaxKernels.decoupledDistillation(
            student: try student.cpuFloats(op), teacher: try teacher.cpuFloats(op),
            labels: try labels.cpuPointer(op, dtype: .int32, as: Int32.self), rows: e.rows, classes: e.classes,
            temperature: temperature, alpha: alpha, beta: beta, gradStudent: try gradStudent?.cpuFloats(op))
        try loss.cpuFloats(op).pointee = values.tckd + values.nckd + values.ce
        if let terms {
            let triple = try terms.cpuFloats(op)
            (triple[0], triple[1], triple[2]) = values
        }
    }
}
