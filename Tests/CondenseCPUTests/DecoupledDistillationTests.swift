import CondenseCPU
import CondenseCore
import CondenseTestSupport
import XCTest

/// The DKD loss (`SoftmaxKernels.decoupledDistillation`, the CPU backend's `decoupledDistillationLoss`): its gradient
/// against central finite differences of the Double instantiation, its terms against the definition written out
/// (`DecoupledDistillationReference`), targets whose probability rounds to 1 in float32, the JAX fixture, and every
/// error path.
final class DecoupledDistillationTests: XCTestCase {
    private let shapes = [(rows: 1, classes: 2), (rows: 2, classes: 3), (rows: 7, classes: 11), (rows: 2, classes: 13)]
    private let weights: [(alpha: Double, beta: Double)] = [(1, 8), (0.5, 0), (0, 2)]

    func testGradientMatchesFiniteDifferences() throws {
        var random = SeededGenerator(seed: 41)
        for (rows, classes) in shapes {
            for temperature in [1, 4, 0.5] {
                for (alpha, beta) in weights {
                    let s = random.floats(rows * classes, in: -3...3).map(Double.init)
                    let t = random.floats(rows * classes, in: -3...3).map(Double.init)
                    let labels = randomLabels(rows, classes, &random)
                    let (_, analytic) = try dkd(s, t, labels, classes, temperature, alpha, beta)
                    let numeric = try numericalGradient(of: {
                        let terms = try dkd($0, t, labels, classes, temperature, alpha, beta).terms
                        return terms.tckd + terms.nckd + terms.ce
                    }, at: s)
                    assertClose(analytic, numeric, rtol: 1e-6, atol: 1e-8,
                                "DKD B=\(rows) K=\(classes) T=\(temperature) α=\(alpha) β=\(beta)")
                }
            }
        }
    }

    func testTermsMatchTheDefinition() throws {
        var random = SeededGenerator(seed: 42)
        for (rows, classes) in shapes {
            for temperature in [1, 4, 0.5] {
                let s = random.floats(rows * classes, in: -4...4).map(Double.init)
                let t = random.floats(rows * classes, in: -4...4).map(Double.init)
                let labels = randomLabels(rows, classes, &random)
                let (terms, _) = try dkd(s, t, labels, classes, temperature, 1, 8)
                let expected = DecoupledDistillationReference.terms(student: s, teacher: t, labels: labels,
                                                                    classes: classes, temperature: temperature,
                                                                    alpha: 1, beta: 8)
                // The reference forms 1 − p_y by subtraction, which costs it digits as p_y nears 1 (T = 0.5).
                let context = "B=\(rows) K=\(classes) T=\(temperature)", precision = 1e-9
                XCTAssertEqual(terms.tckd, expected.tckd, accuracy: precision * max(1, expected.tckd), context)
                XCTAssertEqual(terms.nckd, expected.nckd, accuracy: precision * max(1, expected.nckd), context)
                XCTAssertEqual(terms.ce, expected.ce, accuracy: precision * max(1, expected.ce), context)
                XCTAssertGreaterThan(terms.tckd + terms.nckd, 0, "different logits must give a positive divergence")
            }
        }
    }

    func testWithoutItsWeightsDKDIsCrossEntropy() throws {
        var random = SeededGenerator(seed: 43)
        let (rows, classes) = (7, 11)
        let s = random.floats(rows * classes, in: -3...3).map(Double.init)
        let t = random.floats(rows * classes, in: -3...3).map(Double.init)
        let labels = randomLabels(rows, classes, &random)
        let (terms, grad) = try dkd(s, t, labels, classes, 4, 0, 0)
        var ceGrad = [Double](repeating: .nan, count: s.count)
        let ce = try ceGrad.withUnsafeMutableBufferPointer { g in
            try SoftmaxKernels.crossEntropy(s, labels: labels, rows: rows, classes: classes, labelSmoothing: 0,
                                              gradLogits: g.baseAddress!)
        }
        XCTAssertEqual(terms.tckd, 0)
        XCTAssertEqual(terms.nckd, 0)
        XCTAssertEqual(terms.ce, ce, accuracy: 1e-12)
        assertClose(grad, ceGrad, rtol: 1e-12, atol: 1e-15, "α = β = 0")
    }

    /// A logit gap of 80 at T = 4 leaves 1 − p_y ≈ 2e-9, below float32's rounding of 1: the Float kernel must still
    /// agree with the Double one (which resolves it) instead of taking log 0.
    func testTargetsWhoseProbabilityRoundsToOneStayExact() throws {
        let classes = 5
        let s: [Float] = [1, -2, 85, 0.5, 3, /* */ 0.2, 90, -1, 2, 1]
        let t: [Float] = [-1, 0.5, 80, 2, 1, /* */ 1, 2, 0, -3, 0.5]
        let labels: [Int32] = [2, 1]
        let shape: Shape = [2, classes]
        let cpu = TestDevices.cpu
        let loss = try cpu.poisoned([1]), terms = try cpu.poisoned([3]), grad = try cpu.poisoned(shape)
        try cpu.decoupledDistillationLoss(student: try cpu.tensor(s, shape: shape), teacher: try cpu.tensor(t, shape: shape),
                                          labels: try SoftmaxTestSupport.labels(labels, on: cpu), temperature: 4,
                                          alpha: 1, beta: 8, loss: loss, gradStudent: grad, terms: terms)
        let (expected, expectedGrad) = try dkd(s.map(Double.init), t.map(Double.init), labels, classes, 4, 1, 8)
        try assertClose(terms.toHost(), [expected.tckd, expected.nckd, expected.ce].map(Float.init), rtol: 1e-5,
                        atol: 1e-6, "terms")
        try assertClose(grad.toHost(), expectedGrad.map(Float.init), rtol: 1e-5, atol: 1e-7, "gradient")
        XCTAssertGreaterThan(try terms.toHost()[0], 0, "the first row's TCKD is not zero although 1 − p_y rounds to 0")
    }

    func testTheCPUBackendMatchesTheJAXFixture() throws {
        try SoftmaxTestSupport.assertMatchesDKDFixture(TestDevices.cpu)
    }

    func testBadInputIsRejectedBeforeAnythingIsWritten() throws {
        let cpu = TestDevices.cpu
        let z = try cpu.tensor([0, 1, 2, 3, 4, 5], shape: [2, 3]), labels = try SoftmaxTestSupport.labels([0, 2], on: cpu)
        let loss = try cpu.full([1], value: 7), grad = try cpu.full([2, 3], value: 7), terms = try cpu.full([3], value: 7)
        func call(student: Tensor? = nil, labels given: Tensor? = nil, temperature: Float = 4, alpha: Float = 1,
                  beta: Float = 8, terms givenTerms: Tensor? = nil) throws {
            try cpu.decoupledDistillationLoss(student: student ?? z, teacher: student ?? z, labels: given ?? labels,
                                              temperature: temperature, alpha: alpha, beta: beta, loss: loss,
                                              gradStudent: grad, terms: givenTerms ?? terms)
        }
        let oneClass = try cpu.tensor([1, 2], shape: [2, 1])
        assertFails("K ≥ 2") { try call(student: oneClass) }
        assertFails("beta must be ≥ 0") { try call(beta: -1) }
        assertFails("alpha must be ≥ 0") { try call(alpha: .nan) }
        assertFails("temperature") { try call(temperature: 0) }
        assertFails("terms of 3 elements") { try call(terms: try cpu.full([2], value: 7)) }
        assertFails("label 3 at row 1") { try call(labels: try SoftmaxTestSupport.labels([0, 3], on: cpu)) }
        XCTAssertEqual(try loss.toHost(), [7], "a rejected call must not write its outputs")
        XCTAssertEqual(try grad.toHost(), [Float](repeating: 7, count: 6))
        XCTAssertEqual(try terms.toHost(), [7, 7, 7])
    }

    // MARK: - Helpers

    private func dkd(_ s: [Double], _ t: [Double], _ labels: [Int32], _ classes: Int, _ temperature: Double,
                     _ alpha: Double, _ beta: Double) throws -> (terms: (tckd: Double, nckd: Double, ce: Double),
                                                                  grad: [Double]) {
        var grad = [Double](repeating: .nan, count: s.count)
        let terms = try grad.withUnsafeMutableBufferPointer { g in
            try SoftmaxKernels.decoupledDistillation(student: s, teacher: t, labels: labels, rows: labels.count,
                                                     classes: classes, temperature: temperature, alpha: alpha,
                                                     beta: beta, gradStudent: g.baseAddress!)
        }
        return (terms, grad)
    }

    private func assertFails(_ text: String, _ body: () throws -> Void, file: StaticString = #filePath,
                             line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertTrue(error is CondenseError, "not a CondenseError: \(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(text), "'\(error)' does not mention '\(text)'", file: file, line: line)
        }
    }

    private func randomLabels(_ rows: Int, _ classes: Int, _ random: inout SeededGenerator) -> [Int32] {
        (0..<rows).map { _ in Int32.random(in: 0..<Int32(classes), using: &random) }
    }
}
