import CondenseCore
@testable import CondenseOpenCL
import CondenseTestSupport
import XCTest

/// Convolution on OpenCL (im2col/col2im, channel-major layout swaps and the device's GEMM) against the CPU backend
/// (its own im2col/col2im and OpenBLAS, sample by sample), and OpenCL's column steps against their index formula.
final class ConvParityTests: XCTestCase {
    /// On a CPU driver (Kernels/gemm.cl sums each output over K in one fixed order) a sample's convolution gives the
    /// same bits alone as inside a batch of 17, so an evaluation's logits do not depend on its batch size.
    func testASampleGivesTheSameBitsInAnyBatch() throws {
        let gpu = try TestDevices.openCL(), own = gpu.tiling
        gpu.tiling = .forDevice(isGPU: false)
        defer { gpu.tiling = own }
        for parameters in [Conv2dParameters(kernel: 3, padding: 1), Conv2dParameters(kernel: 1)] {
            let c = ConvTestCase(input: [17, 5, 9, 7], outputChannels: 11, parameters: parameters, bias: true)
            var random = SeededGenerator(seed: 240)
            let x = random.floats(c.input.count), w = random.floats(c.weightShape.count)
            let b = random.floats(c.outputChannels)
            // The output of samples `samples` alone.
            func outputs(samples: Range<Int>) throws -> [Float] {
                let perSample = c.input.count / c.input[0]
                let input = try gpu.tensor(Array(x[samples.lowerBound * perSample..<samples.upperBound * perSample]),
                                           shape: Shape([samples.count] + c.input.dims.dropFirst()))
                let output = try gpu.allocate(Shape([samples.count] + c.geometry.outputShape.dims.dropFirst()),
                                              dtype: .float32)
                try gpu.conv2d(input: input, weight: try gpu.tensor(w, shape: c.weightShape),
                               bias: try gpu.tensor(b, shape: [b.count]), output: output, parameters: parameters)
                return try output.toHost()
            }
            let batch = try outputs(samples: 0..<17), alone = try outputs(samples: 5..<6)
            XCTAssertEqual(Array(batch[5 * alone.count..<6 * alone.count]).map(\.bitPattern),
                           alone.map(\.bitPattern), "\(parameters)")
        }
    }

    /// Every case in both formulations, whichever implementation runs the tests (rusticl included).
    func testForwardAndBothGradientsMatchTheCPUBackend() throws {
        for (index, c) in ConvTestCase.all.enumerated() {
            try assertConvParity(c, seed: UInt64(200 + index), bothFormulations: true)
        }
    }

    /// 30 samples of 576 column rows × 1,024 positions exceed one chunk's 16 Mi-element scratch, so the batch runs
    /// in two chunks and the weight gradient accumulates the second into the first. In the device's own
    /// formulation: on rusticl the CPU-driver one took 239 s at this shape (debug build).
    func testABatchSplitIntoChunksMatchesTheCPUBackend() throws {
        let c = ConvTestCase(input: [30, 64, 32, 32], outputChannels: 5, parameters: .init(kernel: 3, padding: 1),
                             bias: true)
        XCTAssertGreaterThan(c.input[0] * c.geometry.columnRows * c.geometry.columnCount, 16 << 20)
        try assertConvParity(c, seed: 230)
    }

    /// The channel-major column layout itself: im2col and col2im of the samples after the first, against the layout
    /// written out element by element (col2im as the sum of the column entries that read each input element).
    func testIm2colAndCol2imFollowTheChannelMajorLayout() throws {
        let gpu = try TestDevices.openCL()
        for (index, c) in ConvTestCase.all.enumerated() where c.input[0] > 1 {
            let g = c.geometry, count = c.input[0] - 1, columnCount = g.columnRows * count * g.columnCount
            var random = SeededGenerator(seed: UInt64(260 + index))
            let x = random.floats(c.input.count), columns = random.floats(columnCount)
            var unfolded = [Float](repeating: 0, count: columnCount), folded = [Float](repeating: 0, count: x.count)
            Self.forEachColumnEntry(g, samples: 1..<c.input[0]) { column, image in
                guard let image else { return }
                unfolded[column] = x[image]
                folded[image] += columns[column]
            }
            let unfoldedTensor = try gpu.poisoned([columnCount]), foldedTensor = try gpu.full(c.input, value: 0)
            try gpu.im2col(input: try gpu.tensor(x, shape: c.input), columns: unfoldedTensor, geometry: g,
                           firstSample: 1, sampleCount: count)
            try gpu.col2im(columns: try gpu.tensor(columns, shape: [columnCount]), gradInput: foldedTensor,
                           geometry: g, firstSample: 1, sampleCount: count)
            try assertClose(unfoldedTensor.toHost(), unfolded, rtol: 0, atol: 0, "im2col \(c)")
            try assertClose(foldedTensor.toHost(), folded, rtol: 1e-6, atol: 1e-6, "col2im \(c)")
        }
    }

    /// Calls `body(column index, image index)` for every entry of the chunk's columns `[C·kh·kw, S, Ho·Wo]`: row
    /// `(c·kh + ky)·kw + kx`, column `s·Ho·Wo + oy·Wo + ox` reads `image[first + s, c, oy·sh − ph + ky·dh,
    /// ox·sw − pw + kx·dw]`, or nothing (nil) outside the image.
    private static func forEachColumnEntry(_ g: WindowGeometry, samples: Range<Int>, _ body: (Int, Int?) -> Void) {
        let rowLength = samples.count * g.columnCount
        for c in 0..<g.inputChannels {
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let row = (c * g.kernelHeight + ky) * g.kernelWidth + kx
                    for (s, n) in samples.enumerated() {
                        for oy in 0..<g.outputHeight {
                            for ox in 0..<g.outputWidth {
                                let iy = oy * g.strideHeight - g.paddingHeight + ky * g.dilationHeight
                                let ix = ox * g.strideWidth - g.paddingWidth + kx * g.dilationWidth
                                let inside = iy >= 0 && iy < g.inputHeight && ix >= 0 && ix < g.inputWidth
                                body(row * rowLength + s * g.columnCount + oy * g.outputWidth + ox,
                                     inside ? ((n * g.inputChannels + c) * g.inputHeight + iy) * g.inputWidth + ix
                                            : nil)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The forward output and the three gradients of `c` on OpenCL against the CPU backend: in the device's own
    /// formulation, or with `bothFormulations` in the CPU-driver one (`gemm.cl`) and the GPU one (CLBlast) in turn,
    /// whichever implementation runs the tests.
    private func assertConvParity(_ c: ConvTestCase, seed: UInt64, bothFormulations: Bool = false) throws {
        var random = SeededGenerator(seed: seed)
        let x = random.floats(c.input.count), w = random.floats(c.weightShape.count)
        let b = random.floats(c.outputChannels), dy = random.floats(c.geometry.outputShape.count)
        func results(on backend: Backend) throws -> [[Float]] {
            let input = try backend.tensor(x, shape: c.input), weight = try backend.tensor(w, shape: c.weightShape)
            let bias = c.bias ? try backend.tensor(b, shape: [b.count]) : nil
            let output = try backend.poisoned(c.geometry.outputShape), gradInput = try backend.poisoned(c.input)
            let gradWeight = try backend.poisoned(c.weightShape), gradBias = try backend.poisoned([b.count])
            let gradOutput = try backend.tensor(dy, shape: c.geometry.outputShape)
            try backend.conv2d(input: input, weight: weight, bias: bias, output: output, parameters: c.parameters)
            // Each gradient alone (the other passed as nil), then all three from one call (OpenCL: one output-gradient
            // layout swap for both).
            try backend.conv2dBackward(gradOutput: gradOutput, input: input, weight: weight, gradInput: gradInput,
                                       gradWeight: nil, gradBias: nil, parameters: c.parameters)
            try backend.conv2dBackward(gradOutput: gradOutput, input: input, weight: weight, gradInput: nil,
                                       gradWeight: gradWeight, gradBias: gradBias, parameters: c.parameters)
            let both = try [c.input, c.weightShape, [b.count]].map { try backend.poisoned($0) }
            try backend.conv2dBackward(gradOutput: gradOutput, input: input, weight: weight, gradInput: both[0],
                                       gradWeight: both[1], gradBias: both[2], parameters: c.parameters)
            return try ([output, gradInput, gradWeight, gradBias] + both).map { try $0.toHost() }
        }
        let expected = try results(on: TestDevices.cpu)
        let gpu = try TestDevices.openCL(), own = gpu.tiling
        defer { gpu.tiling = own }
        for tiling in bothFormulations ? [ChunkTiling.forDevice(isGPU: false), .forDevice(isGPU: true)] : [own] {
            gpu.tiling = tiling
            let actual = try results(on: gpu), formulation = tiling.isForCPUDriver ? "CPU-driver" : "GPU"
            let names = ["output", "gradInput", "gradWeight", "gradBias"]
            for (name, (a, e)) in zip(names + names.dropFirst().map { "one-call \($0)" },
                                      zip(actual, expected + expected.dropFirst())) {
                XCTAssertFalse(a.contains { $0.isNaN }, "\(c) \(name), \(formulation): unwritten elements")
                XCTAssertLessThan(maxNormalizedError(a, e), 1e-5, "\(c) \(name), \(formulation) formulation")
            }
        }
    }
}
