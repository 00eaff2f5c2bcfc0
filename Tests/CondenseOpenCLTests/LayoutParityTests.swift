import CondenseCore
import CondenseTestSupport
import XCTest

/// `swapLeadingAxes` on OpenCL against the CPU backend, bitwise (it only moves elements), with offsets on both sides,
/// with both chunk tilings (planes of 300 take two chunks on the CPU tiling; shorter ones move in tiles of rows there,
/// some cut by the edges of both axes).
final class LayoutParityTests: XCTestCase {
    func testSwapMatchesTheCPUBackend() throws {
        for (index, (a, b, plane)) in [(1, 1, 1), (17, 3, 25), (3, 33, 1), (7, 13, 49), (2, 3, 300), (37, 19, 4), (9, 5, 16),
                                                       (5, 2, 255)].enumerated() {
            var random = SeededGenerator(seed: UInt64(240 + index))
            let values = random.floats(a * b * plane + 3)
            try assertParityForEachTiling("swap \(a)×\(b)×\(plane)", rtol: 0, atol: 0) { backend in
                let input = try backend.tensor(values, shape: [values.count])
                // Not NaN: the 5 elements before the offset must stay as they are; any element of the swapped range
                // left unwritten keeps -7, which the CPU backend's output does not.
                let output = try backend.full([a * b * plane + 5], value: -7)
                try backend.swapLeadingAxes(input: input, inputOffset: 3, output: output, outputOffset: 5, a: a, b: b,
                                            plane: plane)
                return [output]
            }
        }
    }
}
