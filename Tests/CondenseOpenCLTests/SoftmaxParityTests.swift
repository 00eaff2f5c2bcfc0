import CondenseCore
import CondenseOpenCL
import CondenseTestSupport
import XCTest

/// `Kernels/softmax.cl` against the CPU reference on every op, on class counts below the work-group size (1, 3, 8,
/// 13 under 32 work-items: idle work-items), filling it partly (33 → 64, 100 → 128), above it (1000 over 256: strided
/// rows), batches of 1 and 17 (and 1000 for the losses: the batch mean strides too), and the JAX fixtures. Every
/// comparison runs with both chunk tilings (GPU: work-groups of up to 256 with float4 loads and a scalar tail; CPU:
/// one work-item per row in float16 vectors), so class counts below, at and above the vector width are covered.
///
/// Tolerances: rtol 1e-5 with atol 1e-6 throughout. Reductions sum in a different order on the device (vector lanes
/// and a tree over up to 256 work-items versus a sequential loop), which moves a sum of K = 1000 positive terms by a few ulps; the
/// loss gradients subtract targets from probabilities, so values near zero are held to the absolute 1e-6.
final class SoftmaxParityTests: XCTestCase {
    private let classCounts = [1, 3, 8, 13, 33, 100, 1000]
    private let batches = [1, 17]
    private let temperatures: [Float] = [1, 4, 0.5]

    func testSoftmaxMatchesTheCPU() throws {
        var random = SeededGenerator(seed: 21)
        for classes in classCounts {
            for rows in batches {
                for temperature in temperatures {
                    let z = random.floats(rows * classes, in: -6...6), shape: Shape = [rows, classes]
                    try assertParityForEachTiling("softmax B=\(rows) K=\(classes) T=\(temperature)") { backend in
                        let p = try backend.poisoned(shape)
                        try backend.softmax(logits: try backend.tensor(z, shape: shape), temperature: temperature,
                                            output: p)
                        return [p]
                    }
                }
            }
        }
    }

    func testCrossEntropyMatchesTheCPU() throws {
        var random = SeededGenerator(seed: 23)
        for classes in classCounts {
            for rows in batches + [1000] where rows * classes <= 20_000 || rows < 1000 {
                for smoothing: Float in [0, 0.1] {
                    let z = random.floats(rows * classes, in: -6...6)
                    let labels = randomLabels(rows, classes, &random), shape: Shape = [rows, classes]
                    try assertParityForEachTiling("CE B=\(rows) K=\(classes) ε=\(smoothing)") { backend in
                        let logits = try backend.tensor(z, shape: shape)
                        let labelTensor = try SoftmaxTestSupport.labels(labels, on: backend)
                        let loss = try backend.poisoned([1]), grad = try backend.poisoned(shape)
                        let lossOnly = try backend.poisoned([1])
                        try backend.crossEntropy(logits: logits, labels: labelTensor, labelSmoothing: smoothing,
                                             loss: loss, gradLogits: grad)
                        try backend.crossEntropy(logits: logits, labels: labelTensor, labelSmoothing: smoothing,
                                             loss: lossOnly, gradLogits: nil)
                        return [loss, grad, lossOnly]
                    }
                }
            }
        }
    }

    func testDistillationLossMatchesTheCPU() throws {
        var random = SeededGenerator(seed: 24)
        for classes in classCounts {
            for rows in batches + [1000] where rows * classes <= 20_000 || rows < 1000 {
                for temperature in temperatures {
                    for alpha: Float in [0, 0.9, 1] {
                        let s = random.floats(rows * classes, in: -6...6), t = random.floats(rows * classes, in: -6...6)
                        let labels = randomLabels(rows, classes, &random), shape: Shape = [rows, classes]
                        let label = "KD B=\(rows) K=\(classes) T=\(temperature) α=\(alpha)"
                        try assertParityForEachTiling(label) { backend in
                            let student = try backend.tensor(s, shape: shape), teacher = try backend.tensor(t, shape: shape)
                            let labelTensor = try SoftmaxTestSupport.labels(labels, on: backend)
                            let loss = try backend.poisoned([1]), terms = try backend.poisoned([2])
                            let grad = try backend.poisoned(shape), lossOnly = try backend.poisoned([1])
                            try backend.distillationLoss(student: student, teacher: teacher, labels: labelTensor,
                                                     temperature: temperature, alpha: alpha, loss: loss,
                                                     gradStudent: grad, terms: terms)
                            try backend.distillationLoss(student: student, teacher: teacher, labels: labelTensor,
                                                     temperature: temperature, alpha: alpha, loss: lossOnly,
                                                     gradStudent: nil)
                            return [loss, terms, grad, lossOnly]
                        }
                    }
                }
            }
        }
    }

    /// Logits 300 apart: most exponentials underflow (the kernels' eˣ is 0 below −87.3, 2⁻¹²⁶, where the CPU's exp
    /// is subnormal or 0), and the probabilities, losses and gradients must still agree.
    func testExponentialsThatUnderflowMatchTheCPU() throws {
        var random = SeededGenerator(seed: 27)
        for classes in [13, 1000] {
            let rows = 5, shape: Shape = [rows, classes]
            let s = random.floats(rows * classes, in: -150...150), t = random.floats(rows * classes, in: -150...150)
            let labels = randomLabels(rows, classes, &random)
            try assertParityForEachTiling("underflow K=\(classes)") { backend in
                let student = try backend.tensor(s, shape: shape), teacher = try backend.tensor(t, shape: shape)
                let labelTensor = try SoftmaxTestSupport.labels(labels, on: backend)
                let p = try backend.poisoned(shape)
                let ceLoss = try backend.poisoned([1]), ceGrad = try backend.poisoned(shape)
                let kdLoss = try backend.poisoned([1]), kdGrad = try backend.poisoned(shape)
                try backend.softmax(logits: student, temperature: 1, output: p)
                try backend.crossEntropy(logits: student, labels: labelTensor, labelSmoothing: 0.1, loss: ceLoss,
                                         gradLogits: ceGrad)
                try backend.distillationLoss(student: student, teacher: teacher, labels: labelTensor, temperature: 1,
                                             alpha: 0.5, loss: kdLoss, gradStudent: kdGrad)
                return [p, ceLoss, ceGrad, kdLoss, kdGrad]
            }
        }
    }

    func testSoftmaxInPlaceMatchesTheCPU() throws {
        var random = SeededGenerator(seed: 25)
        for classes in [8, 1000] {
            let z = random.floats(3 * classes, in: -6...6), shape: Shape = [3, classes]
            try assertParityForEachTiling("in place K=\(classes)") { backend in
                let p = try backend.tensor(z, shape: shape)
                try backend.softmax(logits: p, temperature: 2, output: p)
                return [p]
            }
        }
    }

    /// The device does not validate labels; it clamps them, so an out-of-range label reads no memory outside the row
    /// and acts as the nearest class (the CPU, given that class, must agree).
    func testOutOfRangeLabelsAreClampedOnTheDevice() throws {
        let gpu = try TestDevices.openCL(), cpu = TestDevices.cpu
        var random = SeededGenerator(seed: 26)
        let (rows, classes) = (3, 8), shape: Shape = [rows, classes]
        let s = random.floats(rows * classes, in: -6...6), t = random.floats(rows * classes, in: -6...6)
        func run(_ backend: Backend, _ labels: [Int32]) throws -> [[Float]] {
            let student = try backend.tensor(s, shape: shape), teacher = try backend.tensor(t, shape: shape)
            let labelTensor = try SoftmaxTestSupport.labels(labels, on: backend)
            let ceLoss = try backend.poisoned([1]), ceGrad = try backend.poisoned(shape)
            let kdLoss = try backend.poisoned([1]), kdGrad = try backend.poisoned(shape)
            try backend.crossEntropy(logits: student, labels: labelTensor, labelSmoothing: 0.1, loss: ceLoss,
                                     gradLogits: ceGrad)
            try backend.distillationLoss(student: student, teacher: teacher, labels: labelTensor, temperature: 2,
                                         alpha: 0.5, loss: kdLoss, gradStudent: kdGrad)
            return try [ceLoss, ceGrad, kdLoss, kdGrad].map { try $0.toHost() }
        }
        let device = try run(gpu, [-5, 3, 1_000_000]), reference = try run(cpu, [0, 3, 7])
        for (actual, expected) in zip(device, reference) { assertClose(actual, expected) }
    }

    func testTheDeviceRejectsBadInputLikeTheCPU() throws {
        let gpu = try TestDevices.openCL()
        let z = try gpu.full([2, 3], value: 1), loss = try gpu.full([1], value: 0)
        let labels = try SoftmaxTestSupport.labels([0, 1], on: gpu)
        XCTAssertThrowsError(try gpu.softmax(logits: z, temperature: 0, output: z)) {
            XCTAssertTrue("\($0)".contains("temperature"), "\($0)")
        }
        XCTAssertThrowsError(try gpu.crossEntropy(logits: z, labels: gpu.full([2], value: 0), labelSmoothing: 0,
                                                  loss: loss, gradLogits: nil)) {
            XCTAssertTrue("\($0)".contains("int32"), "\($0)")
        }
        XCTAssertThrowsError(try gpu.distillationLoss(student: z, teacher: z, labels: labels, temperature: 4,
                                                      alpha: 2, loss: loss, gradStudent: nil)) {
            XCTAssertTrue("\($0)".contains("alpha"), "\($0)")
        }
        XCTAssertThrowsError(try gpu.softmax(logits: z, temperature: 1, output: TestDevices.cpu.full([2, 3], value: 0))) {
            XCTAssertEqual($0 as? CondenseError, .backendMismatch(op: "softmax"))
        }
    }

    func testTheDeviceMatchesTheJAXFixtures() throws {
        try SoftmaxTestSupport.assertMatchesJAXFixtures(try TestDevices.openCL())
    }

    // MARK: - Helpers

    private func randomLabels(_ rows: Int, _ classes: Int, _ random: inout SeededGenerator) -> [Int32] {
        (0..<rows).map { _ in Int32.random(in: 0..<Int32(classes), using: &random) }
    }
}
