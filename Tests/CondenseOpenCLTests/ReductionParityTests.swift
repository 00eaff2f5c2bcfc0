import CondenseCore
import CondenseTestSupport
import XCTest

/// Reductions: OpenCL against the CPU backend, and both against Double sums and hand-made cases.
final class ReductionParityTests: XCTestCase {
    func testWholeTensorSums() throws {
        for size in [1, 7, 1000, 100_003] {
            var random = SeededGenerator(seed: UInt64(size))
            let values = random.floats(size)
            let exact = values.reduce(0.0) { $0 + Double($1) }
            for backend in [TestDevices.cpu as Backend, try TestDevices.openCL()] {
                let input = try backend.tensor(values, shape: [size])
                let sum = try backend.poisoned([1])
                try backend.sum(input: input, output: sum)
                // Float accumulation of 1e5 terms of magnitude ≤ 1: error bounded by ~n·ε·Σ|x| in the worst case,
                // far less in practice.
                XCTAssertEqual(Double(try sum.toHost()[0]), exact, accuracy: 1e-6 * Double(size) + 1e-6, "\(backend.name) \(size)")
            }
        }
    }

    func testColumnSumsMatchTheCPUBackend() throws {
        for (rows, columns) in [(17, 13), (1, 1000), (1000, 1), (33, 7)] {
            var random = SeededGenerator(seed: UInt64(rows * 31 + columns))
            let values = random.floats(rows * columns)
            try assertParity("sums \(rows)×\(columns)", rtol: 1e-5, atol: 1e-5) { backend in
                let input = try backend.tensor(values, shape: [rows, columns])
                let byColumn = try backend.poisoned([columns])
                try backend.sumColumns(input: input, output: byColumn)
                return [byColumn]
            }
        }
    }

    func testCountCorrectTakesTheFirstOfTiesAndCountsHits() throws {
        let logits: [Float] = [1, 3, 3, 0,    // tie between 1 and 2 → 1
                               -5, -5, -5, -5,  // all equal → 0
                               0, 1, 2, 9,      // → 3
                               7, 0, 7, 7]      // → 0
        let labels: [Int32] = [1, 2, 3, 0]      // hits: rows 0, 2, 3
        for backend in [TestDevices.cpu as Backend, try TestDevices.openCL()] {
            let input = try backend.tensor(logits, shape: [4, 4])
            let labelTensor = try backend.allocate([4], dtype: .int32)
            try labels.withUnsafeBytes { try backend.write($0, to: labelTensor) }
            let count = try backend.poisoned([1])
            try backend.countCorrect(logits: input, labels: labelTensor, output: count)
            XCTAssertEqual(try count.toHost(), [3], backend.name)
        }
    }

    func testBadShapesAreRejected() throws {
        let backend = TestDevices.cpu
        let matrix = try backend.full([3, 4], value: 1)
        XCTAssertThrowsError(try backend.sum(input: matrix, output: try backend.allocate([2], dtype: .float32))) {
            XCTAssertTrue("\($0)".contains("1-element output"), "\($0)")
        }
        XCTAssertThrowsError(try backend.sumColumns(input: matrix, output: try backend.allocate([3], dtype: .float32))) {
            XCTAssertTrue("\($0)".contains("output [4]"), "\($0)")
        }
        XCTAssertThrowsError(try backend.countCorrect(logits: matrix, labels: try backend.allocate([3], dtype: .float32),
                                                      output: try backend.allocate([1], dtype: .float32))) {
            XCTAssertTrue("\($0)".contains("int32"), "\($0)")
        }
    }
}
