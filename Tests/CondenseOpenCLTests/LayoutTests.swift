import CondenseCore
@testable import CondenseOpenCL
import CondenseTestSupport
import XCTest

/// `swapLeadingAxes`, the OpenCL convolution's layout step, against the index formula: exact (it only moves
/// elements), with offsets on both sides, with both chunk tilings (planes of 300 take two chunks on the CPU tiling;
/// shorter ones move in tiles of rows there, some cut by the edges of both axes), and its argument checks.
final class LayoutTests: XCTestCase {
    func testSwapMovesEveryPlaneToItsTransposedSlot() throws {
        let gpu = try TestDevices.openCL()
        let (a, b, plane, inputOffset, outputOffset) = (3, 5, 7, 4, 9)
        let values = (0..<(inputOffset + a * b * plane)).map { Float($0) * 0.5 - 3 }
        let output = try gpu.full([outputOffset + a * b * plane + 2], value: -1)
        try gpu.swapLeadingAxes(input: try gpu.tensor(values, shape: [values.count]), inputOffset: inputOffset,
                                output: output, outputOffset: outputOffset, a: a, b: b, plane: plane)
        let result = try output.toHost()
        XCTAssertEqual(Array(result[..<outputOffset]), Array(repeating: -1, count: outputOffset))
        XCTAssertEqual(Array(result.suffix(2)), [-1, -1])
        for i in 0..<a {
            for j in 0..<b {
                for p in 0..<plane {
                    XCTAssertEqual(result[outputOffset + (j * a + i) * plane + p],
                                   values[inputOffset + (i * b + j) * plane + p], "i \(i) j \(j) p \(p)")
                }
            }
        }
    }

    func testSwapIsExactInBothTilings() throws {
        let gpu = try TestDevices.openCL(), own = gpu.tiling
        defer { gpu.tiling = own }
        for (index, (a, b, plane)) in [(1, 1, 1), (17, 3, 25), (3, 33, 1), (7, 13, 49), (2, 3, 300), (37, 19, 4),
                                       (9, 5, 16), (5, 2, 255)].enumerated() {
            var random = SeededGenerator(seed: UInt64(240 + index))
            let values = random.floats(a * b * plane + 3)
            // The 5 elements before the offset must keep their -7, and so would any element left unwritten.
            var expected = [Float](repeating: -7, count: a * b * plane + 5)
            for i in 0..<a {
                for j in 0..<b {
                    for p in 0..<plane { expected[5 + (j * a + i) * plane + p] = values[3 + (i * b + j) * plane + p] }
                }
            }
            for isGPU in [false, true] {
                gpu.tiling = .forDevice(isGPU: isGPU)
                let output = try gpu.full([expected.count], value: -7)
                try gpu.swapLeadingAxes(input: try gpu.tensor(values, shape: [values.count]), inputOffset: 3,
                                        output: output, outputOffset: 5, a: a, b: b, plane: plane)
                XCTAssertEqual(try output.toHost(), expected, "swap \(a)×\(b)×\(plane), GPU tiling \(isGPU)")
            }
        }
    }

    func testBadArgumentsAreRefused() throws {
        let gpu = try TestDevices.openCL()
        let tensor = try gpu.full([24], value: 1), other = try gpu.full([24], value: 0)
        XCTAssertThrowsError(try gpu.swapLeadingAxes(input: tensor, inputOffset: 1, output: other, outputOffset: 0,
                                                     a: 2, b: 3, plane: 4)) {
            XCTAssertTrue("\($0)".contains("input with ≥ 25 elements"), "\($0)")
        }
        XCTAssertThrowsError(try gpu.swapLeadingAxes(input: tensor, inputOffset: 0, output: other, outputOffset: -1,
                                                     a: 2, b: 3, plane: 2))
        XCTAssertThrowsError(try gpu.swapLeadingAxes(input: tensor, inputOffset: 0, output: tensor, outputOffset: 6,
                                                     a: 2, b: 3, plane: 2)) {
            XCTAssertTrue("\($0)".contains("overlap"), "\($0)")
        }
    }
}
