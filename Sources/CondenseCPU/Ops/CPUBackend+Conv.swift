import CondenseCore

/// Convolution on the CPU. 3×3, stride-1, padding-1 convolutions go to Winograd F(2×2, 3×3)
/// (`WinogradConvolution`); the others run sample by sample: each core takes a contiguous range of samples and, per
/// sample, unfolds it into a column scratch that stays in cache (none for 1×1 stride-1 convolutions) and runs
/// single-threaded OpenBLAS GEMMs on it, so unfolding, GEMM and folding of a sample never wait for the others.
extension CPUBackend: ConvOps {
    public func conv2d(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor, parameters p: Conv2dParameters) throws {
        let g = try p.geometry("conv2d", input: input, weight: weight, bias: bias, output: output)
        let x = try input.cpuFloats("conv2d"), w = try weight.cpuFloats("conv2d"), y = try output.cpuFloats("conv2d")
        let b = try bias?.cpuFloats("conv2d")
        if let winograd = WinogradConvolution(g, p) { return timed("conv2d") { winograd.forward(x, w, bias: b, y) } }
        let s = SampleLayout(g, p)
        timed("conv2d") {
            forEachSample(s, unfolding: true) { n, columns in
                for group in 0..<p.groups {
                    columnSgemm(m: s.og, n: s.hw, k: s.k, w + group * s.og * s.k, lda: s.k,
                                columns.map { $0 + group * s.k * s.hw } ?? x + s.inputOffset(n, group), ldb: s.hw,
                                y + s.outputOffset(n, group), ldc: s.hw)
                }
                guard let b else { return }
                for o in 0..<g.outputChannels {
                    let row = y + (n * g.outputChannels + o) * s.hw, value = b[o]
                    for i in 0..<s.hw { row[i] += value }
                }
            } unfold: { n, columns in ColumnKernels.im2col(g, sample: x + n * s.inputSampleSize, columns: columns) }
        }
    }

    /// The input gradient, then the weight gradient: each its own pass over the samples.
    public func conv2dBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, gradInput: Tensor?,
                               gradWeight: Tensor?, gradBias: Tensor?, parameters p: Conv2dParameters) throws {
        if let gradInput { try inputGradient(gradOutput: gradOutput, weight: weight, gradInput: gradInput, parameters: p) }
        if let gradWeight {
            try weightGradient(input: input, gradOutput: gradOutput, gradWeight: gradWeight, gradBias: gradBias,
                               parameters: p)
        }
    }

    private func inputGradient(gradOutput: Tensor, weight: Tensor, gradInput: Tensor,
                               parameters p: Conv2dParameters) throws {
        let op = "conv2dBackwardInput"
        let g = try p.geometry(op, input: gradInput, weight: weight, bias: nil, output: gradOutput)
        let dy = try gradOutput.cpuFloats(op), w = try weight.cpuFloats(op), dx = try gradInput.cpuFloats(op)
        if let winograd = WinogradConvolution(g, p) { return timed(op) { winograd.inputGradient(dy, w, dx) } }
        let s = SampleLayout(g, p)
        timed(op) {
            forEachSample(s, unfolding: false) { n, columns in
                for group in 0..<p.groups {
                    columnSgemm(transposeA: true, m: s.k, n: s.hw, k: s.og, w + group * s.og * s.k, lda: s.k,
                                dy + s.outputOffset(n, group), ldb: s.hw,
                                columns.map { $0 + group * s.k * s.hw } ?? dx + s.inputOffset(n, group), ldc: s.hw)
                }
                if let columns { ColumnKernels.col2im(g, columns: columns, sample: dx + n * s.inputSampleSize) }
            }
        }
    }

    /// The weight gradient sums over samples: each core sums its own range into its own partial (the first into
    /// `gradWeight` itself), and the partials are added in range order, so results do not depend on timing.
    private func weightGradient(input: Tensor, gradOutput: Tensor, gradWeight: Tensor, gradBias: Tensor?,
                                parameters p: Conv2dParameters) throws {
        let op = "conv2dBackwardWeight"
        let g = try p.geometry(op, input: input, weight: gradWeight, bias: gradBias, output: gradOutput)
        let x = try input.cpuFloats(op), dy = try gradOutput.cpuFloats(op), dw = try gradWeight.cpuFloats(op)
        if let gradBias { try channelBiasGradient(gradOutput: gradOutput, gradBias: gradBias) }
        if let winograd = WinogradConvolution(g, p) { return timed(op) { winograd.weightGradient(x, dy, dw) } }
        let s = SampleLayout(g, p), weightCount = gradWeight.count
        let parts = max(1, min(g.batch, HostParallel.workers))
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: (parts - 1) * weightCount)
        defer { partials.deallocate() }
        dw.update(repeating: 0, count: weightCount)
        timed(op) {
            HostParallel.forEachRange(g.batch, parts: parts) { part, samples in
                let target = part == 0 ? dw : partials + (part - 1) * weightCount
                let columns = s.unfolds ? UnsafeMutablePointer<Float>.allocate(capacity: s.columnSize) : nil
                defer { columns?.deallocate() }
                for n in samples {
                    if let columns { ColumnKernels.im2col(g, sample: x + n * s.inputSampleSize, columns: columns) }
                    for group in 0..<p.groups {
                        hostSgemm(transposeB: true, m: s.og, n: s.k, k: s.hw, dy + s.outputOffset(n, group), lda: s.hw,
                                  columns.map { $0 + group * s.k * s.hw } ?? x + s.inputOffset(n, group), ldb: s.hw,
                                  beta: n == samples.lowerBound ? 0 : 1, target + group * s.og * s.k, ldc: s.k)
                    }
                }
            }
            for part in 1..<parts {
                let partial = partials + (part - 1) * weightCount
                for i in 0..<weightCount { dw[i] += partial[i] }
            }
        }
    }

    /// Runs `body(sample, columns)` for every sample, spread over the cores in contiguous ranges. `columns` is a
    /// per-core scratch for one sample's column matrix (nil for 1×1 stride-1 convolutions, whose input is its own
    /// column matrix), filled by `unfold` first when `unfolding`.
    private func forEachSample(_ s: SampleLayout, unfolding: Bool, _ body: (Int, UnsafeMutablePointer<Float>?) -> Void,
                               unfold: (Int, UnsafeMutablePointer<Float>) -> Void = { _, _ in }) {
        HostParallel.forEachRange(s.batch) { _, samples in
            let columns = s.unfolds ? UnsafeMutablePointer<Float>.allocate(capacity: s.columnSize) : nil
            defer { columns?.deallocate() }
            for n in samples {
                if unfolding, let columns { unfold(n, columns) }
                body(n, columns)
            }
        }
    }
}

/// Where one sample's and one group's matrices lie in the NCHW tensors of a convolution.
private struct SampleLayout {
    let batch: Int, hw: Int, og: Int, k: Int, cg: Int
    let inputChannels: Int, outputChannels: Int
    let inputSampleSize: Int, columnSize: Int
    /// Whether the input must be unfolded (anything but a 1×1 stride-1 unpadded convolution).
    let unfolds: Bool

    init(_ g: WindowGeometry, _ p: Conv2dParameters) {
        batch = g.batch
        hw = g.columnCount
        og = g.outputChannels / p.groups
        k = g.columnRows / p.groups
        cg = g.inputChannels / p.groups
        (inputChannels, outputChannels) = (g.inputChannels, g.outputChannels)
        inputSampleSize = g.inputChannels * g.inputHeight * g.inputWidth
        columnSize = g.columnRows * g.columnCount
        unfolds = !p.isPointwise
    }

    /// Offset of sample `n`, group `group` in the input (`[cg, H·W]`, which is `[k, hw]` for pointwise convolutions).
    func inputOffset(_ n: Int, _ group: Int) -> Int { (n * inputChannels + group * cg) * hw }
    /// Offset of sample `n`, group `group` in the output (`[og, hw]`).
    func outputOffset(_ n: Int, _ group: Int) -> Int { (n * outputChannels + group * og) * hw }
}
