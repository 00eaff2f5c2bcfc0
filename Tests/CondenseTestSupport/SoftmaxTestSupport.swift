import CondenseCore
import XCTest

/// Helpers shared by the Softmax family's tests: int32 label tensors and the check of a backend against the JAX
/// fixtures in `Tests/Fixtures/softmax/` (written by `Scripts/fixtures/softmax.py`).
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
        try assertClose(loss.toHost(), load("kd_loss"), rtol: rtol, atol: atol, "\(backend.name) KD loss",
                        file: file, line: line)
        try assertClose(terms.toHost(), load("kd_terms"), rtol: rtol, atol: atol, "\(backend.name) KD terms",
                        file: file, line: line)
        try assertClose(grad.toHost(), load("kd_grad"), rtol: rtol, atol: atol, "\(backend.name) KD gradient",
                        file: file, line: line)

        let ceLoss = try backend.poisoned([1]), ceGrad = try backend.poisoned(shape)
        try backend.crossEntropy(logits: student, labels: labels, labelSmoothing: 0.1, loss: ceLoss,
                                 gradLogits: ceGrad)
        try assertClose(ceLoss.toHost(), load("ce_loss"), rtol: rtol, atol: atol, "\(backend.name) CE loss",
                        file: file, line: line)
        try assertClose(ceGrad.toHost(), load("ce_grad"), rtol: rtol, atol: atol, "\(backend.name) CE gradient",
                        file: file, line: line)
    }
}
