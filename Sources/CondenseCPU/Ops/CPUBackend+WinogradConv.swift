import CondenseCore

/// 3×3, stride-1, padding-1 convolutions (ResNet's body) by Winograd F(2×2, 3×3) (`WinogradKernels`): 16 GEMMs
/// over transformed tiles instead of one im2col GEMM, 2.25× fewer multiplies and no 9× column matrix. Each core takes
/// a contiguous range of samples, a chunk of samples whose tiles stay in its cache at a time, for the forward pass,
/// the input gradient (the same convolution of the output gradient with the rotated, transposed kernels) and the
/// weight gradient, whose per-core partial sums are added in range order (deterministic).
struct WinogradConvolution {
    let batch: Int, inputChannels: Int, outputChannels: Int
    let tiling: WinogradTiling
    /// Channel-tiles of one chunk's transformed tiles, both sides together: 12 288 × 16 floats,
    /// 768 KB, fit the 1 MB L2 of this machine's cores beside the GEMM's packed panels.
    let chunkBudget: Int

    /// The Winograd form of a convolution, or nil when it is not a 3×3, stride-1, padding-1, undilated, ungrouped one.
    init?(_ g: WindowGeometry, _ p: Conv2dParameters, chunkBudget: Int = 12_288) {
        guard p.kernelHeight == 3, p.kernelWidth == 3, p.strideHeight == 1, p.strideWidth == 1, p.paddingHeight == 1,
              p.paddingWidth == 1, p.dilationHeight == 1, p.dilationWidth == 1, p.groups == 1 else { return nil }
        (batch, inputChannels, outputChannels) = (g.batch, g.inputChannels, g.outputChannels)
        tiling = WinogradTiling(height: g.inputHeight, width: g.inputWidth)
        self.chunkBudget = chunkBudget
    }

    /// Samples per chunk: as many as keep a chunk's transformed tiles within `chunkBudget`.
    func chunk(_ channels: Int) -> Int { max(1, chunkBudget / (channels * tiling.tiles)) }

    /// `y = conv(x, w) + b` for weights `w` `[O, C, 3, 3]`.
    func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                 _ y: UnsafeMutablePointer<Float>) {
        withKernelTiles(w, flipped: false) {
            convolve(x, input: inputChannels, $0, output: outputChannels, bias: bias, y)
        }
    }

    /// `dx`, the gradient of `forward`'s input: the convolution of `dy` with the rotated, transposed kernels.
    func inputGradient(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        withKernelTiles(w, flipped: true) {
            convolve(dy, input: outputChannels, $0, output: inputChannels, bias: nil, dx)
        }
    }

    /// Runs `body` with the kernel tiles of `w` (`WinogradKernels.transformWeights`).
    private func withKernelTiles(_ w: UnsafePointer<Float>, flipped: Bool, _ body: (UnsafePointer<Float>) -> Void) {
        let u = UnsafeMutablePointer<Float>.allocate(capacity: 16 * outputChannels * inputChannels)
        defer { u.deallocate() }
        WinogradKernels.transformWeights(w, outputChannels: outputChannels, inputChannels: inputChannels,
                                         flipped: flipped, into: u)
        body(u)
    }

    /// `y = conv(x) + b` (`input` channels in, `output` channels out) with kernel tiles `u[ξ][output][input]`, a
    /// chunk of samples at a time. `columnSgemm` gives every tile column the same bits whatever else shares its
    /// product, so a sample's output does not depend on which samples share its batch or chunk.
    private func convolve(_ x: UnsafePointer<Float>, input: Int, _ u: UnsafePointer<Float>, output: Int,
                          bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>) {
        let t = tiling, chunk = chunk(input + output)
        HostParallel.forEachRange(batch) { _, samples in
            let scratch = Scratch(t, chunk: chunk, first: input, second: output)
            defer { scratch.deallocate() }
            forEachChunk(of: samples, chunk) { first, count, stride in
                for s in 0..<count {
                    WinogradKernels.transformInput(x + (first + s) * input * t.plane, channels: input, t,
                                                   into: scratch.first, stride: stride, column: s * t.tiles,
                                                   scratch: scratch.firstPlanes)
                }
                for element in 0..<16 {
                    columnSgemm(m: output, n: count * t.tiles, k: input, u + element * output * input, lda: input,
                                scratch.first + element * input * stride, ldb: stride,
                                scratch.second + element * output * stride, ldc: stride)
                }
                for s in 0..<count {
                    WinogradKernels.transformOutput(scratch.second, channels: output, t, stride: stride,
                                                    column: s * t.tiles, bias: bias,
                                                    into: y + (first + s) * output * t.plane)
                }
            }
        }
    }

    /// Runs `body(first, count, stride)` for consecutive chunks of at most `chunk` of `samples`: the chunk's first
    /// sample, its sample count and the row length of its transformed tiles.
    private func forEachChunk(of samples: Range<Int>, _ chunk: Int, _ body: (Int, Int, Int) -> Void) {
        for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: chunk) {
            let count = min(chunk, samples.upperBound - first)
            body(first, count, count * tiling.tiles + WinogradTiling.slack)
        }
    }

    /// `dw = Σ_samples` of the adjoint of `forward`, written as `[O, C, 3, 3]`: per core, the products of a chunk
    /// of samples at a time (one GEMM per tile element over all the chunk's tiles) summed into its partial.
    func weightGradient(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dw: UnsafeMutablePointer<Float>) {
        let t = tiling, (c, o) = (inputChannels, outputChannels), chunk = chunk(c + o)
        let parts = max(1, min(batch, HostParallel.workers)), productCount = 16 * o * c
        let products = UnsafeMutablePointer<Float>.allocate(capacity: parts * productCount)
        defer { products.deallocate() }
        HostParallel.forEachRange(batch, parts: parts) { part, samples in
            let scratch = Scratch(t, chunk: chunk, first: c, second: o), target = products + part * productCount
            defer { scratch.deallocate() }
            forEachChunk(of: samples, chunk) { first, count, stride in
                for s in 0..<count {
                    WinogradKernels.transformInput(x + (first + s) * c * t.plane, channels: c, t, into: scratch.first,
                                                   stride: stride, column: s * t.tiles, scratch: scratch.firstPlanes)
                    WinogradKernels.transformGradient(dy + (first + s) * o * t.plane, channels: o, t,
                                                      into: scratch.second, stride: stride, column: s * t.tiles,
                                                      scratch: scratch.secondPlanes)
                }
                for element in 0..<16 {
                    hostSgemm(transposeB: true, m: o, n: c, k: count * t.tiles, scratch.second + element * o * stride,
                              lda: stride, scratch.first + element * c * stride, ldb: stride,
                              beta: first == samples.lowerBound ? 0 : 1, target + element * o * c, ldc: c)
                }
            }
        }
        for part in 1..<parts {
            let partial = products + part * productCount
            for i in 0..<productCount { products[i] += partial[i] }
        }
        WinogradKernels.weightGradient(products, outputChannels: o, inputChannels: c, into: dw)
    }

    /// One core's buffers: the two sides' transformed tiles of a chunk, zeroed once so that the slack the tile
    /// transforms read past the last tile holds no stale values, and the zero-bordered planes each side's tiles are
    /// read from.
    private struct Scratch {
        let first: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>
        let firstPlanes: UnsafeMutablePointer<Float>, secondPlanes: UnsafeMutablePointer<Float>

        init(_ t: WinogradTiling, chunk: Int, first firstChannels: Int, second secondChannels: Int) {
            let columns = chunk * t.tiles + WinogradTiling.slack
            func zeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
                let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
                buffer.initialize(repeating: 0, count: count)
                return buffer
            }
            (first, second) = (zeroed(16 * firstChannels * columns), zeroed(16 * secondChannels * columns))
            firstPlanes = zeroed(WinogradKernels.scratchSize(channels: firstChannels, t))
            secondPlanes = zeroed(WinogradKernels.scratchSize(channels: secondChannels, t))
        }

        func deallocate() {
            for buffer in [first, second, firstPlanes, secondPlanes] { buffer.deallocate() }
        }
    }
}
