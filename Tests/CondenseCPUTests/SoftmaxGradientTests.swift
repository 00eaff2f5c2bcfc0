import CondenseCPU
import CondenseCore
import CondenseTestSupport
import XCTest

/// The Softmax family's loss gradients against central finite differences of the Double
/// reference, the losses against naive textbook formulas, the CPU backend against JAX, and every error path.
final class SoftmaxGradientTests: XCTestCase {
    private let shapes = [(rows: 1, classes: 1), (rows: 2, classes: 3), (rows: 3, classes: 8), (rows: 2, classes: 13)]
    private let temperatures: [Double] = [1, 4, 0.5]

    // MARK: - Loss gradients against finite differences

    func testCrossEntropyGradientMatchesFiniteDifferences() throws {
        var random = SeededGenerator(seed: 3)
        for (rows, classes) in shapes {
            for smoothing in [0, 0.1] {
                let z = random.doubles(rows * classes, in: -3...3), labels = randomLabels(rows, classes, &random)
                let (_, analytic) = try crossEntropy(z, labels, rows, classes, smoothing)
                let numeric = try numericalGradient(of: { try crossEntropy($0, labels, rows, classes, smoothing).0 },
                                                    at: z)
                assertClose(analytic, numeric, "CE B=\(rows) K=\(classes) ε=\(smoothing)")
            }
        }
    }

    func testDistillationGradientMatchesFiniteDifferences() throws {
        var random = SeededGenerator(seed: 4)
        for (rows, classes) in shapes {
            for temperature in temperatures {
                for alpha in [0, 0.9, 1] {
                    let s = random.doubles(rows * classes, in: -3...3), t = random.doubles(rows * classes, in: -3...3)
                    let labels = randomLabels(rows, classes, &random)
                    let (_, analytic) = try distillation(s, t, labels, rows, classes, temperature, alpha)
                    let numeric = try numericalGradient(of: {
                        let terms = try distillation($0, t, labels, rows, classes, temperature, alpha).terms
                        return terms.kd + terms.ce
                    }, at: s)
                    assertClose(analytic, numeric, "KD B=\(rows) K=\(classes) T=\(temperature) α=\(alpha)")
                }
            }
        }
    }

    // MARK: - Losses against naive definitions

    func testCrossEntropyMatchesTheSmoothedTargetDefinition() throws {
        var random = SeededGenerator(seed: 5)
        let (rows, classes) = (4, 6)
        for smoothing in [0, 0.1, 0.5] {
            let z = random.doubles(rows * classes, in: -3...3), labels = randomLabels(rows, classes, &random)
            var expected = 0.0
            for row in 0..<rows {
                let logits = Array(z[row * classes..<(row + 1) * classes])
                let normalizer = Foundation.log(logits.map { Foundation.exp($0) }.reduce(0, +))
                for k in 0..<classes {
                    let target = (k == Int(labels[row]) ? 1 - smoothing : 0) + smoothing / Double(classes)
                    expected -= target * (logits[k] - normalizer)
                }
            }
            let (loss, _) = try crossEntropy(z, labels, rows, classes, smoothing)
            XCTAssertEqual(loss, expected / Double(rows), accuracy: 1e-12, "ε=\(smoothing)")
        }
    }

    func testDistillationMatchesHintonsDefinition() throws {
        var random = SeededGenerator(seed: 6)
        let (rows, classes) = (3, 5)
        for (temperature, alpha) in [(4.0, 0.9), (1.0, 0.5), (0.5, 0.25)] {
            let s = random.doubles(rows * classes, in: -3...3), t = random.doubles(rows * classes, in: -3...3)
            let labels = randomLabels(rows, classes, &random)
            var kl = 0.0, ce = 0.0
            for row in 0..<rows {
                let range = row * classes..<(row + 1) * classes
                let ps = naiveSoftmax(Array(s[range]).map { $0 / temperature })
                let pt = naiveSoftmax(Array(t[range]).map { $0 / temperature })
                kl += zip(pt, ps).map { $0 * Foundation.log($0 / $1) }.reduce(0, +)
                ce -= Foundation.log(naiveSoftmax(Array(s[range]))[Int(labels[row])])
            }
            let (terms, _) = try distillation(s, t, labels, rows, classes, temperature, alpha)
            let expectedKD = alpha * temperature * temperature * kl / Double(rows)
            XCTAssertEqual(terms.kd, expectedKD, accuracy: 1e-12, "KD term T=\(temperature) α=\(alpha)")
            XCTAssertEqual(terms.ce, (1 - alpha) * ce / Double(rows), accuracy: 1e-12, "CE term")
        }
    }

    func testHugeLogitsStayFinite() throws {
        let cpu = TestDevices.cpu
        let logits = try cpu.tensor([1000, -1000, 0, 88, -3e4, 3e4], shape: [2, 3])
        let p = try cpu.poisoned([2, 3]), loss = try cpu.poisoned([1])
        try cpu.softmax(logits: logits, temperature: 1, output: p)
        try cpu.crossEntropy(logits: logits, labels: SoftmaxTestSupport.labels([0, 2], on: cpu), labelSmoothing: 0.1,
                             loss: loss, gradLogits: nil)
        let probabilities = try p.toHost()
        XCTAssertEqual(probabilities[0], 1)
        XCTAssertEqual(probabilities[5], 1)
        XCTAssertTrue(try loss.toHost()[0].isFinite)
    }

    // MARK: - JAX fixtures

    func testTheCPUBackendMatchesTheJAXFixtures() throws {
        try SoftmaxTestSupport.assertMatchesJAXFixtures(TestDevices.cpu)
    }

    // MARK: - Bad input

    func testBadParametersAreRejected() throws {
        let cpu = TestDevices.cpu
        let z = try cpu.full([2, 3], value: 1), out = try cpu.full([2, 3], value: 0), loss = try cpu.full([1], value: 0)
        let labels = try SoftmaxTestSupport.labels([0, 2], on: cpu)
        for temperature: Float in [0, -1, .nan, .infinity] {
            assertFails("temperature") { try cpu.softmax(logits: z, temperature: temperature, output: out) }
            assertFails("temperature") {
                try cpu.distillationLoss(student: z, teacher: z, labels: labels, temperature: temperature, alpha: 0.5,
                                         loss: loss, gradStudent: out)
            }
        }
        for alpha: Float in [-0.1, 1.1, .nan] {
            assertFails("alpha") {
                try cpu.distillationLoss(student: z, teacher: z, labels: labels, temperature: 4, alpha: alpha,
                                         loss: loss, gradStudent: out)
            }
        }
        for smoothing: Float in [-0.1, 1, 1.5, .nan] {
            assertFails("labelSmoothing") {
                try cpu.crossEntropy(logits: z, labels: labels, labelSmoothing: smoothing, loss: loss, gradLogits: out)
            }
        }
    }

    func testBadShapesAndDtypesAreRejected() throws {
        let cpu = TestDevices.cpu
        let z = try cpu.full([2, 3], value: 1), loss = try cpu.full([1], value: 0)
        let labels = try SoftmaxTestSupport.labels([0, 2], on: cpu)
        let wrongShape = try cpu.full([3, 2], value: 0), vector = try cpu.full([6], value: 0)
        assertFails("output of shape [2, 3]") { try cpu.softmax(logits: z, temperature: 1, output: wrongShape) }
        assertFails("logits of shape [B, K]") { try cpu.softmax(logits: vector, temperature: 1, output: vector) }
        assertFails("logits of shape [B, K]") {
            try cpu.softmax(logits: cpu.full([0, 3], value: 0), temperature: 1, output: cpu.full([0, 3], value: 0))
        }
        assertFails("labels of shape [2]") {
            try cpu.crossEntropy(logits: z, labels: SoftmaxTestSupport.labels([0, 1, 2], on: cpu), labelSmoothing: 0,
                                 loss: loss, gradLogits: nil)
        }
        assertFails("loss of 1 element") {
            try cpu.crossEntropy(logits: z, labels: labels, labelSmoothing: 0, loss: cpu.full([2], value: 0),
                                 gradLogits: nil)
        }
        assertFails("gradLogits of shape [2, 3]") {
            try cpu.crossEntropy(logits: z, labels: labels, labelSmoothing: 0, loss: loss, gradLogits: wrongShape)
        }
        assertFails("teacher of shape [2, 3]") {
            try cpu.distillationLoss(student: z, teacher: wrongShape, labels: labels, temperature: 4, alpha: 0.9,
                                     loss: loss, gradStudent: nil)
        }
        assertFails("gradStudent of shape [2, 3]") {
            try cpu.distillationLoss(student: z, teacher: z, labels: labels, temperature: 4, alpha: 0.9, loss: loss,
                                     gradStudent: vector)
        }
        assertFails("terms of 2 elements") {
            try cpu.distillationLoss(student: z, teacher: z, labels: labels, temperature: 4, alpha: 0.9, loss: loss,
                                     gradStudent: nil, terms: loss)
        }
        let floatLabels = try cpu.full([2], value: 0)
        assertFails("expected int32 tensor, got float32") {
            try cpu.crossEntropy(logits: z, labels: floatLabels, labelSmoothing: 0, loss: loss, gradLogits: nil)
        }
        assertFails("expected int32 tensor, got float32") {
            try cpu.distillationLoss(student: z, teacher: z, labels: floatLabels, temperature: 4, alpha: 0.9,
                                     loss: loss, gradStudent: nil)
        }
        let intLogits = try cpu.allocate([2, 3], dtype: .int32)
        assertFails("expected float32 tensor, got int32") { try cpu.softmax(logits: intLogits, temperature: 1, output: z) }
    }

    func testLabelsOutOfRangeAreRejectedOnTheCPU() throws {
        let cpu = TestDevices.cpu
        let z = try cpu.full([2, 3], value: 1), loss = try cpu.full([1], value: 7), grad = try cpu.full([2, 3], value: 7)
        for bad: [Int32] in [[0, 3], [-1, 0]] {
            let labels = try SoftmaxTestSupport.labels(bad, on: cpu)
            assertFails("outside [0, 3)") {
                try cpu.crossEntropy(logits: z, labels: labels, labelSmoothing: 0.1, loss: loss, gradLogits: grad)
            }
            assertFails("outside [0, 3)") {
                try cpu.distillationLoss(student: z, teacher: z, labels: labels, temperature: 2, alpha: 0.5,
                                         loss: loss, gradStudent: grad)
            }
        }
        XCTAssertEqual(try loss.toHost(), [7], "a rejected call must not write its outputs")
        XCTAssertEqual(try grad.toHost(), [Float](repeating: 7, count: 6))
    }

    // MARK: - Helpers (Double instantiation of the reference)

    private func assertFails(_ text: String, _ body: () throws -> Void, file: StaticString = #filePath,
                             line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertTrue(error is CondenseError, "not a CondenseError: \(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(text), "'\(error)' does not mention '\(text)'", file: file, line: line)
        }
    }

    private func crossEntropy(_ z: [Double], _ labels: [Int32], _ rows: Int, _ classes: Int,
                              _ smoothing: Double) throws -> (Double, [Double]) {
        var grad = [Double](repeating: .nan, count: z.count)
        let loss = try grad.withUnsafeMutableBufferPointer { g in
            try SoftmaxKernels.crossEntropy(z, labels: labels, rows: rows, classes: classes,
                                              labelSmoothing: smoothing, gradLogits: g.baseAddress!)
        }
        return (loss, grad)
    }

    private func distillation(_ s: [Double], _ t: [Double], _ labels: [Int32], _ rows: Int, _ classes: Int,
                              _ temperature: Double, _ alpha: Double) throws -> (terms: (kd: Double, ce: Double),
                                                                                 grad: [Double]) {
        var grad = [Double](repeating: .nan, count: s.count)
        let terms = try grad.withUnsafeMutableBufferPointer { g in
            try SoftmaxKernels.distillation(student: s, teacher: t, labels: labels, rows: rows, classes: classes,
                                              temperature: temperature, alpha: alpha, gradStudent: g.baseAddress!)
        }
        return (terms, grad)
    }

    private func naiveSoftmax(_ x: [Double]) -> [Double] {
        let e = x.map { Foundation.exp($0) }, sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map(*).reduce(0, +) }

    private func randomLabels(_ rows: Int, _ classes: Int, _ random: inout SeededGenerator) -> [Int32] {
        (0..<rows).map { _ in Int32.random(in: 0..<Int32(classes), using: &random) }
    }
}

private extension SeededGenerator {
    /// `count` Doubles uniform in `range` (drawn as Floats, so never exactly zero).
    mutating func doubles(_ count: Int, in range: ClosedRange<Float> = -1...1) -> [Double] {
        floats(count, in: range).map(Double.init)
    }
}
