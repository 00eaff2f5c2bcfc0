/// 2-D convolution on any backend: im2col (skipped for 1×1 stride-1 convolutions) and GEMM per group, batched over
/// the samples of a chunk, so OpenBLAS or CLBlast does the arithmetic. Samples are processed in chunks whose column
/// matrices stay under `columnBudget` elements.
public extension ConvOps where Self: Backend {
    /// Largest column scratch, in elements, one chunk may use (64 MiB of float32).
    static var columnBudget: Int { 16 << 20 }

    /// `output = conv2d(input, weight) + bias` (PyTorch semantics, grouped).
    func conv2d(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor, parameters p: Conv2dParameters) throws {
        let g = try p.geometry("conv2d", input: input, weight: weight, bias: bias, output: output)
        let (cg, og, k, hw) = (g.inputChannels / p.groups, g.outputChannels / p.groups,
                               g.columnRows / p.groups, g.columnCount)
        try forEachChunk(g, p, unfolding: input) { first, count, columns in
            for group in 0..<p.groups {
                var d = GemmDescriptor(m: og, n: hw, k: k, batchCount: count)
                d.offsetA = group * og * k
                d.strideA = 0
                (d.offsetB, d.strideB) = columns == nil
                    ? ((first * g.inputChannels + group * cg) * hw, g.inputChannels * hw)
                    : (group * k * hw, g.columnRows * hw)
                (d.offsetC, d.strideC) = ((first * g.outputChannels + group * og) * hw, g.outputChannels * hw)
                try gemm(weight, columns ?? input, output, d)
            }
        }
        if let bias { try addChannelBias(bias, to: output) }
    }

    /// `gradInput = ∂L/∂input`: Wᵀ·dY per group into columns, then col2im (or straight into gradInput for 1×1).
    func conv2dBackwardInput(gradOutput: Tensor, weight: Tensor, gradInput: Tensor, parameters p: Conv2dParameters) throws {
        let g = try p.geometry("conv2dBackwardInput", input: gradInput, weight: weight, bias: nil, output: gradOutput)
        let (cg, og, k, hw) = (g.inputChannels / p.groups, g.outputChannels / p.groups,
                               g.columnRows / p.groups, g.columnCount)
        try forEachChunk(g, p, unfolding: nil) { first, count, columns in
            for group in 0..<p.groups {
                var d = GemmDescriptor(m: k, n: hw, k: og, transposeA: true, batchCount: count)
                d.offsetA = group * og * k
                d.strideA = 0
                (d.offsetB, d.strideB) = ((first * g.outputChannels + group * og) * hw, g.outputChannels * hw)
                (d.offsetC, d.strideC) = columns == nil
                    ? ((first * g.inputChannels + group * cg) * hw, g.inputChannels * hw)
                    : (group * k * hw, g.columnRows * hw)
                try gemm(weight, gradOutput, columns ?? gradInput, d)
            }
            if let columns {
                try col2im(columns: columns, gradInput: gradInput, geometry: g, firstSample: first, sampleCount: count)
            }
        }
    }

    /// `gradWeight = Σₙ dYₙ·colsₙᵀ` per group and, unless nil, `gradBias = Σ dY` per output channel: one batched
    /// GEMM per chunk and group writes every sample's product, and one column sum adds them up (a GEMM per sample
    /// costs a launch each, thousands per training step).
    func conv2dBackwardWeight(input: Tensor, gradOutput: Tensor, gradWeight: Tensor, gradBias: Tensor?,
                              parameters p: Conv2dParameters) throws {
        let g = try p.geometry("conv2dBackwardWeight", input: input, weight: gradWeight, bias: gradBias,
                               output: gradOutput)
        let (cg, og, k, hw) = (g.inputChannels / p.groups, g.outputChannels / p.groups,
                               g.columnRows / p.groups, g.columnCount)
        let weightCount = gradWeight.count, flatWeight = try gradWeight.reshaped([weightCount])
        try forEachChunk(g, p, unfolding: input, maxSamples: Self.columnBudget / max(weightCount, 1)) { first, count, columns in
            let products = try allocate([count, weightCount], dtype: .float32)
            for group in 0..<p.groups {
                var d = GemmDescriptor(m: og, n: k, k: hw, transposeB: true, batchCount: count)
                (d.offsetA, d.strideA) = ((first * g.outputChannels + group * og) * hw, g.outputChannels * hw)
                (d.offsetB, d.strideB) = columns == nil
                    ? ((first * g.inputChannels + group * cg) * hw, g.inputChannels * hw)
                    : (group * k * hw, g.columnRows * hw)
                (d.offsetC, d.strideC) = (group * og * k, weightCount)
                try gemm(gradOutput, columns ?? input, products, d)
            }
            guard first > 0 else { return try sumColumns(input: products, output: flatWeight) }
            let sum = try allocate([weightCount], dtype: .float32)
            try sumColumns(input: products, output: sum)
            try axpy(alpha: 1, x: sum, y: flatWeight)
        }
        if let gradBias { try channelBiasGradient(gradOutput: gradOutput, gradBias: gradBias) }
    }

    /// Calls `body(firstSample, sampleCount, columns)` for chunks of at most `maxSamples` samples with a column
    /// scratch, filled from `input` by im2col when given; `columns` is nil for pointwise convolutions, whose input
    /// already is the column matrix.
    private func forEachChunk(_ g: WindowGeometry, _ p: Conv2dParameters, unfolding input: Tensor?,
                              maxSamples: Int = .max, _ body: (Int, Int, Tensor?) throws -> Void) throws {
        let perSample = p.isPointwise ? 0 : max(g.columnRows * g.columnCount, 1)
        let chunk = max(1, min(g.batch, maxSamples, perSample == 0 ? .max : Self.columnBudget / perSample))
        let columns = perSample == 0 ? nil : try allocate([chunk * perSample], dtype: .float32)
        for first in stride(from: 0, to: g.batch, by: chunk) {
            let count = min(chunk, g.batch - first)
            if let input, let columns {
                try im2col(input: input, columns: columns, geometry: g, firstSample: first, sampleCount: count)
            }
            try body(first, count, columns)
        }
    }
}
