import CondenseCPU
import CondenseCore
import CondenseTestSupport
import Foundation
import XCTest

/// The CPU backend's optimizers against an independent Double transcription of the algorithms in PyTorch's
/// documentation (torch.optim.SGD, torch.optim.AdamW), three steps each, and their bad-input errors.
final class OptimizerKernelsTests: XCTestCase {
    private let parameter: [Double] = [0.5, -1.25, 2.0, 0.03125]
    private let gradients: [[Double]] = [[0.1, -0.2, 0.3, -0.4], [-0.5, 0.25, 0.125, 1.0], [0.3, 0.3, -0.7, 0.05]]

    /// PyTorch docs, SGD: g ← g + λθ; b ← g (t = 1) or μb + (1 − τ)g; g ← g + μb (nesterov) or b; θ ← θ − γg.
    private func documentedSGD(lr: Double, momentum: Double, dampening: Double, decay: Double, nesterov: Bool) -> [Double] {
        var theta = parameter, buffer = [Double](repeating: 0, count: 4)
        for (t, gradient) in gradients.enumerated() {
            for i in 0..<4 {
                var g = gradient[i] + decay * theta[i]
                if momentum != 0 {
                    buffer[i] = t == 0 ? g : momentum * buffer[i] + (1 - dampening) * g
                    g = nesterov ? g + momentum * buffer[i] : buffer[i]
                }
                theta[i] -= lr * g
            }
        }
        return theta
    }

    /// PyTorch docs, AdamW: θ ← θ − γλθ; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; m̂ = m/(1 − β₁ᵗ);
    /// v̂ = v/(1 − β₂ᵗ); θ ← θ − γ m̂/(√v̂ + ε).
    private func documentedAdamW(lr: Double, beta1: Double, beta2: Double, eps: Double, decay: Double) -> [Double] {
        var theta = parameter, m = [Double](repeating: 0, count: 4), v = m
        for (index, g) in gradients.enumerated() {
            let t = Double(index + 1)
            for i in 0..<4 {
                theta[i] -= lr * decay * theta[i]
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                let mHat = m[i] / (1 - pow(beta1, t)), vHat = v[i] / (1 - pow(beta2, t))
                theta[i] -= lr * mHat / (vHat.squareRoot() + eps)
            }
        }
        return theta
    }

    func testSGDFollowsThePublishedAlgorithm() throws {
        let backend = TestDevices.cpu
        for (momentum, dampening, decay, nesterov) in [(0.0, 0.0, 0.0, false), (0.9, 0.0, 5e-4, true),
                                                       (0.8, 0.1, 1e-4, false)] {
            let options = SGDOptions(learningRate: 0.1, momentum: Float(momentum), dampening: Float(dampening),
                                     weightDecay: Float(decay), nesterov: nesterov)
            let theta = try backend.tensor(parameter.map(Float.init), shape: [4]), buffer = try backend.poisoned([4])
            for (t, g) in gradients.enumerated() {
                try backend.sgdStep(parameter: theta, gradient: try backend.tensor(g.map(Float.init), shape: [4]),
                                    momentumBuffer: buffer, options: options, isFirstStep: t == 0)
            }
            let expected = documentedSGD(lr: 0.1, momentum: momentum, dampening: dampening, decay: decay,
                                         nesterov: nesterov)
            assertClose(try theta.toHost(), expected.map(Float.init), rtol: 1e-6, atol: 1e-7,
                        "momentum \(momentum) nesterov \(nesterov)")
        }
    }

    func testAdamWFollowsThePublishedAlgorithm() throws {
        let backend = TestDevices.cpu
        let options = AdamWOptions(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01)
        let theta = try backend.tensor(parameter.map(Float.init), shape: [4])
        let m = try backend.full([4], value: 0), v = try backend.full([4], value: 0)
        for (t, g) in gradients.enumerated() {
            try backend.adamWStep(parameter: theta, gradient: try backend.tensor(g.map(Float.init), shape: [4]),
                                  firstMoment: m, secondMoment: v, step: t + 1, options: options)
        }
        let expected = documentedAdamW(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, decay: 0.01)
        assertClose(try theta.toHost(), expected.map(Float.init), rtol: 1e-6, atol: 1e-7)
    }

    func testBadOptionsAreRejected() throws {
        let backend = TestDevices.cpu
        let p = try backend.full([3], value: 1), g = try backend.full([3], value: 1)
        func reason(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(reason { try backend.sgdStep(parameter: p, gradient: g, momentumBuffer: nil,
                                                   options: .init(learningRate: -1), isFirstStep: true) }
            .contains("learning rate must be ≥ 0"))
        XCTAssertTrue(reason { try backend.sgdStep(parameter: p, gradient: g, momentumBuffer: nil,
                                                   options: .init(learningRate: 0.1, nesterov: true), isFirstStep: true) }
            .contains("Nesterov"))
        XCTAssertTrue(reason { try backend.sgdStep(parameter: p, gradient: try backend.full([4], value: 1),
                                                   momentumBuffer: nil, options: .init(learningRate: 0.1),
                                                   isFirstStep: true) }.contains("gradient of shape [3]"))
        XCTAssertTrue(reason { try backend.adamWStep(parameter: p, gradient: g, firstMoment: g, secondMoment: g,
                                                     step: 1, options: .init(beta1: 1)) }.contains("beta1 must be in [0, 1)"))
        XCTAssertTrue(reason { try backend.adamWStep(parameter: p, gradient: g, firstMoment: g, secondMoment: g,
                                                     step: 0, options: .init()) }.contains("step must be ≥ 1"))
    }
}
