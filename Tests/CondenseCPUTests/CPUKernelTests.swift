import CondenseCPU
import CondenseCore
import CondenseTestSupport
import XCTest

/// The CPU backend's fast kernels (stride-phase depthwise, sixteen-lane batch norm, GEMMs split over cores) against
/// the generic reference loops they replace: bit for bit where the kernels promise the reference's order of
/// operations, within float rounding where they sum in another order.
final class CPUKernelTests: XCTestCase {
    private let backend = TestDevices.cpu

    /// MobileNetV2's 3×3 (stride 1 and 2, every activation, multiplier 1 and 2) over odd channel counts, 1×1 to
    /// 9×7 maps and batches of 1 to 17 (9×7 at stride 1 stacks 10 samples per run: a full run and a
    /// shorter one), plus an asymmetric case with every parameter in play.
    private var depthwiseCases: [(WindowGeometry, DepthwiseConv2dParameters)] {
        var cases: [(WindowGeometry, DepthwiseConv2dParameters)] = []
        for (index, channels) in [1, 3, 7, 13, 33].enumerated() {
            for (batch, (height, width)) in [(1, (1, 1)), (17, (1, 1)), (17, (2, 2)), (5, (3, 3)), (17, (5, 5)),
                                             (17, (9, 7))] {
                for stride in [1, 2] {
                    let multiplier = 1 + (index + stride) % 2, activation = Activation.allCases[(index + batch) % 3]
                    cases.append((WindowGeometry(input: [batch, channels, height, width],
                                                 outputChannels: channels * multiplier, kernel: (3, 3),
                                                 stride: (stride, stride), padding: (1, 1), dilation: (1, 1)),
                                  DepthwiseConv2dParameters(kernel: 3, stride: stride, padding: 1,
                                                            multiplier: multiplier, activation: activation)))
                }
            }
        }
        // One-row kernel: blocks without padding rows, so a shorter run's lanes past its end meet the longer run's
        // data (12 samples per run here, then 5).
        cases.append((WindowGeometry(input: [17, 3, 9, 7], outputChannels: 3, kernel: (1, 3), stride: (1, 1),
                                     padding: (0, 1), dilation: (1, 1)),
                      DepthwiseConv2dParameters(kernel: (1, 3), stride: (1, 1), padding: (0, 1))))
        cases.append((WindowGeometry(input: [2, 3, 5, 4], outputChannels: 6, kernel: (3, 2), stride: (2, 1),
                                     padding: (1, 1), dilation: (1, 2)),
                      DepthwiseConv2dParameters(kernel: (3, 2), stride: (2, 1), padding: (1, 1), dilation: (1, 2),
                                                multiplier: 2)))
        return cases
    }

    func testDepthwiseKernelsMatchTheReference() throws {
        for (index, (g, p)) in depthwiseCases.enumerated() {
            var random = SeededGenerator(seed: UInt64(40 + index))
            let taps = g.kernelHeight * g.kernelWidth, name = "case \(index) \(g.inputShape) → \(g.outputShape)"
            let x = random.floats(g.inputShape.count, in: -3...3), w = random.floats(g.outputChannels * taps)
            let b = random.floats(g.outputChannels), dy = random.floats(g.outputShape.count)
            let weightShape: Shape = [g.outputChannels, 1, g.kernelHeight, g.kernelWidth]
            let input = try backend.tensor(x, shape: g.inputShape), weight = try backend.tensor(w, shape: weightShape)
            let bias = try backend.tensor(b, shape: [g.outputChannels])
            let gradOutput = try backend.tensor(dy, shape: g.outputShape)
            let output = try backend.poisoned(g.outputShape), gradInput = try backend.poisoned(g.inputShape)
            let gradWeight = try backend.poisoned(weightShape), gradBias = try backend.poisoned([g.outputChannels])
            try backend.depthwiseConv2d(input: input, weight: weight, bias: bias, output: output, parameters: p)
            try backend.depthwiseConv2dBackwardInput(gradOutput: gradOutput, weight: weight, gradInput: gradInput,
                                                     parameters: p)
            try backend.depthwiseConv2dBackwardWeight(input: input, gradOutput: gradOutput, gradWeight: gradWeight,
                                                      gradBias: gradBias, parameters: p)

            var y = [Float](repeating: .nan, count: g.outputShape.count), dx = x
            var dw = [Double](repeating: .nan, count: w.count), db = [Double](repeating: .nan, count: b.count)
            DepthwiseConvReference.forward(g, multiplier: p.multiplier, activation: p.activation, input: x, weight: w,
                                           bias: b, output: &y)
            DepthwiseConvReference.backwardInput(g, multiplier: p.multiplier, gradOutput: dy, weight: w, gradInput: &dx)
            // Sums of up to 17·63 products, which float rounding moves by ~1e-5 in any order: against Double.
            DepthwiseConvReference.backwardWeight(g, multiplier: p.multiplier, input: x.map(Double.init),
                                                  gradOutput: dy.map(Double.init), gradWeight: &dw, gradBias: &db)
            XCTAssertEqual(try output.toHost(), y, "\(name): forward, bit for bit")
            XCTAssertEqual(try gradInput.toHost(), dx, "\(name): input gradient, bit for bit")
            assertClose(try gradWeight.toHost(), dw.map(Float.init), rtol: 1e-5, atol: 1e-5, "\(name): weight gradient")
            assertClose(try gradBias.toHost(), db.map(Float.init), rtol: 1e-5, atol: 1e-5, "\(name): bias gradient")
        }
    }

    /// Odd channel counts; runs of 1, 25 and 49 values (no full lanes, a remainder after full lanes); batches of 1
    /// and 17; inputs centred at 0 and at 100 (where one-pass variances would lose their digits).
    func testBatchNormKernelsMatchTheDoubleReference() throws {
        for (index, channels) in [1, 3, 7, 13, 33].enumerated() {
            for (batch, side, offset) in [(1, 1, Float(0)), (17, 5, 0), (3, 7, 100)] where batch * side > 1 {
                try checkBatchNorm(shape: [batch, channels, side, side], offset: offset,
                                   activation: Activation.allCases[(index + batch) % 3], seed: UInt64(61 + index))
            }
        }
    }

    private func checkBatchNorm(shape: Shape, offset: Float, activation: Activation, seed: UInt64) throws {
        let channels = shape[1], name = "\(shape) offset \(offset) \(activation)"
        var random = SeededGenerator(seed: seed)
        let x = random.floats(shape.count, in: -2...4).map { $0 + offset }, dy = random.floats(shape.count)
        // Pre-activations γ·x̂ + β from about −9 to 13, so that both of ReLU6's bounds gate gradients.
        let gamma = random.floats(channels, in: -4...4), beta = random.floats(channels, in: -2...6)
        let output = try backend.poisoned(shape), savedMean = try backend.poisoned([channels])
        let savedInverseStd = try backend.poisoned([channels]), gradInput = try backend.poisoned(shape)
        let gradGamma = try backend.poisoned([channels]), gradBeta = try backend.poisoned([channels])
        let input = try backend.tensor(x, shape: shape), gammaTensor = try backend.tensor(gamma, shape: [channels])
        let betaTensor = try backend.tensor(beta, shape: [channels])
        try backend.batchNormTraining(input: input, gamma: gammaTensor, beta: betaTensor,
                                      runningMean: try backend.full([channels], value: 0),
                                      runningVariance: try backend.full([channels], value: 1), momentum: 0.1,
                                      epsilon: 1e-5, output: output, savedMean: savedMean,
                                      savedInverseStd: savedInverseStd, activation: activation)
        try backend.batchNormBackward(gradOutput: try backend.tensor(dy, shape: shape), input: input, gamma: gammaTensor,
                                      beta: betaTensor, savedMean: savedMean, savedInverseStd: savedInverseStd,
                                      activation: activation, gradInput: gradInput, gradGamma: gradGamma,
                                      gradBeta: gradBeta)

        let e = try BatchNormExtents("test", input: input, output: output, perChannel: [])
        let xd = x.map(Double.init)
        var y = [Double](repeating: .nan, count: x.count), dx = y, dGamma = [Double](repeating: .nan, count: channels)
        var dBeta = dGamma, means = dGamma, inverseStds = dGamma
        for c in 0..<channels {
            let (mean, variance) = BatchNormReference.statistics(e, channel: c, input: xd)
            (means[c], inverseStds[c]) = (mean, 1 / (variance + 1e-5).squareRoot())
            BatchNormReference.normalize(e, channel: c, input: xd, mean: mean, inverseStd: inverseStds[c],
                                         gamma: Double(gamma[c]), beta: Double(beta[c]), activation: activation,
                                         output: &y)
        }
        // The reference backward takes dy already masked by the activation at the forward's output, as PyTorch does.
        let dyd = zip(dy, y).map { activation.passesGradient(output: $1) ? Double($0) : 0 }
        for c in 0..<channels {
            (dGamma[c], dBeta[c]) = BatchNormReference.backward(e, channel: c, gradOutput: dyd, input: xd,
                                                                gamma: Double(gamma[c]), mean: means[c],
                                                                inverseStd: inverseStds[c], gradInput: &dx)
        }
        // Offset inputs carry float rounding of the values themselves (ulp(100) ≈ 8e-6) into the centred terms.
        let scale: Float = offset == 0 ? 1 : 30
        assertClose(try savedMean.toHost(), means.map(Float.init), rtol: 1e-6, atol: 1e-6, "\(name): mean")
        assertClose(try output.toHost(), y.map(Float.init), rtol: 1e-5 * scale, atol: 1e-6 * scale, "\(name): output")
        assertClose(try gradInput.toHost(), dx.map(Float.init), rtol: 1e-4 * scale, atol: 1e-5 * scale,
                    "\(name): gradInput")
        assertClose(try gradGamma.toHost(), dGamma.map(Float.init), rtol: 1e-5 * scale, atol: 1e-5 * scale,
                    "\(name): gradGamma")
        assertClose(try gradBeta.toHost(), dBeta.map(Float.init), rtol: 1e-5, atol: 1e-5, "\(name): gradBeta")
    }

    /// Products large enough to be split over cores, by rows (tall) and by columns (wide), with every transpose.
    func testSplitGemmsMatchANaiveProduct() throws {
        for (m, n, k) in [(301, 37, 113), (19, 333, 211)] {
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                var random = SeededGenerator(seed: UInt64(m + n))
                let a = random.floats(m * k), b = random.floats(k * n), c0 = random.floats(m * n)
                let c = try backend.tensor(c0, shape: [m, n])
                try backend.gemm(try backend.tensor(a, shape: [a.count]), try backend.tensor(b, shape: [b.count]), c,
                                 GemmDescriptor(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                                                alpha: 0.5, beta: 2))
                var expected = [Float](repeating: 0, count: m * n)
                for i in 0..<m {
                    for j in 0..<n {
                        var sum: Double = 0
                        for p in 0..<k {
                            sum += Double(transposeA ? a[p * m + i] : a[i * k + p])
                                * Double(transposeB ? b[j * k + p] : b[p * n + j])
                        }
                        expected[i * n + j] = Float(0.5 * sum + 2 * Double(c0[i * n + j]))
                    }
                }
                assertClose(try c.toHost(), expected, rtol: 1e-4, atol: 1e-4,
                            "\(m)×\(n)×\(k) transposes \(transposeA), \(transposeB)")
            }
        }
    }
}
