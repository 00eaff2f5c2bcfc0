import CondenseCore
import XCTest

/// Helpers shared by the Softmax family's tests: int32 label tensors and the check of a backend against the JAX
/// fixtures in `Tests/Fixtures/softmax/` and `Tests/Fixtures/decoupled_distillation/` (written by
/// `Scripts/fixtures/softmax.py` and `Scripts/fixtures/decoupled_distillation.py`).
public enum SoftmaxTestSupport {
    /// An int32 `[count]` tensor holding `labels`.
    public static func labels(_ labels: [Int32], on backend: Backend) throws -> Tensor {
        let tensor = try backend.allocate([labels.count], dtype: .int32)
        try labels.withUnsafeBytes { try backend.write($0, to: tensor) }
        return tensor
    }

    /// Runs every fixture case on `backend` and compares it with JAX's values:
    /// softmax at T = 1 and 4, the KD loss, terms and gradient (T = 4, α = 0.9), and cross entropy
    /// with label smoothing 0.1 and its gradient, on B = 5, K = 8 logits that include ±50.
    public static func assertMatchesJAXFixtures(_ backend: Backend, file: StaticString = #filePath,
                                                line: UInt = #line) throws {
        func load(_ name: String) throws -> [Float] { try Fixtures.array("softmax", name).floats() }
        let studentArray = try Fixtures.array("softmax", "student"), shape = Shape(studentArray.shape)
        XCTAssertEqual(shape, [5, 8], file: file, line: line)
        let student = try backend.tensor(studentArray.floats(), shape: shape)
        let teacher = try backend.tensor(try load("teacher"), shape: shape)
        let labels = try labels(try Fixtures.array("softmax", "labels").ints().map(Int32.init), on: backend)
        // Probabilities down to 1e-44 and gradients: rtol 1e-5 with an absolute floor far below every value that
        // matters.
        let (rtol, atol): (Float, Float) = (1e-5, 1e-7)

        for temperature in [1, 4] {
            let probabilities = try backend.poisoned(shape)
            try backend.softmax(logits: student, temperature: Float(temperature), output: probabilities)
            try assertClose(probabilities.toHost(), load("softmax_t\(temperature)"), rtol: rtol, atol: atol,
                            "\(backend.name) softmax T=\(temperature)", file: file, line: line)
        }

        let loss = try backend.poisoned([1]), terms = try backend.poisoned([2]), grad = try backend.poisoned(shape)
        try backend.distillationLoss(student: student, teacher: teacher, labels: labels, temperature: 4, alpha: 0.9,
                                     loss: loss, gradStudent: grad, terms: terms)
        try assertLoss([loss, terms, grad], matches: [load("kd_loss"), load("kd_terms"), load("kd_grad")],
                       rtol: rtol, atol: atol, "\(backend.name) KD", file: file, line: line)

        let ceLoss = try backend.poisoned([1]), ceGrad = try backend.poisoned(shape)
        try backend.crossEntropy(logits: student, labels: labels, labelSmoothing: 0.1, loss: ceLoss,
                                 gradLogits: ceGrad)
        try assertClose(ceLoss.toHost(), load("ce_loss"), rtol: rtol, atol: atol, "\(backend.name) CE loss",
                        file: file, line: line)
        try assertClose(ceGrad.toHost(), load("ce_grad"), rtol: rtol, atol: atol, "\(backend.name) CE gradient",
                        file: file, line: line)
    }

    /// Runs the DKD fixture on `backend` and compares loss, terms and gradient with JAX's float64 values at
    /// (T, α, β) = (4, 1, 8) and (1, 0.5, 2), on B = 6, K = 7 logits with ±50 entries, targets whose probability is
    /// within float32 rounding of 1 (for both models, and for the teacher only) and a target near probability 0.
    public static func assertMatchesDKDFixture(_ backend: Backend, file: StaticString = #filePath,
                                               line: UInt = #line) throws {
        let folder = "decoupled_distillation"
        func load(_ name: String) throws -> [Float] { try Fixtures.array(folder, name).floats() }
        let studentArray = try Fixtures.array(folder, "student"), shape = Shape(studentArray.shape)
        XCTAssertEqual(shape, [6, 7], file: file, line: line)
        let student = try backend.tensor(studentArray.floats(), shape: shape)
        let teacher = try backend.tensor(try load("teacher"), shape: shape)
        let labels = try labels(try Fixtures.array(folder, "labels").ints().map(Int32.init), on: backend)
        // The terms reach 180 and the gradients span 1e-9 to 1: rtol 1e-5 over an absolute floor of 1e-6, the
        // float32 rounding of a gradient term of size 1.
        let (rtol, atol): (Float, Float) = (1e-5, 1e-6)
        for (name, temperature, alpha, beta): (String, Float, Float, Float) in [("t4", 4, 1, 8), ("t1", 1, 0.5, 2)] {
            let loss = try backend.poisoned([1]), terms = try backend.poisoned([3]), grad = try backend.poisoned(shape)
            try backend.decoupledDistillationLoss(student: student, teacher: teacher, labels: labels,
                                                  temperature: temperature, alpha: alpha, beta: beta, loss: loss,
                                                  gradStudent: grad, terms: terms)
            try assertLoss([loss, terms, grad],
                           matches: [load("loss_\(name)"), load("terms_\(name)"), load("grad_\(name)")],
                           rtol: rtol, atol: atol, "\(backend.name) DKD \(name)", file: file, line: line)
        }
    }

    /// A fused loss's outputs `[loss, terms, gradient]` against the fixture's values in the same order.
    private static func assertLoss(_ outputs: [Tensor], matches expected: [[Float]], rtol: Float, atol: Float,
                                   _ context: String, file: StaticString, line: UInt) throws {
        for (output, (values, name)) in zip(outputs, zip(expected, ["loss", "terms", "gradient"])) {
            try assertClose(output.toHost(), values, rtol: rtol, atol: atol, "\(context) \(name)", file: file,
                            line: line)
        }
    }
}
