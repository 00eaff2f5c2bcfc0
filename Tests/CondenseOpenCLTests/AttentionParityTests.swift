import CondenseCore
import CondenseTestSupport
import XCTest

/// Attention maps and their gradient: OpenCL against the CPU backend on odd shapes.
final class AttentionParityTests: XCTestCase {
    func testMapsAndGradientsMatchTheCPUBackend() throws {
        for (index, shape) in ([[1, 3, 5, 5], [17, 7, 1, 1], [2, 33, 7, 9], [3, 1, 13, 13]] as [Shape]).enumerated() {
            var random = SeededGenerator(seed: UInt64(700 + index))
            let features = random.floats(shape.count), positions = shape[2] * shape[3]
            let gradient = random.floats(shape[0] * positions)
            try assertParity("attention \(shape)", rtol: 1e-5, atol: 1e-6) { backend in
                let a = try backend.tensor(features, shape: shape)
                let map = try backend.poisoned([shape[0], positions]), norms = try backend.poisoned([shape[0]])
                try backend.attentionMap(features: a, map: map, norms: norms)
                let gradFeatures = try backend.poisoned(shape)
                try backend.attentionMapBackward(features: a, map: map, norms: norms,
                                                 gradMap: try backend.tensor(gradient, shape: map.shape),
                                                 gradFeatures: gradFeatures)
                return [map, norms, gradFeatures]
            }
        }
    }
}
