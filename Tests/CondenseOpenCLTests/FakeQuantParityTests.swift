import CondenseCore
import CondenseOpenCL
import CondenseTestSupport
import XCTest

/// Fake quantization on the OpenCL backend against the CPU reference (bitwise for everything elementwise, since both
/// follow PyTorch's formulas op by op with correctly rounded 1/s), and both backends against the JAX fixtures.
final class FakeQuantParityTests: XCTestCase {
    /// An integer range and scheme: int8 affine, int8 symmetric (restricted range), uint8 affine.
    private struct Scheme {
        let name: String, qmin: Int, qmax: Int, symmetric: Bool
    }

    private let schemes = [Scheme(name: "int8", qmin: -128, qmax: 127, symmetric: false),
                           Scheme(name: "int8 symmetric", qmin: -127, qmax: 127, symmetric: true),
                           Scheme(name: "uint8", qmin: 0, qmax: 255, symmetric: false)]

    private let cases: [(Shape, [Int?])] = [([17, 13, 5, 5], [nil, 0, 1, 3]), ([3, 7], [nil, 0, 1]),
                                            ([1, 33, 1, 1], [nil, 1, 0]), ([1], [nil, 0])]

    /// Scales that cover about 80–120% of the data's range (so some elements clamp) and integral zero points.
    private func parameters(_ scheme: Scheme, channels: Int,
                            random: inout SeededGenerator) -> (scale: [Float], zero: [Float]) {
        let scale = (0..<channels).map { _ in
            Float.random(in: 0.8...1.25, using: &random) * 2 / Float(scheme.qmax - scheme.qmin)
        }
        let zero = (0..<channels).map { _ -> Float in
            scheme.symmetric ? 0 : Float((scheme.qmin + scheme.qmax) / 2 + Int.random(in: -20...20, using: &random))
        }
        return (scale, zero)
    }

    func testForwardMatchesTheCPUBitwise() throws {
        var random = SeededGenerator(seed: 1)
        for scheme in schemes {
            for (shape, axes) in cases {
                for axis in axes {
                    let channels = axis.map { shape[$0] } ?? 1
                    let x = random.floats(shape.count, in: -1.2...1.2)
                    let (scale, zero) = parameters(scheme, channels: channels, random: &random)
                    try assertParityForEachTiling("fakeQuantize \(scheme.name) \(shape) axis \(String(describing: axis))",
                                     rtol: 0, atol: 0) { backend in
                        let output = try backend.poisoned(shape)
                        try backend.fakeQuantize(
                            input: try backend.tensor(x, shape: shape),
                            scale: try backend.tensor(scale, shape: [channels]),
                            zeroPoint: try backend.tensor(zero, shape: [channels]), axis: axis, qmin: scheme.qmin,
                            qmax: scheme.qmax, output: output)
                        return [output]
                    }
                }
            }
        }
    }

    /// gradInput bitwise; gradScale is a sum whose order differs between the backends (sequential per block on the
    /// CPU, per chunk and work-group then over groups on the device), so it gets a float32 summation tolerance.
    func testBackwardMatchesTheCPU() throws {
        var random = SeededGenerator(seed: 2)
        for scheme in schemes {
            for (shape, axes) in cases {
                for axis in axes {
                    let channels = axis.map { shape[$0] } ?? 1
                    let x = random.floats(shape.count, in: -1.2...1.2), dy = random.floats(shape.count)
                    let (scale, zero) = parameters(scheme, channels: channels, random: &random)
                    for lsq in [false, true] {
                        let label = "backward \(scheme.name) \(shape) axis \(String(describing: axis)) lsq \(lsq)"
                        var outputs: [[Float]] = []
                        try assertParityForEachTiling(label, rtol: 0, atol: 0) { backend in
                            let gradInput = try backend.poisoned(shape)
                            let gradScale = lsq ? try backend.poisoned([channels]) : nil
                            try backend.fakeQuantizeBackward(
                                input: try backend.tensor(x, shape: shape),
                                gradOutput: try backend.tensor(dy, shape: shape),
                                scale: try backend.tensor(scale, shape: [channels]),
                                zeroPoint: try backend.tensor(zero, shape: [channels]), axis: axis, qmin: scheme.qmin,
                                qmax: scheme.qmax, gradInput: gradInput, gradScale: gradScale)
                            if let gradScale { outputs.append(try gradScale.toHost()) }
                            return [gradInput]
                        }
                        guard lsq else { continue }
                        // CPU, OpenCL (CPU tiling), CPU, OpenCL (GPU tiling). Up to 5525 terms of magnitude ≲ g·255
                        // summed in different orders: float32 rounding differences of ~1e-5 of the result are
                        // expected; 1e-4 leaves room, a wrong term does not.
                        XCTAssertEqual(outputs.count, 4, label)
                        for pair in stride(from: 0, to: outputs.count - 1, by: 2) {
                            assertClose(outputs[pair + 1], outputs[pair], rtol: 1e-4, atol: 1e-4, label + " gradScale")
                        }
                    }
                }
            }
        }
    }

    func testMinMaxAndQuantizationParametersMatchTheCPUBitwise() throws {
        var random = SeededGenerator(seed: 3)
        for (shape, axes) in cases + [([4, 70_000], [nil, 0])] {  // the last one needs the second reduction pass
            for axis in axes {
                let channels = axis.map { shape[$0] } ?? 1
                var x = random.floats(shape.count, in: -3...2)
                if channels > 2 { x = x.enumerated().map { $0.offset % 5 == 0 ? $0.element : abs($0.element) + 0.1 } }
                for scheme in schemes {
                    try assertParity("minMax+qparams \(scheme.name) \(shape) axis \(String(describing: axis))",
                                     rtol: 0, atol: 0) { backend in
                        let minimum = try backend.poisoned([channels]), maximum = try backend.poisoned([channels])
                        let scale = try backend.poisoned([channels]), zero = try backend.poisoned([channels])
                        try backend.minMax(input: try backend.tensor(x, shape: shape), axis: axis, minimum: minimum,
                                           maximum: maximum)
                        try backend.quantizationParameters(minimum: minimum, maximum: maximum, qmin: scheme.qmin,
                                                           qmax: scheme.qmax, symmetric: scheme.symmetric, scale: scale,
                                                           zeroPoint: zero)
                        return [minimum, maximum, scale, zero]
                    }
                }
            }
        }
    }

    func testAPerTensorReductionOverManyGroupsMatchesTheCPU() throws {
        var random = SeededGenerator(seed: 4)
        let shape: Shape = [300_001]
        let x = random.floats(shape.count, in: -1.5...1.5), dy = random.floats(shape.count)
        var sums: [[Float]] = []  // CPU, OpenCL with the CPU tiling, CPU, OpenCL with the GPU tiling
        try assertParityForEachTiling("per-tensor LSQ over \(shape.count) elements", rtol: 0, atol: 0) { backend in
            let gradInput = try backend.poisoned(shape), gradScale = try backend.poisoned([1])
            try backend.fakeQuantizeBackward(
                input: try backend.tensor(x, shape: shape), gradOutput: try backend.tensor(dy, shape: shape),
                scale: try backend.tensor([0.01], shape: [1]), zeroPoint: try backend.tensor([128], shape: [1]),
                axis: nil, qmin: 0, qmax: 255, gradInput: gradInput, gradScale: gradScale)
            sums.append(try gradScale.toHost())
            return [gradInput]
        }
        XCTAssertEqual(sums.count, 4)
        if sums.count == 4 {
            assertClose(sums[1], sums[0], rtol: 1e-4, atol: 1e-3)
            assertClose(sums[3], sums[2], rtol: 1e-4, atol: 1e-3)
        }
    }

    // MARK: - Ties and the range, on both backends

    /// x·inv exactly k + 0.5 must round to even (s = 0.5, so inv = 2 exactly), not away from zero.
    func testTiesRoundHalfToEvenOnBothBackends() throws {
        let x: [Float] = [0.25, 0.75, -0.25, 1.25, -0.75, 2.25, -1.25, 3.25]
        // x·2 = 0.5, 1.5, −0.5, 2.5, −1.5, 4.5, −2.5, 6.5 → 0, 2, 0, 2, −2, 4, −2, 6 → y = q·0.5
        let expected: [Float] = [0, 1, 0, 1, -1, 2, -1, 3]
        for backend in try backends() {
            let output = try backend.poisoned([8])
            try backend.fakeQuantize(input: try backend.tensor(x, shape: [8]),
                                     scale: try backend.tensor([0.5], shape: [1]),
                                     zeroPoint: try backend.tensor([0], shape: [1]), axis: nil,
                                     qmin: -128, qmax: 127, output: output)
            XCTAssertEqual(try output.toHost(), expected, backend.name)
        }
    }

    /// Values beyond the range are clamped to its ends and get no straight-through gradient; the LSQ gradient of
    /// such elements is dy·(qmin − z) or dy·(qmax − z).
    func testValuesBeyondTheRangeClampAndStopTheGradient() throws {
        // s = 0.25, z = 3, [0, 15]: q = 3 + x·4 in range ⇔ x ∈ [−0.75, 3].
        let x: [Float] = [-5, -0.875, -0.75, 3, 3.125, 40]
        // −5 → q = −17 (below); −0.875·4 = −3.5 → −4 → q = −1 (below); −0.75 → q = 0; 3 → q = 15;
        // 3.125·4 = 12.5 → 12 → q = 15 (in range; rounding half away from zero would put it out); 40 → q = 163.
        let expectedY: [Float] = [-0.75, -0.75, -0.75, 3, 3, 3]
        let dy: [Float] = [1, 2, 3, 4, 5, 6]
        let expectedDx: [Float] = [0, 0, 3, 4, 5, 0]
        for backend in try backends() {
            let input = try backend.tensor(x, shape: [6]), scale = try backend.tensor([0.25], shape: [1])
            let zero = try backend.tensor([3], shape: [1])
            let output = try backend.poisoned([6]), gradInput = try backend.poisoned([6])
            let gradScale = try backend.poisoned([1])
            try backend.fakeQuantize(input: input, scale: scale, zeroPoint: zero, axis: nil, qmin: 0, qmax: 15,
                                     output: output)
            try backend.fakeQuantizeBackward(input: input, gradOutput: try backend.tensor(dy, shape: [6]), scale: scale,
                                             zeroPoint: zero, axis: nil, qmin: 0, qmax: 15, gradInput: gradInput,
                                             gradScale: gradScale)
            XCTAssertEqual(try output.toHost(), expectedY, backend.name)
            XCTAssertEqual(try gradInput.toHost(), expectedDx, backend.name)
            // below: dy·(0 − 3); in range: dy·(y − x)/s (0, 0, −0.125·4 = −0.5 → 5·(−0.5)); above: 6·(15 − 3).
            let terms: [Double] = [1 * -3, 2 * -3, 0, 0, 5 * -0.5, 6 * 12]
            let expected = Float(terms.reduce(0, +) / (6.0 * 15).squareRoot())
            XCTAssertEqual(try gradScale.toHost()[0], expected, accuracy: 1e-6, backend.name)
        }
    }

    // MARK: - Requantization (integer inference)

    func testRequantizeMatchesTheCPUBitwise() throws {
        var random = SeededGenerator(seed: 5)
        for (shape, axes) in cases {
            for axis in axes {
                let channels = axis.map { shape[$0] } ?? 1
                let accumulators = (0..<shape.count).map { _ in Float(Int.random(in: -40_000...40_000, using: &random)) }
                let multipliers = (0..<channels).map { _ in Float.random(in: 1e-3...1e-2, using: &random) }
                try assertParityForEachTiling("requantize \(shape) axis \(String(describing: axis))", rtol: 0, atol: 0) { backend in
                    let output = try backend.poisoned(shape)
                    try backend.requantize(input: try backend.tensor(accumulators, shape: shape),
                                           multiplier: try backend.tensor(multipliers, shape: [channels]),
                                           zeroPoint: 37, axis: axis, qmin: 0, qmax: 255, output: output)
                    return [output]
                }
            }
        }
    }

    /// Hand-computed: x·m rounds half to even, the zero point is added, the result clamps to the range and comes back
    /// centred on the zero point; per channel, each channel takes its own multiplier.
    func testRequantizeRoundsHalfToEvenClampsAndCentres() throws {
        // m = 0.5, z = 10, [0, 255]: 3 → 1.5 → 2; 5 → 2.5 → 2; −3 → −1.5 → −2; 7 → 3.5 → 4; 1000 → 510 → 255 → 245;
        // −1000 → −490 → 0 → −10.
        let x: [Float] = [3, 5, -3, 7, 1000, -1000]
        let expected: [Float] = [2, 2, -2, 4, 245, -10]
        // Per channel along axis 1 of [1, 2, 3]: channel 0 ×0.5 (as above), channel 1 ×0.25 (7 → 1.75 → 2).
        let perChannelX: [Float] = [3, 5, -3, 7, 2, -6], perChannelExpected: [Float] = [2, 2, -2, 2, 0, -2]
        for backend in try backends() {
            let output = try backend.poisoned([6])
            try backend.requantize(input: try backend.tensor(x, shape: [6]),
                                   multiplier: try backend.tensor([0.5], shape: [1]), zeroPoint: 10, axis: nil, qmin: 0,
                                   qmax: 255, output: output)
            XCTAssertEqual(try output.toHost(), expected, backend.name)
            let perChannel = try backend.poisoned([1, 2, 3])
            try backend.requantize(input: try backend.tensor(perChannelX, shape: [1, 2, 3]),
                                   multiplier: try backend.tensor([0.5, 0.25], shape: [2]), zeroPoint: 10, axis: 1,
                                   qmin: 0, qmax: 255, output: perChannel)
            XCTAssertEqual(try perChannel.toHost(), perChannelExpected, backend.name)
            XCTAssertThrowsError(try backend.requantize(input: try backend.tensor(x, shape: [6]),
                                                        multiplier: try backend.tensor([0.5], shape: [1]),
                                                        zeroPoint: 300, axis: nil, qmin: 0, qmax: 255,
                                                        output: output), backend.name) {
                XCTAssertTrue("\($0)".contains("zero point 300 lies outside [0, 255]"), "\($0)")
            }
        }
    }

    // MARK: - JAX fixtures

    func testBothBackendsMatchTheJAXFixtures() throws {
        let family = "fake_quant"
        func floats(_ name: String) throws -> [Float] { try Fixtures.array(family, name).floats() }
        for backend in try backends() {
            for (name, axis, qmin, qmax) in [("pt_u8", nil as Int?, 0, 255), ("pc_s8", 0, -127, 127),
                                             ("chain", 1, 0, 255)] {
                let shape = Shape(try Fixtures.array(family, "\(name)_x").shape)
                let channels = axis.map { shape[$0] } ?? 1
                let input = try backend.tensor(try floats("\(name)_x"), shape: shape)
                let scale = try backend.tensor(try floats("\(name)_scale"), shape: [channels])
                let zero = try backend.tensor(try floats("\(name)_zero_point"), shape: [channels])
                let output = try backend.poisoned(shape), gradInput = try backend.poisoned(shape)
                let gradScale = try backend.poisoned([channels])
                try backend.fakeQuantize(input: input, scale: scale, zeroPoint: zero, axis: axis, qmin: qmin,
                                         qmax: qmax, output: output)
                try backend.fakeQuantizeBackward(input: input, gradOutput: try backend.tensor(try floats("\(name)_dy"),
                                                                                          shape: shape),
                                                 scale: scale, zeroPoint: zero, axis: axis, qmin: qmin, qmax: qmax,
                                                 gradInput: gradInput, gradScale: gradScale)
                let label = "\(backend.name) \(name)"
                XCTAssertEqual(try output.toHost(), try floats("\(name)_y"), label + " y (bitwise)")
                assertClose(try gradInput.toHost(), try floats("\(name)_dx"), rtol: 1e-6, atol: 0, label + " dx")
                // float32 terms summed vs the float64 autodiff sum.
                assertClose(try gradScale.toHost(), try floats("\(name)_grad_scale"), rtol: 1e-5, atol: 1e-6,
                            label + " gradScale")
            }

            // The observer chain: min/max per channel, then uint8 affine scale and zero point.
            let chainShape = Shape(try Fixtures.array(family, "chain_x").shape)
            let minimum = try backend.poisoned([3]), maximum = try backend.poisoned([3])
            let scale = try backend.poisoned([3]), zero = try backend.poisoned([3])
            try backend.minMax(input: try backend.tensor(try floats("chain_x"), shape: chainShape), axis: 1,
                               minimum: minimum, maximum: maximum)
            try backend.quantizationParameters(minimum: minimum, maximum: maximum, qmin: 0, qmax: 255, symmetric: false,
                                               scale: scale, zeroPoint: zero)
            XCTAssertEqual(try minimum.toHost(), try floats("chain_min"), "\(backend.name) chain min")
            XCTAssertEqual(try maximum.toHost(), try floats("chain_max"), "\(backend.name) chain max")
            XCTAssertEqual(try scale.toHost(), try floats("chain_scale"), "\(backend.name) chain scale")
            XCTAssertEqual(try zero.toHost(), try floats("chain_zero_point"), "\(backend.name) chain zero point")

            let mins = try floats("qp_min"), maxs = try floats("qp_max")
            for (name, qmin, qmax, symmetric) in [("affine_u8", 0, 255, false), ("affine_s8", -128, 127, false),
                                                  ("symmetric_s8", -127, 127, true),
                                                  ("symmetric_s8_full", -128, 127, true),
                                                  ("symmetric_u8", 0, 255, true)] {
                let n = mins.count
                let scale = try backend.poisoned([n]), zero = try backend.poisoned([n])
                try backend.quantizationParameters(minimum: try backend.tensor(mins, shape: [n]),
                                                   maximum: try backend.tensor(maxs, shape: [n]), qmin: qmin,
                                                   qmax: qmax, symmetric: symmetric, scale: scale, zeroPoint: zero)
                XCTAssertEqual(try scale.toHost(), try floats("qp_\(name)_scale"), "\(backend.name) \(name) scale")
                XCTAssertEqual(try zero.toHost(), try floats("qp_\(name)_zero_point"), "\(backend.name) \(name) z")
            }
        }
    }

    // MARK: - Helpers

    private func backends() throws -> [Backend] { [TestDevices.cpu, try TestDevices.openCL()] }
}
