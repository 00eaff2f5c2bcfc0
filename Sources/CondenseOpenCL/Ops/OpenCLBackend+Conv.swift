import CondenseCore

/// `ConvOps` as channel-major GEMMs, so CLBlast (or `Kernels/gemm.cl`) does the arithmetic. A chunk of samples is
/// laid out as `[K, S·H·W]` — the input's channels (1×1 stride-1 convolutions) or im2col's rows, with the chunk's
/// samples side by side — so each group is one GEMM with N = S·H·W (or K = S·H·W for the weight gradient) instead of
/// S small ones, which GEMM libraries run far below their peak. im2col and col2im (`OpenCLBackend+Columns.swift`)
/// write and read that layout directly; `swapLeadingAxes` (`OpenCLBackend+Layout.swift`) moves the other NCHW tensors
/// in and out of it. Chunks keep each scratch matrix under `columnBudget` elements.
extension OpenCLBackend: ConvOps {
    /// Largest scratch matrix, in elements, one chunk may use (64 MiB of float32).
    static var columnBudget: Int { 16 << 20 }

    public func conv2d(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor, parameters p: Conv2dParameters) throws {
        let g = try p.geometry("conv2d", input: input, weight: weight, bias: bias, output: output)
        let l = ChannelMajorLayout(g, p)
        try l.forEachChunk(budget: Self.columnBudget) { first, count in
            let columns = try channelMajorColumns(input, l, first, count)
            let products = try allocate([l.outputChannels * count * l.hw], dtype: .float32)
            var d = l.groupGemm(m: l.og, n: count * l.hw, k: l.k)
            (d.strideA, d.strideB, d.strideC) = (l.og * l.k, l.k * count * l.hw, l.og * count * l.hw)
            try gemm(weight, columns, products, d)
            try swapLeadingAxes(input: products, inputOffset: 0, output: output,
                                outputOffset: first * l.outputChannels * l.hw, a: l.outputChannels, b: count,
                                plane: l.hw)
        }
        if let bias { try addChannelBias(bias, to: output) }
    }

    /// Each chunk's output gradient is moved to `[C_out, S·H·W]` once for both gradients. The input gradient is
    /// Wᵀ·dY per group into channel-major columns, then back to NCHW; the weight gradient is `Σₙ dYₙ·colsₙᵀ` per
    /// group — one GEMM per chunk whose inner dimension runs over every sample's positions, accumulating into
    /// `gradWeight` chunk after chunk.
    public func conv2dBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, gradInput: Tensor?,
                               gradWeight: Tensor?, gradBias: Tensor?, parameters p: Conv2dParameters) throws {
        if let gradInput {
            _ = try p.geometry("conv2dBackwardInput", input: gradInput, weight: weight, bias: nil, output: gradOutput)
        }
        if let gradWeight {
            _ = try p.geometry("conv2dBackwardWeight", input: input, weight: gradWeight, bias: gradBias,
                               output: gradOutput)
        }
        guard gradInput != nil || gradWeight != nil else { return }
        let l = ChannelMajorLayout(try p.geometry("conv2dBackward", input: input, weight: weight, bias: nil,
                                                  output: gradOutput), p)
        try l.forEachChunk(budget: Self.columnBudget) { first, count in
            let gradProducts = try channelMajorGradOutput(gradOutput, l, first, count)
            if let gradInput { try backwardInput(gradProducts, weight, gradInput, l, first, count) }
            if let gradWeight {
                let columns = try channelMajorColumns(input, l, first, count)
                var d = l.groupGemm(m: l.og, n: l.k, k: count * l.hw, transposeB: true, beta: first == 0 ? 0 : 1)
                (d.strideA, d.strideB, d.strideC) = (l.og * count * l.hw, l.k * count * l.hw, l.og * l.k)
                try gemm(gradProducts, columns, gradWeight, d)
            }
        }
        if gradWeight != nil, let gradBias { try channelBiasGradient(gradOutput: gradOutput, gradBias: gradBias) }
    }

    /// One chunk's input gradient from its channel-major output gradient: Wᵀ·dY per group into channel-major
    /// columns, then back to NCHW (col2im, or a plain layout swap for 1×1 stride-1 convolutions).
    private func backwardInput(_ gradProducts: Tensor, _ weight: Tensor, _ gradInput: Tensor, _ l: ChannelMajorLayout,
                               _ first: Int, _ count: Int) throws {
        let gradColumns = try allocate([l.columnRows * count * l.hw], dtype: .float32)
        var d = l.groupGemm(m: l.k, n: count * l.hw, k: l.og, transposeA: true)
        (d.strideA, d.strideB, d.strideC) = (l.og * l.k, l.og * count * l.hw, l.k * count * l.hw)
        try gemm(weight, gradProducts, gradColumns, d)
        guard l.unfolds else {
            return try swapLeadingAxes(input: gradColumns, inputOffset: 0, output: gradInput,
                                       outputOffset: first * l.inputChannels * l.hw, a: l.inputChannels, b: count,
                                       plane: l.hw)
        }
        try col2im(columns: gradColumns, gradInput: gradInput, geometry: l.geometry, firstSample: first,
                   sampleCount: count)
    }

    /// The chunk's GEMM input `[K, S·H·W]`: its samples' channels side by side, or their im2col rows.
    private func channelMajorColumns(_ input: Tensor, _ l: ChannelMajorLayout, _ first: Int, _ count: Int) throws -> Tensor {
        let columns = try allocate([l.columnRows * count * l.hw], dtype: .float32)
        if l.unfolds {
            try im2col(input: input, columns: columns, geometry: l.geometry, firstSample: first, sampleCount: count)
        } else {
            try swapLeadingAxes(input: input, inputOffset: first * l.inputChannels * l.hw, output: columns,
                                outputOffset: 0, a: count, b: l.inputChannels, plane: l.hw)
        }
        return columns
    }

    /// The chunk's output gradient as `[C_out, S·H·W]`.
    private func channelMajorGradOutput(_ gradOutput: Tensor, _ l: ChannelMajorLayout, _ first: Int,
                                        _ count: Int) throws -> Tensor {
        let products = try allocate([l.outputChannels * count * l.hw], dtype: .float32)
        try swapLeadingAxes(input: gradOutput, inputOffset: first * l.outputChannels * l.hw, output: products,
                            outputOffset: 0, a: count, b: l.outputChannels, plane: l.hw)
        return products
    }
}

/// The sizes of a convolution's channel-major GEMMs: per group, `og` output channels, `k` column rows, and `hw`
/// output positions per sample.
private struct ChannelMajorLayout {
    let geometry: WindowGeometry
    let groups: Int, og: Int, k: Int, hw: Int
    let inputChannels: Int, outputChannels: Int, columnRows: Int
    /// Whether the input goes through im2col (anything but a 1×1 stride-1 unpadded convolution).
    let unfolds: Bool

    init(_ g: WindowGeometry, _ p: Conv2dParameters) {
        geometry = g
        groups = p.groups
        og = g.outputChannels / p.groups
        k = g.columnRows / p.groups
        hw = g.columnCount
        (inputChannels, outputChannels, columnRows) = (g.inputChannels, g.outputChannels, g.columnRows)
        unfolds = !p.isPointwise
    }

    /// One GEMM per group, batched: the caller sets the strides between groups.
    func groupGemm(m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false,
                   beta: Float = 0) -> GemmDescriptor {
        GemmDescriptor(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, beta: beta,
                       batchCount: groups)
    }

    /// Calls `body(firstSample, sampleCount)` for chunks of samples whose largest scratch matrix (columns or
    /// outputs) stays under `budget` elements.
    func forEachChunk(budget: Int, _ body: (Int, Int) throws -> Void) throws {
        let perSample = max(max(columnRows, outputChannels) * hw, 1)
        let chunk = max(1, min(geometry.batch, budget / perSample))
        for first in stride(from: 0, to: geometry.batch, by: chunk) {
            try body(first, min(chunk, geometry.batch - first))
        }
    }
}
