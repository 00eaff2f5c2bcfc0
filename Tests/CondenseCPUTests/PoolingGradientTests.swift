import CondenseCPU
import CondenseCore
import CondenseTestSupport
import XCTest

/// The max-pooling gradient against finite differences of the Double forward, PyTorch's index convention, bad input.
final class PoolingGradientTests: XCTestCase {
    private let g = WindowGeometry(input: [1, 2, 5, 4], outputChannels: 2, kernel: (3, 3), stride: (2, 1),
                                   padding: (1, 1), dilation: (1, 1))

    func testMaxGradientsMatchFiniteDifferences() {
        var random = SeededGenerator(seed: 5)
        // Distinct values keep every maximum away from ties, where max pooling is not differentiable.
        let x = (0..<40).map { Double($0) * 0.1 }.shuffled(using: &random)
        let dy = random.floats(g.outputShape.count).map(Double.init)
        func pooled(_ x: [Double]) -> [Double] {
            var y = [Double](repeating: 0, count: g.outputShape.count), indices = [Int32](repeating: 0, count: y.count)
            for plane in 0..<2 { PoolingKernels.maxForward(g, plane: plane, input: x, output: &y, indices: &indices) }
            return y
        }
        var indices = [Int32](repeating: 0, count: g.outputShape.count), y = [Double](repeating: 0, count: indices.count)
        var maxGradient = [Double](repeating: .nan, count: 40)
        for plane in 0..<2 {
            PoolingKernels.maxForward(g, plane: plane, input: x, output: &y, indices: &indices)
            PoolingKernels.maxBackward(g, plane: plane, gradOutput: dy, indices: indices, gradInput: &maxGradient)
        }
        let loss = { (x: [Double]) in zip(pooled(x), dy).reduce(0) { $0 + $1.0 * $1.1 } }
        assertClose(maxGradient, numericalGradient(of: loss, at: x, step: 1e-4), rtol: 1e-6, atol: 1e-8)
    }

    func testIndicesAreFlatPositionsInTheInputPlaneAsInPyTorch() throws {
        let backend = TestDevices.cpu
        // One 4×4 plane; 2×2 windows with stride 2: maxima at (0,1), (1,3), (3,0), (2,2) → 1, 7, 12, 10.
        let input = try backend.tensor([0, 9, 1, 2, 3, 4, 5, 8, 6, 7, 9.5, 1, 10, 0, 0, 0], shape: [1, 1, 4, 4])
        let output = try backend.poisoned([1, 1, 2, 2]), indices = try backend.allocate([1, 1, 2, 2], dtype: .int32)
        try backend.maxPool2d(input: input, output: output, indices: indices, parameters: .init(kernel: 2))
        XCTAssertEqual(try output.toHost(), [9, 8, 10, 9.5])
        let bytes = try indices.toHostBytes()
        XCTAssertEqual(bytes.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }, [1, 7, 12, 10])
    }

    func testBadInputIsRejected() throws {
        let backend = TestDevices.cpu
        let input = try backend.full([1, 1, 4, 4], value: 1)
        let indices = try backend.allocate([1, 1, 2, 2], dtype: .int32)
        XCTAssertThrowsError(try backend.maxPool2d(input: input, output: try backend.allocate([1, 1, 2, 2], dtype: .float32),
                                                   indices: indices, parameters: .init(kernel: 2, padding: 2))) {
            XCTAssertTrue("\($0)".contains("half the kernel"), "\($0)")
        }
        XCTAssertThrowsError(try backend.maxPool2d(input: input, output: try backend.allocate([1, 1, 3, 3], dtype: .float32),
                                                   indices: indices, parameters: .init(kernel: 2))) {
            XCTAssertTrue("\($0)".contains("output [1, 1, 2, 2]"), "\($0)")
        }
        XCTAssertThrowsError(try backend.globalAveragePool(input: input, output: try backend.allocate([1], dtype: .float32)))
    }
}
