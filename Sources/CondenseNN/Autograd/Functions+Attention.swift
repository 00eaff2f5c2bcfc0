import CondenseCore

/// The normalized attention map `Q̂ = normalize(mean_c(A²))` `[N, H·W]` of features `A` (attention transfer).
public func attentionMap(_ features: Variable) throws -> Variable {
    let backend = features.backend, shape = features.shape
    let map = try backend.allocate([shape[0], shape.count / max(shape[0] * shape[1], 1)], dtype: .float32)
    let norms = try backend.allocate([shape[0]], dtype: .float32)
    try backend.attentionMap(features: features.value, map: map, norms: norms)
    return Tape.output(map, inputs: [features]) { dy in
        let dx = try backend.allocate(shape, dtype: .float32)
        try backend.attentionMapBackward(features: features.value, map: map, norms: norms, gradMap: dy, gradFeatures: dx)
        try features.accumulate(dx)
    }
}

/// `β/2 · mean((Q̂ₛ − Q̂ₜ)²)` for one pair of attention maps (the mean over all N·H·W elements, as the paper's
/// reference code), with the teacher's map a constant. A terminal loss, like the others.
public func attentionTransferLoss(student: Variable, teacher: Tensor, beta: Float) throws -> Variable {
    let backend = student.backend
    guard student.shape == teacher.shape else {
        throw CondenseError.shapeMismatch(op: "attentionTransferLoss", expected: "teacher map \(student.shape)",
                                          got: "\(teacher.shape)")
    }
    let difference = try backend.allocate(student.shape, dtype: .float32)
    try backend.copy(student.value, to: difference)
    try backend.axpy(alpha: -1, x: teacher, y: difference)
    let squares = try backend.allocate(student.shape, dtype: .float32), loss = try backend.allocate([1], dtype: .float32)
    try backend.multiply(difference, difference, output: squares)
    try backend.sum(input: squares, output: loss)
    let count = Float(max(student.value.count, 1))
    try backend.scale(loss, by: beta / (2 * count), output: loss)
    return Tape.output(loss, inputs: [student]) { _ in
        let gradient = try backend.allocate(student.shape, dtype: .float32)
        try backend.scale(difference, by: beta / count, output: gradient)
        try student.accumulate(gradient)
    }
}
