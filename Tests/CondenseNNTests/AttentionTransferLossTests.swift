import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// The attention-transfer loss on a case computed by hand, and its gradient.
final class AttentionTransferLossTests: XCTestCase {
    func testLossAndGradientByHand() throws {
        // Student features A_s = [[1, 2], [3, 0]] → Q̂_s = [5, 2]/√29; teacher map Q̂_t = [0.6, 0.8].
        // β = 2: loss = β/2 · mean((Q̂_s − Q̂_t)²) over the 2 elements.
        for backend in [TestDevices.cpu as Backend, try TestDevices.openCL()] {
            let features = Variable(try backend.tensor([1, 2, 3, 0], shape: [1, 2, 1, 2]), requiresGrad: true)
            let teacher = try backend.tensor([0.6, 0.8], shape: [1, 2])
            let (loss, tape) = try Tape.record {
                try halfMeanSquaredError(try attentionMap(features), target: teacher, weight: 2)
            }
            let root = Float(29).squareRoot()
            let difference = [5 / root - 0.6, 2 / root - 0.8]
            let expected = (difference[0] * difference[0] + difference[1] * difference[1]) / 2
            XCTAssertEqual(try loss.value.toHost()[0], expected, accuracy: 1e-6, backend.name)
            try tape.backward(from: loss)
            // ∂L/∂Q̂_s = β·d/2 = d; through the normalization and the square: dA = 2A/C · (d − Q̂(Q̂·d))/‖Q‖.
            let q = [5 / root, 2 / root], dot = q[0] * difference[0] + q[1] * difference[1]
            let dq = [(difference[0] - q[0] * dot) / root, (difference[1] - q[1] * dot) / root]
            let expectedGradient = [1 * dq[0], 2 * dq[1], 3 * dq[0], 0 * dq[1]]  // 2A/C = A for C = 2
            assertClose(try features.grad!.toHost(), expectedGradient, rtol: 1e-5, atol: 1e-7, backend.name)
        }
    }
}
