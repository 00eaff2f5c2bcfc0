import CondenseCore

extension CPUBackend: PoolingOps {
    public func maxPool2d(input: Tensor, output: Tensor, indices: Tensor, parameters: Pool2dParameters) throws {
        let g = try parameters.geometry("maxPool2d", input: input, output: output, indices: indices)
        let x = try input.cpuFloats("maxPool2d"), y = try output.cpuFloats("maxPool2d")
        let i = try indices.cpuPointer("maxPool2d", dtype: .int32, as: Int32.self)
        parallelPlanes(g.batch * g.inputChannels) { PoolingKernels.maxForward(g, plane: $0, input: x, output: y, indices: i) }
    }

    public func maxPool2dBackward(gradOutput: Tensor, indices: Tensor, gradInput: Tensor,
                                  parameters: Pool2dParameters) throws {
        let g = try parameters.geometry("maxPool2dBackward", input: gradInput, output: gradOutput, indices: indices)
        let dy = try gradOutput.cpuFloats("maxPool2dBackward"), dx = try gradInput.cpuFloats("maxPool2dBackward")
        let i = try indices.cpuPointer("maxPool2dBackward", dtype: .int32, as: Int32.self)
        parallelPlanes(g.batch * g.inputChannels) {
            PoolingKernels.maxBackward(g, plane: $0, gradOutput: dy, indices: i, gradInput: dx)
        }
    }

    public func globalAveragePool(input: Tensor, output: Tensor) throws {
        let (planes, spatial) = try globalPoolExtents("globalAveragePool", image: input, pooled: output)
        let x = try input.cpuFloats("globalAveragePool"), y = try output.cpuFloats("globalAveragePool")
        for plane in 0..<planes { y[plane] = ReductionKernels.sum(x + plane * spatial, count: spatial) / Float(spatial) }
    }

    public func globalAveragePoolBackward(gradOutput: Tensor, gradInput: Tensor) throws {
        let (planes, spatial) = try globalPoolExtents("globalAveragePoolBackward", image: gradInput, pooled: gradOutput)
        let dy = try gradOutput.cpuFloats("globalAveragePoolBackward")
        let dx = try gradInput.cpuFloats("globalAveragePoolBackward")
        for plane in 0..<planes { (dx + plane * spatial).update(repeating: dy[plane] / Float(spatial), count: spatial) }
    }
}
