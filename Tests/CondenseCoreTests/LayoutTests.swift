import CondenseCore
import CondenseTestSupport
import XCTest

/// `swapLeadingAxes` on the CPU backend against the index formula, and its argument checks.
final class LayoutTests: XCTestCase {
    func testSwapMovesEveryPlaneToItsTransposedSlot() throws {
        let (a, b, plane, inputOffset, outputOffset) = (3, 5, 7, 4, 9)
        let values = (0..<(inputOffset + a * b * plane)).map { Float($0) * 0.5 - 3 }
        let input = try TestDevices.cpu.tensor(values, shape: [values.count])
        let output = try TestDevices.cpu.full([outputOffset + a * b * plane + 2], value: -1)
        try TestDevices.cpu.swapLeadingAxes(input: input, inputOffset: inputOffset, output: output,
                                            outputOffset: outputOffset, a: a, b: b, plane: plane)
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

    func testBadArgumentsAreRefused() throws {
        let cpu = TestDevices.cpu
        let tensor = try cpu.full([24], value: 1), other = try cpu.full([24], value: 0)
        XCTAssertThrowsError(try cpu.swapLeadingAxes(input: tensor, inputOffset: 1, output: other, outputOffset: 0,
                                                     a: 2, b: 3, plane: 4)) {
            XCTAssertTrue("\($0)".contains("input with ≥ 25 elements"), "\($0)")
        }
        XCTAssertThrowsError(try cpu.swapLeadingAxes(input: tensor, inputOffset: 0, output: other, outputOffset: -1,
                                                     a: 2, b: 3, plane: 2))
        XCTAssertThrowsError(try cpu.swapLeadingAxes(input: tensor, inputOffset: 0, output: tensor, outputOffset: 6,
                                                     a: 2, b: 3, plane: 2)) {
            XCTAssertTrue("\($0)".contains("overlap"), "\($0)")
        }
    }
}
