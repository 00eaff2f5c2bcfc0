import CondenseCore

// Differentiable convolutions: forward on the backend, backward closures that compute only the gradients an input
// needs (an image batch needs none).

/// `conv2d(x, weight) + bias` through the depthwise op when every input channel is its own group (weight
/// `[C·m, 1, kh, kw]`), else through the grouped im2col + GEMM op.
public func convolution(_ x: Variable, weight: Variable, bias: Variable?, _ p: Conv2dParameters) throws -> Variable {
    guard p.groups > 1, weight.shape[1] == 1 else { return try conv2d(x, weight: weight, bias: bias, p) }
    return try depthwiseConv2d(x, weight: weight, bias: bias,
                               DepthwiseConv2dParameters(kernel: (p.kernelHeight, p.kernelWidth),
                                                         stride: (p.strideHeight, p.strideWidth),
                                                         padding: (p.paddingHeight, p.paddingWidth),
                                                         dilation: (p.dilationHeight, p.dilationWidth),
                                                         multiplier: weight.shape[0] / p.groups))
}

/// `conv2d(x, weight) + bias` (grouped; PyTorch semantics).
public func conv2d(_ x: Variable, weight: Variable, bias: Variable?, _ p: Conv2dParameters) throws -> Variable {
    let backend = x.backend
    let g = WindowGeometry(input: x.shape, outputChannels: weight.shape[0], kernel: (p.kernelHeight, p.kernelWidth),
                           stride: (p.strideHeight, p.strideWidth), padding: (p.paddingHeight, p.paddingWidth),
                           dilation: (p.dilationHeight, p.dilationWidth))
    let output = try backend.allocate(g.windowFits ? g.outputShape : x.shape, dtype: .float32)
    try backend.conv2d(input: x.value, weight: weight.value, bias: bias?.value, output: output, parameters: p)
    return Tape.output(output, inputs: [x, weight, bias]) { dy in
        let dx = x.requiresGrad ? try backend.allocate(x.shape, dtype: .float32) : nil
        let weightGradients = weight.requiresGrad || bias?.requiresGrad == true
        let dw = weightGradients ? try backend.allocate(weight.shape, dtype: .float32) : nil
        let db = weightGradients ? try bias.map { try backend.allocate($0.shape, dtype: .float32) } : nil
        try backend.conv2dBackward(gradOutput: dy, input: x.value, weight: weight.value, gradInput: dx, gradWeight: dw,
                                   gradBias: db, parameters: p)
        if let dx { try x.accumulate(dx) }
        if let dw { try weight.accumulate(dw) }
        if let bias, let db { try bias.accumulate(db) }
    }
}

/// Depthwise convolution (groups = channels, multiplier `p.multiplier`) with optional fused bias and ReLU6; the
/// backward pass masks the fused activation from the output before the convolution gradients.
public func depthwiseConv2d(_ x: Variable, weight: Variable, bias: Variable?, _ p: DepthwiseConv2dParameters) throws
    -> Variable {
    let backend = x.backend
    let g = WindowGeometry(input: x.shape, outputChannels: x.shape[1] * p.multiplier,
                           kernel: (p.kernelHeight, p.kernelWidth), stride: (p.strideHeight, p.strideWidth),
                           padding: (p.paddingHeight, p.paddingWidth), dilation: (p.dilationHeight, p.dilationWidth))
    let output = try backend.allocate(g.windowFits ? g.outputShape : x.shape, dtype: .float32)
    try backend.depthwiseConv2d(input: x.value, weight: weight.value, bias: bias?.value, output: output, parameters: p)
    return Tape.output(output, inputs: [x, weight, bias]) { dy in
        let masked = try maskedGradient(dy, output: output, activation: p.activation)
        if x.requiresGrad {
            let dx = try backend.allocate(x.shape, dtype: .float32)
            try backend.depthwiseConv2dBackwardInput(gradOutput: masked, weight: weight.value, gradInput: dx,
                                                     parameters: p)
            try x.accumulate(dx)
        }
        if weight.requiresGrad || bias?.requiresGrad == true {
            let dw = try backend.allocate(weight.shape, dtype: .float32)
            let db = try bias.map { try backend.allocate($0.shape, dtype: .float32) }
            try backend.depthwiseConv2dBackwardWeight(input: x.value, gradOutput: masked, gradWeight: dw, gradBias: db,
                                                      parameters: p)
            try weight.accumulate(dw)
            if let bias, let db { try bias.accumulate(db) }
        }
    }
}
