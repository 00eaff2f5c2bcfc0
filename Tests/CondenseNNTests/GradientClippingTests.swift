import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// Global-norm gradient clipping as PyTorch's clip_grad_norm_.
final class GradientClippingTests: XCTestCase {
    func testGradientsAreScaledOnlyAboveTheMaximumNorm() throws {
        for backend in [TestDevices.cpu as Backend, try TestDevices.openCL()] {
            let a = Variable(try backend.tensor([2, -1], shape: [1, 2]), requiresGrad: true)
            let b = Variable(try backend.tensor([0.5, 0.3, -0.2], shape: [1, 3]), requiresGrad: true)
            let label0 = try backend.allocate([1], dtype: .int32), label2 = try backend.allocate([1], dtype: .int32)
            try [Int32(0)].withUnsafeBytes { try backend.write($0, to: label0) }
            try [Int32(2)].withUnsafeBytes { try backend.write($0, to: label2) }
            let (loss, tape) = try Tape.record {
                try add(try crossEntropy(a, labels: label0), try crossEntropy(b, labels: label2))
            }
            try tape.backward(from: loss)
            let gradients = try a.grad!.toHost() + b.grad!.toHost()
            let norm = gradients.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            XCTAssertEqual(try clipGradientNorm([a, b], maxNorm: 10), norm, accuracy: 1e-6, backend.name)
            XCTAssertEqual(try a.grad!.toHost() + b.grad!.toHost(), gradients, "below the maximum nothing changes")
            XCTAssertEqual(try clipGradientNorm([a, b], maxNorm: 0.5), norm, accuracy: 1e-6, backend.name)
            let factor = 0.5 / (norm + 1e-6)
            assertClose(try a.grad!.toHost() + b.grad!.toHost(), gradients.map { $0 * factor }, rtol: 1e-6, atol: 1e-7)
            XCTAssertThrowsError(try clipGradientNorm([a], maxNorm: 0))
        }
    }
}
