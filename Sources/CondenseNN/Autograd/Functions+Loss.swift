import CondenseCore

// Losses fuse their gradient into the forward pass (one kernel computes both). A loss is terminal: its backward
// closure hands on the fused gradient, which assumes the loss's own gradient is 1 — add losses, do not scale them
// after the fact (scale through the loss's own weights, such as α).

/// Mean cross entropy with label smoothing; `labels` is int32 `[N]`.
public func crossEntropy(_ logits: Variable, labels: Tensor, labelSmoothing: Float = 0) throws -> Variable {
    let backend = logits.backend
    let loss = try backend.allocate([1], dtype: .float32), gradient = try backend.allocate(logits.shape, dtype: .float32)
    try backend.crossEntropy(logits: logits.value, labels: labels, labelSmoothing: labelSmoothing, loss: loss,
                             gradLogits: gradient)
    return Tape.output(loss, inputs: [logits]) { _ in try logits.accumulate(gradient) }
}

/// The Hinton distillation loss `α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y)`; the teacher's logits
/// are a constant tensor.
public func distillationLoss(student: Variable, teacher: Tensor, labels: Tensor, temperature: Float,
                             alpha: Float) throws -> Variable {
    let backend = student.backend
    let loss = try backend.allocate([1], dtype: .float32), gradient = try backend.allocate(student.shape, dtype: .float32)
    try backend.distillationLoss(student: student.value, teacher: teacher, labels: labels, temperature: temperature,
                                 alpha: alpha, loss: loss, gradStudent: gradient)
    return Tape.output(loss, inputs: [student]) { _ in try student.accumulate(gradient) }
}

/// Decoupled knowledge distillation `α·T²·TCKD + β·T²·NCKD + CE(s, y)` (Zhao et al., CVPR 2022; `SoftmaxOps`); the
/// teacher's logits are a constant tensor. A warm-up scales α and β.
public func decoupledDistillationLoss(student: Variable, teacher: Tensor, labels: Tensor, temperature: Float,
                                      alpha: Float, beta: Float) throws -> Variable {
    let backend = student.backend
    let loss = try backend.allocate([1], dtype: .float32), gradient = try backend.allocate(student.shape, dtype: .float32)
    try backend.decoupledDistillationLoss(student: student.value, teacher: teacher, labels: labels,
                                          temperature: temperature, alpha: alpha, beta: beta, loss: loss,
                                          gradStudent: gradient, terms: nil)
    return Tape.output(loss, inputs: [student]) { _ in try student.accumulate(gradient) }
}

/// `w/2 · mean((s − t)²)` over all elements, with the target `t` a constant: attention transfer's loss on one pair of
/// attention maps (`w` = β, the mean over all N·H·W elements as the paper's reference code) and the FitNets hint
/// loss on regressed student features. A terminal loss, like the others.
public func halfMeanSquaredError(_ input: Variable, target: Tensor, weight: Float) throws -> Variable {
    let backend = input.backend
    guard input.shape == target.shape else {
        throw CondenseError.shapeMismatch(op: "halfMeanSquaredError", expected: "target \(input.shape)",
                                          got: "\(target.shape)")
    }
    let difference = try backend.allocate(input.shape, dtype: .float32)
    try backend.copy(input.value, to: difference)
    try backend.axpy(alpha: -1, x: target, y: difference)
    let squares = try backend.allocate(input.shape, dtype: .float32), loss = try backend.allocate([1], dtype: .float32)
    try backend.multiply(difference, difference, output: squares)
    try backend.sum(input: squares, output: loss)
    let count = Float(max(input.value.count, 1))
    try backend.scale(loss, by: weight / (2 * count), output: loss)
    return Tape.output(loss, inputs: [input]) { _ in
        let gradient = try backend.allocate(input.shape, dtype: .float32)
        try backend.scale(difference, by: weight / count, output: gradient)
        try input.accumulate(gradient)
    }
}
