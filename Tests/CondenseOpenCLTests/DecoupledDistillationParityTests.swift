import CondenseCore
import CondenseOpenCL
import CondenseTestSupport
import XCTest

/// `decoupled_distillation_rows` (Kernels/softmax.cl) against the CPU backend on odd shapes: 2 classes (one
/// non-target), class counts below, across and above the work-group size and the vector width (3, 11, 13, 33, 100,
/// 1000), batches of 1 and 7 (and 1000 rows for the batch mean), labels at both ends of a row (the non-target ranges
/// either side of the label are empty), extreme and underflowing logits, and the JAX fixture. Every comparison runs
/// with both chunk tilings. Tolerances as SoftmaxParityTests': rtol 1e-5 over an absolute 1e-6.
final class DecoupledDistillationParityTests: XCTestCase {
    func testLossTermsAndGradientMatchTheCPU() throws {
        var random = SeededGenerator(seed: 51)
        for classes in [2, 3, 11, 13, 33, 100, 1000] {
            for rows in [1, 7, 1000] where rows * classes <= 20_000 {
                for (temperature, alpha, beta): (Float, Float, Float) in [(4, 1, 8), (1, 0.5, 2), (0.5, 2, 0)] {
                    let s = random.floats(rows * classes, in: -6...6), t = random.floats(rows * classes, in: -6...6)
                    var labels = (0..<rows).map { _ in Int32.random(in: 0..<Int32(classes), using: &random) }
                    labels[0] = 0
                    labels[rows - 1] = Int32(classes - 1)
                    try assertDKDParity("DKD B=\(rows) K=\(classes) T=\(temperature) α=\(alpha) β=\(beta)", s, t,
                                        labels, classes, temperature, alpha, beta)
                }
            }
        }
    }

    /// Logits 300 apart (most exponentials underflow) and targets 100 above the rest (1 − p_y far below float32's
    /// rounding of 1) must agree too.
    func testUnderflowingExponentialsAndCertainTargetsMatchTheCPU() throws {
        var random = SeededGenerator(seed: 52)
        for classes in [13, 1000] {
            let rows = 5
            var s = random.floats(rows * classes, in: -150...150), t = random.floats(rows * classes, in: -150...150)
            let labels = (0..<rows).map { _ in Int32.random(in: 0..<Int32(classes), using: &random) }
            s[Int(labels[0])] = 400
            t[Int(labels[0])] = 400
            t[classes + Int(labels[1])] = 400
            try assertDKDParity("underflow K=\(classes)", s, t, labels, classes, 1, 1, 8)
            try assertDKDParity("underflow K=\(classes) T=4", s, t, labels, classes, 4, 1, 8)
        }
    }

    func testTheDeviceMatchesTheJAXFixture() throws {
        try SoftmaxTestSupport.assertMatchesDKDFixture(try TestDevices.openCL())
    }

    func testTheDeviceRejectsBadInputLikeTheCPU() throws {
        let gpu = try TestDevices.openCL()
        let z = try gpu.tensor([1, 2], shape: [2, 1]), labels = try SoftmaxTestSupport.labels([0, 0], on: gpu)
        XCTAssertThrowsError(try gpu.decoupledDistillationLoss(student: z, teacher: z, labels: labels, temperature: 4,
                                                               alpha: 1, beta: 8, loss: try gpu.full([1], value: 0),
                                                               gradStudent: nil, terms: nil)) {
            XCTAssertTrue("\($0)".contains("K ≥ 2"), "\($0)")
        }
    }

    private func assertDKDParity(_ label: String, _ s: [Float], _ t: [Float], _ labels: [Int32], _ classes: Int,
                                 _ temperature: Float, _ alpha: Float, _ beta: Float,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let shape: Shape = [labels.count, classes]
        try assertParityForEachTiling(label, file: file, line: line) { backend in
            let student = try backend.tensor(s, shape: shape), teacher = try backend.tensor(t, shape: shape)
            let labelTensor = try SoftmaxTestSupport.labels(labels, on: backend)
            let loss = try backend.poisoned([1]), terms = try backend.poisoned([3]), grad = try backend.poisoned(shape)
            let lossOnly = try backend.poisoned([1])
            try backend.decoupledDistillationLoss(student: student, teacher: teacher, labels: labelTensor,
                                                  temperature: temperature, alpha: alpha, beta: beta, loss: loss,
                                                  gradStudent: grad, terms: terms)
            try backend.decoupledDistillationLoss(student: student, teacher: teacher, labels: labelTensor,
                                                  temperature: temperature, alpha: alpha, beta: beta, loss: lossOnly,
                                                  gradStudent: nil, terms: nil)
            return [loss, terms, grad, lossOnly]
        }
    }
}
