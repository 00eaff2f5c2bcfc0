import CondenseCore

/// PyTorch's `clip_grad_norm_`: the L2 norm of all gradients together; when it exceeds `maxNorm` every gradient is
/// scaled by `maxNorm / (norm + 1e-6)`. Returns the norm before clipping. Reads one number back from the device.
@discardableResult
public func clipGradientNorm(_ parameters: [Variable], maxNorm: Float) throws -> Float {
    guard maxNorm > 0 else {
        throw CondenseError.invalidArgument(op: "clipGradientNorm", "max norm must be > 0, got \(maxNorm)")
    }
    let gradients = parameters.compactMap(\.grad)
    guard let backend = gradients.first?.backend else { return 0 }
    let total = try backend.full([1], value: 0), partial = try backend.allocate([1], dtype: .float32)
    for gradient in gradients {
        let squares = try backend.allocate(gradient.shape, dtype: .float32)
        try backend.multiply(gradient, gradient, output: squares)
        try backend.sum(input: squares, output: partial)
        try backend.axpy(alpha: 1, x: partial, y: total)
    }
    let norm = try total.toHost()[0].squareRoot()
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 {
        for gradient in gradients { try backend.scale(gradient, by: factor, output: gradient) }
    }
    return norm
}
