import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// The tape end to end: whole-model gradients agree across backends and with a directional finite difference,
/// and training fits a small batch.
final class AutogradTests: XCTestCase {
    private func batch(on backend: Backend, size: Int = 3) throws -> (Variable, Tensor) {
        var random = SeededGenerator(seed: 99)
        let images = Variable(try backend.tensor(random.floats(size * 3 * 28 * 28), shape: [size, 3, 28, 28]))
        let labels = try backend.allocate([size], dtype: .int32)
        try (0..<size).map { Int32($0 % 8) }.withUnsafeBytes { try backend.write($0, to: labels) }
        return (images, labels)
    }

    /// The loss and every parameter's gradient after one backward pass in training mode.
    private func lossAndGradients(_ architecture: Architecture, training: Bool,
                                  on backend: Backend) throws -> (Float, [String: [Float]]) {
        let model = try ModelConfiguration(architecture: architecture, width: 0.25, classes: 8).build(on: backend, seed: 5)
        model.train(training)
        let (images, labels) = try batch(on: backend)
        let (loss, tape) = try Tape.record { try crossEntropy(try model(images), labels: labels) }
        try tape.backward(from: loss)
        var gradients: [String: [Float]] = [:]
        for (name, parameter) in model.namedParameters() {
            guard let grad = parameter.grad else { XCTFail("\(architecture): \(name) got no gradient"); continue }
            gradients[name] = try grad.toHost()
        }
        return (try loss.value.toHost()[0], gradients)
    }

    func testWholeModelGradientsAgreeAcrossBackends() throws {
        let gpu = try TestDevices.openCL()
        // Training-mode MobileNetV2 on 3 samples sits on ReLU6 kinks that float rounding flips (a gradient check
        // of a non-smooth function); its training-mode tape is covered by the block check below.
        for (architecture, training) in [(Architecture.resnet20, true), (.resnet20, false), (.mobilenetv2, false)] {
            let (cpuLoss, cpuGradients) = try lossAndGradients(architecture, training: training, on: TestDevices.cpu)
            let (gpuLoss, gpuGradients) = try lossAndGradients(architecture, training: training, on: gpu)
            XCTAssertEqual(gpuLoss, cpuLoss, accuracy: 1e-4 * abs(cpuLoss), "\(architecture)")
            // Batch norm over 3 samples amplifies rounding differences, and some gradients are exactly zero in exact
            // arithmetic (a bias feeding a training-mode batch norm through a linear layer), so each gradient is
            // compared to its own scale plus a small share of the model's largest gradient.
            let modelScale = cpuGradients.values.joined().reduce(Float(0)) { max($0, abs($1)) }
            for (name, expected) in cpuGradients {
                let actual = gpuGradients[name] ?? []
                let scale = expected.reduce(Float(0)) { max($0, abs($1)) }
                let difference = zip(actual, expected).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
                XCTAssertEqual(actual.count, expected.count, "\(architecture) \(name)")
                XCTAssertLessThanOrEqual(difference, 2e-3 * scale + 1e-4 * modelScale, "\(architecture) \(name)")
            }
        }
    }

    func testGradientMatchesADirectionalFiniteDifference() throws {
        // Whole models in evaluation mode, where the loss is smooth enough at a step of 1e-4.
        for backend in [TestDevices.cpu as Backend, try TestDevices.openCL()] {
            let model = try ModelConfiguration(architecture: .resnet20, width: 0.25, classes: 8).build(on: backend, seed: 1)
            model.train(false)
            try checkDirectionalDerivative(model, images: try batch(on: backend, size: 8), on: backend)
        }
        // Training-mode batch norm, convolutions and a residual sum without activations: the loss is smooth, so
        // the check is tight; then the same with ReLU, where a small step keeps clear of the kinks.
        for kind in [Activation.none, .relu] {
            var initializer = Initializer(seed: 3)
            let backend = TestDevices.cpu
            let block = Sequential([
                try Conv2d(3, 4, kernel: 3, padding: 1, on: backend, initializer: &initializer),
                try BatchNorm2d(4, activation: kind, on: backend),
                Residual(Sequential([try Conv2d(4, 4, kernel: 3, padding: 1, on: backend, initializer: &initializer),
                                     try BatchNorm2d(4, on: backend)])),
                try Conv2d(4, 6, kernel: 3, stride: 2, padding: 1, groups: 2, on: backend, initializer: &initializer),
                try Conv2d(6, 6, kernel: 3, padding: 1, groups: 6, on: backend, initializer: &initializer),
                GlobalAveragePool(),
                try Linear(6, 8, on: backend, initializer: &initializer),
            ])
            var random = SeededGenerator(seed: 12)
            let images = Variable(try backend.tensor(random.floats(3 * 3 * 8 * 8), shape: [3, 3, 8, 8]))
            try checkDirectionalDerivative(block, images: (images, try batch(on: backend).1), on: backend,
                                           tolerance: kind == .none ? 1e-3 : 1e-2)
        }
    }

    /// Moves every parameter along a random direction d and compares (L(θ + εd) − L(θ − εd))/2ε with ∇L·d.
    private func checkDirectionalDerivative(_ model: Module, images batch: (Variable, Tensor), on backend: Backend,
                                            tolerance: Double = 2e-2) throws {
        let (images, labels) = batch
        let (loss, tape) = try Tape.record { try crossEntropy(try model(images), labels: labels) }
        try tape.backward(from: loss)
        var random = SeededGenerator(seed: 4)
        let parameters = model.namedParameters().map(\.variable)
        let directions = try parameters.map { try backend.tensor(random.floats($0.value.count), shape: $0.shape) }
        var predicted: Double = 0
        for (parameter, direction) in zip(parameters, directions) {
            let gradient = try XCTUnwrap(parameter.grad)
            predicted += zip(try gradient.toHost(), try direction.toHost()).reduce(0) { $0 + Double($1.0 * $1.1) }
        }
        func lossMoved(by step: Float) throws -> Double {
            for (parameter, direction) in zip(parameters, directions) {
                try backend.axpy(alpha: step, x: direction, y: parameter.value)
            }
            defer {
                for (parameter, direction) in zip(parameters, directions) {
                    try? backend.axpy(alpha: -step, x: direction, y: parameter.value)
                }
            }
            return Double(try crossEntropy(try model(images), labels: labels).value.toHost()[0])
        }
        let step: Float = 1e-4
        let measured = (try lossMoved(by: step) - lossMoved(by: -step)) / (2 * Double(step))
        XCTAssertEqual(measured, predicted, accuracy: tolerance * abs(predicted) + 2e-3, "on \(backend.name)")
    }

    func testTrainingFitsASmallBatch() throws {
        for backend in [TestDevices.cpu as Backend, try TestDevices.openCL()] {
            let model = try ModelConfiguration(architecture: .mobilenetv2, width: 0.25, classes: 8).build(on: backend)
            let (images, labels) = try batch(on: backend, size: 8)
            let optimizer = try AdamW(model.namedParameters().map(\.variable), options: AdamWOptions(learningRate: 3e-3))
            var losses: [Float] = []
            for _ in 0..<25 {
                model.zeroGrad()
                let (loss, tape) = try Tape.record { try crossEntropy(try model(images), labels: labels) }
                try tape.backward(from: loss)
                try optimizer.step()
                losses.append(try loss.value.toHost()[0])
            }
            XCTAssertLessThan(losses.last!, 0.5 * losses.first!, "\(backend.name): \(losses)")
        }
    }
}
