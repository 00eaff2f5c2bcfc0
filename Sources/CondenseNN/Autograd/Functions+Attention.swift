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
