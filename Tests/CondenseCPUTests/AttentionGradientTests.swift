import CondenseCPU
import CondenseCore
import CondenseTestSupport
import XCTest

/// The attention map's gradient against finite differences, its values by hand, and bad shapes.
final class AttentionGradientTests: XCTestCase {
    private let extents = try! AttentionExtents("test", features: TestDevices.cpu.full([2, 3, 2, 2], value: 0),
                                                map: TestDevices.cpu.full([2, 4], value: 0),
                                                norms: TestDevices.cpu.full([2], value: 0), on: TestDevices.cpu)

    func testBackwardMatchesFiniteDifferences() {
        var random = SeededGenerator(seed: 31)
        let a = random.floats(24).map(Double.init), weights = random.floats(8).map(Double.init)
        func loss(_ a: [Double]) -> Double {
            var map = [Double](repeating: 0, count: 8), norms = [Double](repeating: 0, count: 2)
            for n in 0..<2 { AttentionKernels.map(extents, sample: n, features: a, map: &map, norms: &norms) }
            return zip(map, weights).reduce(0) { $0 + $1.0 * $1.1 }
        }
        var map = [Double](repeating: 0, count: 8), norms = [Double](repeating: 0, count: 2)
        var gradient = [Double](repeating: .nan, count: 24)
        for n in 0..<2 {
            AttentionKernels.map(extents, sample: n, features: a, map: &map, norms: &norms)
            AttentionKernels.backward(extents, sample: n, features: a, map: map, norms: norms, gradMap: weights,
                                        gradFeatures: &gradient)
        }
        assertClose(gradient, numericalGradient(of: loss, at: a), rtol: 1e-6, atol: 1e-9)
    }

    func testAHandComputedMap() throws {
        // One sample, two channels, two positions: A = [[1, 2], [3, 0]]. Q = mean_c(A²) = [(1 + 9)/2, (4 + 0)/2]
        // = [5, 2]; ‖Q‖ = √29; Q̂ = [5, 2]/√29.
        let backend = TestDevices.cpu
        let map = try backend.poisoned([1, 2]), norms = try backend.poisoned([1])
        try backend.attentionMap(features: try backend.tensor([1, 2, 3, 0], shape: [1, 2, 1, 2]), map: map, norms: norms)
        assertClose(try map.toHost(), [5 / Float(29).squareRoot(), 2 / Float(29).squareRoot()], rtol: 1e-6, atol: 0)
        XCTAssertEqual(try norms.toHost()[0], Float(29).squareRoot(), accuracy: 1e-6)
        XCTAssertThrowsError(try backend.attentionMap(features: try backend.full([1, 2, 1, 2], value: 1),
                                                      map: try backend.allocate([1, 3], dtype: .float32),
                                                      norms: norms)) {
            XCTAssertTrue("\($0)".contains("map [1, 2]"), "\($0)")
        }
    }
}
