import CondenseCore

/// Fake quantization (ARCHITECTURE.md §4) as a differentiable op: `x` gets the straight-through gradient (`dy` where the
/// rounded value lies in `[qmin, qmax]`, 0 elsewhere) and, when `scale` requires a gradient, the scale gets LSQ's
/// (learned step size). `scale` and `zeroPoint` are `[1]` per tensor or `[channels]` along `axis`.
public func fakeQuantize(_ x: Variable, scale: Variable, zeroPoint: Tensor, axis: Int?, qmin: Int,
                         qmax: Int) throws -> Variable {
    let backend = x.backend, output = try backend.allocate(x.shape, dtype: .float32)
    let scaleValue = scale.value
    try backend.fakeQuantize(input: x.value, scale: scaleValue, zeroPoint: zeroPoint, axis: axis, qmin: qmin,
                             qmax: qmax, output: output)
    return Tape.output(output, inputs: [x, scale]) { dy in
        let dx = try backend.allocate(x.shape, dtype: .float32)
        let dScale = scale.requiresGrad ? try backend.allocate(scale.shape, dtype: .float32) : nil
        try backend.fakeQuantizeBackward(input: x.value, gradOutput: dy, scale: scaleValue, zeroPoint: zeroPoint,
                                         axis: axis, qmin: qmin, qmax: qmax, gradInput: dx, gradScale: dScale)
        if x.requiresGrad { try x.accumulate(dx) }
        if let dScale { try scale.accumulate(dScale) }
    }
}
