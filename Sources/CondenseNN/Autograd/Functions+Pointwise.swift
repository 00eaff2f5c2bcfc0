import CondenseCore

// Differentiable pointwise ops, shape changes and pooling.

/// `activation(x)`; the gradient mask comes from the output, as in PyTorch.
public func activation(_ kind: Activation, _ x: Variable) throws -> Variable {
    guard kind != .none else { return x }
    let backend = x.backend, output = try backend.allocate(x.shape, dtype: .float32)
    try backend.activation(kind, input: x.value, output: output)
    return Tape.output(output, inputs: [x]) { dy in
        let dx = try backend.allocate(x.shape, dtype: .float32)
        try backend.activationBackward(kind, output: output, gradOutput: dy, gradInput: dx)
        try x.accumulate(dx)
    }
}

/// `a + b` (residual connections).
public func add(_ a: Variable, _ b: Variable) throws -> Variable {
    let backend = a.backend, output = try backend.allocate(a.shape, dtype: .float32)
    try backend.add(a.value, b.value, output: output)
    return Tape.output(output, inputs: [a, b]) { dy in
        if a.requiresGrad { try a.accumulate(dy) }
        if b.requiresGrad {
            // a may now own dy as its gradient and accumulate into it later: b gets its own copy.
            let copy = try backend.allocate(dy.shape, dtype: .float32)
            try backend.copy(dy, to: copy)
            try b.accumulate(copy)
        }
    }
}

/// The same values seen with another shape (`flatten`).
public func reshape(_ x: Variable, _ shape: Shape) throws -> Variable {
    let output = try x.value.reshaped(shape)
    return Tape.output(output, inputs: [x]) { dy in try x.accumulate(try dy.reshaped(x.shape)) }
}

/// Global average pooling `[N, C, H, W] → [N, C]`.
public func globalAveragePool(_ x: Variable) throws -> Variable {
    let backend = x.backend, output = try backend.allocate([x.shape[0], x.shape[1]], dtype: .float32)
    try backend.globalAveragePool(input: x.value, output: output)
    return Tape.output(output, inputs: [x]) { dy in
        let dx = try backend.allocate(x.shape, dtype: .float32)
        try backend.globalAveragePoolBackward(gradOutput: dy, gradInput: dx)
        try x.accumulate(dx)
    }
}

/// Max pooling (the ResNet stem for large images).
public func maxPool2d(_ x: Variable, _ p: Pool2dParameters) throws -> Variable {
    let backend = x.backend
    let g = WindowGeometry(input: x.shape, outputChannels: x.shape[1], kernel: (p.kernelHeight, p.kernelWidth),
                           stride: (p.strideHeight, p.strideWidth), padding: (p.paddingHeight, p.paddingWidth),
                           dilation: (1, 1))
    let output = try backend.allocate(g.windowFits ? g.outputShape : x.shape, dtype: .float32)
    let indices = try backend.allocate(output.shape, dtype: .int32)
    try backend.maxPool2d(input: x.value, output: output, indices: indices, parameters: p)
    return Tape.output(output, inputs: [x]) { dy in
        let dx = try backend.allocate(x.shape, dtype: .float32)
        try backend.maxPool2dBackward(gradOutput: dy, indices: indices, gradInput: dx, parameters: p)
        try x.accumulate(dx)
    }
}

/// Inverted dropout with probability `p` and a seed (identity when `p` is 0).
public func dropout(_ x: Variable, probability p: Float, seed: UInt32) throws -> Variable {
    guard p > 0 else { return x }
    let backend = x.backend
    let output = try backend.allocate(x.shape, dtype: .float32), mask = try backend.allocate(x.shape, dtype: .float32)
    try backend.dropout(input: x.value, output: output, mask: mask, probability: p, seed: seed)
    return Tape.output(output, inputs: [x]) { dy in
        let dx = try backend.allocate(x.shape, dtype: .float32)
        try backend.multiply(dy, mask, output: dx)
        try x.accumulate(dx)
    }
}

/// `x·Wᵀ + b` for `x` `[N, in]`, `W` `[out, in]`, `b` `[out]` (PyTorch's `Linear`).
public func linear(_ x: Variable, weight: Variable, bias: Variable?) throws -> Variable {
    let backend = x.backend
    let (batch, inputs, outputs) = (x.shape[0], x.shape.count / max(x.shape[0], 1), weight.shape[0])
    guard weight.shape == [outputs, inputs] else {
        throw CondenseError.shapeMismatch(op: "linear", expected: "weight [\(outputs), \(inputs)]",
                                          got: "\(weight.shape)")
    }
    let output = try backend.allocate([batch, outputs], dtype: .float32)
    try backend.gemm(x.value, weight.value, output, GemmDescriptor(m: batch, n: outputs, k: inputs, transposeB: true))
    if let bias { try backend.addChannelBias(bias.value, to: output) }
    return Tape.output(output, inputs: [x, weight, bias]) { dy in
        if x.requiresGrad {
            let dx = try backend.allocate(x.shape, dtype: .float32)
            try backend.gemm(dy, weight.value, dx, GemmDescriptor(m: batch, n: inputs, k: outputs))
            try x.accumulate(dx)
        }
        if weight.requiresGrad {
            let dw = try backend.allocate(weight.shape, dtype: .float32)
            try backend.gemm(dy, x.value, dw, GemmDescriptor(m: outputs, n: inputs, k: batch, transposeA: true))
            try weight.accumulate(dw)
        }
        if let bias, bias.requiresGrad {
            let db = try backend.allocate(bias.shape, dtype: .float32)
            try backend.sumColumns(input: dy, output: db)
            try bias.accumulate(db)
        }
    }
}
