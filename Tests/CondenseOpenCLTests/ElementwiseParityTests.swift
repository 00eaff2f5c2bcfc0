import CondenseCore
@testable import CondenseOpenCL
import CondenseTestSupport
import XCTest

/// Pointwise ops: OpenCL against the CPU backend, bitwise where the arithmetic is a single rounding (the streaming
/// ops with both chunk tilings: 5525 elements make 22 CPU chunks and a tail).
final class ElementwiseParityTests: XCTestCase {
    private let shapes: [Shape] = [[1], [7], [17, 13, 5, 5], [3, 33, 1, 1], [17, 7]]

    func testEveryOpMatchesTheCPUBackend() throws {
        for (index, shape) in shapes.enumerated() {
            var random = SeededGenerator(seed: UInt64(60 + index))
            let a = random.floats(shape.count, in: -8...8), b = random.floats(shape.count)
            let bias = random.floats(shape.rank >= 2 ? shape[1] : 1)
            try assertParityForEachTiling("elementwise \(shape)", rtol: 0, atol: 0) { backend in
                let x = try backend.tensor(a, shape: shape), y = try backend.tensor(b, shape: shape)
                var outputs: [Tensor] = []
                for kind in Activation.allCases {
                    let forward = try backend.poisoned(shape), backward = try backend.poisoned(shape)
                    try backend.activation(kind, input: x, output: forward)
                    try backend.activationBackward(kind, output: forward, gradOutput: y, gradInput: backward)
                    outputs += [forward, backward]
                }
                let sum = try backend.poisoned(shape), product = try backend.poisoned(shape)
                let scaled = try backend.poisoned(shape), accumulated = try backend.tensor(b, shape: shape)
                try backend.add(x, y, output: sum)
                try backend.multiply(x, y, output: product)
                try backend.scale(x, by: -0.375, output: scaled)
                try backend.axpy(alpha: 0.5, x: x, y: accumulated)
                outputs += [sum, product, scaled, accumulated]
                if shape.rank >= 2 {
                    let biased = try backend.tensor(a, shape: shape)
                    try backend.addChannelBias(try backend.tensor(bias, shape: [shape[1]]), to: biased)
                    outputs.append(biased)
                }
                let mask = try backend.poisoned(shape), dropped = try backend.poisoned(shape)
                try backend.dropout(input: x, output: dropped, mask: mask, probability: 0.3, seed: 1234)
                return outputs + [mask, dropped]
            }
            if shape.rank >= 2 {
                try assertParity("bias gradient \(shape)", rtol: 1e-5, atol: 1e-5) { backend in
                    let gradBias = try backend.poisoned([shape[1]])
                    try backend.channelBiasGradient(gradOutput: try backend.tensor(a, shape: shape), gradBias: gradBias)
                    return [gradBias]
                }
            }
        }
    }

    func testDropoutKeepsTheExpectedFractionAndScalesBySurvivors() throws {
        let backend = try TestDevices.openCL()
        let count = 100_000
        let input = try backend.full([count], value: 1), output = try backend.poisoned([count])
        let mask = try backend.poisoned([count])
        try backend.dropout(input: input, output: output, mask: mask, probability: 0.2, seed: 7)
        let values = try output.toHost()
        let kept = values.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / Double(count), 0.8, accuracy: 0.01)
        XCTAssertTrue(kept.allSatisfy { $0 == 1.25 })
    }

    /// A channel of 12.6 million elements (a batch of three 2048 × 2048 planes; a batch of 42 at 224 × 224 passes 2
    /// million): one work-group per channel made each work-item loop 98,304 times, past the 65,535 iterations after
    /// which llvmpipe silently ends a work-item's loops, so the channel is split over work-groups there (6 of 128
    /// work-items here), and their partial sums added. Positive values, so a sum cut short shows (by a third, against
    /// float32 rounding of 3e-4 over 12.6 million terms).
    func testABiasGradientOfAChannelPastLlvmpipesLoopLimitMatchesTheCPUBackend() throws {
        let shape: Shape = [3, 1, 2048, 2048]
        XCTAssertEqual(OpenCLBackend.biasGradientGroups(perChannel: shape.count, groupSize: 128), 6)
        XCTAssertEqual(OpenCLBackend.biasGradientGroups(perChannel: shape.count, groupSize: 32), 24)
        XCTAssertEqual(OpenCLBackend.biasGradientGroups(perChannel: 128 * 16_384, groupSize: 128), 1,
                       "up to 2^21 elements in groups of 128: one group")
        var random = SeededGenerator(seed: 66)
        // A prime-length random pattern repeated (generating 12.6 million values would dominate the test's time).
        let pattern = random.floats(10_007, in: 0...1)
        let values = (0..<shape.count).map { pattern[$0 % pattern.count] }
        try assertParity("bias gradient \(shape)", rtol: 2e-3, atol: 0) { backend in
            let gradBias = try backend.poisoned([1])
            try backend.channelBiasGradient(gradOutput: try backend.tensor(values, shape: shape), gradBias: gradBias)
            return [gradBias]
        }
    }

    func testBadInputIsRejected() throws {
        let backend = TestDevices.cpu
        let x = try backend.full([4], value: 1)
        XCTAssertThrowsError(try backend.add(x, try backend.full([5], value: 1), output: x)) {
            XCTAssertTrue("\($0)".contains("4 elements"), "\($0)")
        }
        XCTAssertThrowsError(try backend.dropout(input: x, output: x, mask: x, probability: 1, seed: 0)) {
            XCTAssertTrue("\($0)".contains("[0, 1)"), "\($0)")
        }
        XCTAssertThrowsError(try backend.addChannelBias(try backend.full([3], value: 1),
                                                        to: try backend.full([2, 4, 1, 1], value: 0))) {
            XCTAssertTrue("\($0)".contains("bias [4]"), "\($0)")
        }
    }
}
