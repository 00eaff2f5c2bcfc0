import CondenseCore

extension CPUBackend: ElementwiseOps {
    public func activation(_ kind: Activation, input: Tensor, output: Tensor) throws {
        try ElementwiseValidation.sameCount("activation", input, output)
        let x = try input.cpuFloats("activation"), y = try output.cpuFloats("activation")
        timed("activation") {
            PointwiseKernels.forEachBlock(input.count) { PointwiseKernels.apply(kind, x + $0, y + $0, count: $1) }
        }
    }

    public func activationBackward(_ kind: Activation, output: Tensor, gradOutput: Tensor, gradInput: Tensor) throws {
        try ElementwiseValidation.sameCount("activationBackward", output, gradOutput, gradInput)
        let y = try output.cpuFloats("activationBackward"), dy = try gradOutput.cpuFloats("activationBackward")
        let dx = try gradInput.cpuFloats("activationBackward")
        timed("activationBackward") {
            PointwiseKernels.forEachBlock(output.count) {
                PointwiseKernels.mask(kind, output: y + $0, gradOutput: dy + $0, gradInput: dx + $0, count: $1)
            }
        }
    }

    public func add(_ a: Tensor, _ b: Tensor, output: Tensor) throws {
        try ElementwiseValidation.sameCount("add", a, b, output)
        let x = try a.cpuFloats("add"), y = try b.cpuFloats("add"), z = try output.cpuFloats("add")
        timed("add") {
            PointwiseKernels.forEachBlock(a.count) { start, count in
                for i in start..<(start + count) { z[i] = x[i] + y[i] }
            }
        }
    }

    public func axpy(alpha: Float, x: Tensor, y: Tensor) throws {
        try ElementwiseValidation.sameCount("axpy", x, y)
        let source = try x.cpuFloats("axpy"), target = try y.cpuFloats("axpy")
        timed("axpy") {
            PointwiseKernels.forEachBlock(x.count) { start, count in
                for i in start..<(start + count) { target[i] += alpha * source[i] }
            }
        }
    }

    public func scale(_ x: Tensor, by factor: Float, output: Tensor) throws {
        try ElementwiseValidation.sameCount("scale", x, output)
        let source = try x.cpuFloats("scale"), target = try output.cpuFloats("scale")
        PointwiseKernels.forEachBlock(x.count) { start, count in
            for i in start..<(start + count) { target[i] = factor * source[i] }
        }
    }

    public func multiply(_ a: Tensor, _ b: Tensor, output: Tensor) throws {
        try ElementwiseValidation.sameCount("multiply", a, b, output)
        let x = try a.cpuFloats("multiply"), y = try b.cpuFloats("multiply"), z = try output.cpuFloats("multiply")
        PointwiseKernels.forEachBlock(a.count) { start, count in
            for i in start..<(start + count) { z[i] = x[i] * y[i] }
        }
    }

    public func addChannelBias(_ bias: Tensor, to tensor: Tensor) throws {
        let (batch, channels, spatial) = try ElementwiseValidation.channels("addChannelBias", tensor: tensor, bias: bias)
        let b = try bias.cpuFloats("addChannelBias"), x = try tensor.cpuFloats("addChannelBias")
        for plane in 0..<(batch * channels) {
            let value = b[plane % channels], base = x + plane * spatial
            for i in 0..<spatial { base[i] += value }
        }
    }

    public func channelBiasGradient(gradOutput: Tensor, gradBias: Tensor) throws {
        let (batch, channels, spatial) = try ElementwiseValidation.channels("channelBiasGradient", tensor: gradOutput,
                                                                            bias: gradBias)
        let dy = try gradOutput.cpuFloats("channelBiasGradient"), db = try gradBias.cpuFloats("channelBiasGradient")
        for c in 0..<channels {
            var sum: Float = 0
            for n in 0..<batch { sum += ReductionKernels.sum(dy + (n * channels + c) * spatial, count: spatial) }
            db[c] = sum
        }
    }

    public func dropout(input: Tensor, output: Tensor, mask: Tensor, probability p: Float, seed: UInt32) throws {
        try ElementwiseValidation.probability(p)
        try ElementwiseValidation.sameCount("dropout", input, output, mask)
        let x = try input.cpuFloats("dropout"), y = try output.cpuFloats("dropout"), m = try mask.cpuFloats("dropout")
        let keep = 1 / (1 - p)
        for i in 0..<input.count {
            m[i] = dropoutUniform(seed: seed, index: UInt32(truncatingIfNeeded: i)) >= p ? keep : 0
            y[i] = x[i] * m[i]
        }
    }
}
