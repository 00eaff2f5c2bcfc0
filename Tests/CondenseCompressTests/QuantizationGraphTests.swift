import CondenseCompress
import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// The quantization graph each model family lowers to, the float graph against the model itself, and batch-norm
/// folding over whole models (eval outputs unchanged within 1e-5).
final class QuantizationGraphTests: XCTestCase {
    private let backend = TestDevices.cpu

    private func model(_ architecture: Architecture, width: Double = 0.25, imageSize: Int = 8) throws -> TrainedModel {
        let configuration = ModelConfiguration(architecture: architecture, width: width, classes: 3, inputChannels: 2,
                                               imageSize: imageSize)
        let module = try configuration.build(on: backend, seed: 7)
        try randomizeBatchNorms(module, seed: 8)
        return TrainedModel(configuration: configuration, module: module, normalizationMean: [0, 0],
                            normalizationStd: [1, 1], classNames: ["a", "b", "c"])
    }

    /// Running statistics and affine parameters away from their identity initialization, so folding has work to do.
    private func randomizeBatchNorms(_ module: Module, seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for (name, variable) in module.namedParameters() + module.namedBuffers() where variable.shape.rank == 1 {
            let range: ClosedRange<Float> = name.hasSuffix("running_var") ? 0.2...2 : (name.hasSuffix(".weight") ? 0.5...1.5 : -0.5...0.5)
            try variable.assign(try backend.tensor(random.floats(variable.shape.count, in: range), shape: variable.shape))
        }
    }

    private func images(_ model: TrainedModel, count: Int = 3) throws -> Variable {
        var random = SeededGenerator(seed: 9)
        let c = model.configuration, shape: Shape = [count, c.inputChannels, c.imageSize, c.imageSize]
        return Variable(try backend.tensor(random.floats(shape.count, in: -2...2), shape: shape))
    }

    private func prepared(_ model: TrainedModel) throws -> FakeQuantizedClassifier {
        try Quantization.prepare(model).module as! FakeQuantizedClassifier
    }

    func testMobileNetV2LowersToConvolutionsResidualAddsPoolingAndTheClassifier() throws {
        let model = try model(.mobilenetv2)
        let graph = try prepared(model).graph
        let convolutions = model.module.namedParameters().filter { $0.name.hasSuffix(".weight") && $0.variable.shape.rank == 4 }
        XCTAssertEqual(graph.nodes.filter { $0.op == .convolution }.map { $0.name + ".weight" }, convolutions.map(\.name))
        // A residual add for every inverted residual block of stride 1 with equal channels.
        let mobileNet = try XCTUnwrap(model.module as? MobileNetV2)
        let residual = mobileNet.features.layers.indices.filter {
            (mobileNet.features.layers[$0] as? InvertedResidual)?.usesResidual == true
        }
        XCTAssertFalse(residual.isEmpty)
        XCTAssertEqual(graph.nodes.filter { $0.op == .add }.map(\.name), residual.map { "features.\($0)" })
        XCTAssertEqual(graph.nodes.suffix(2).map(\.op), [.globalAveragePool, .linear])
        XCTAssertEqual(graph.nodes.last?.name, "classifier.1")
        let byName = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.name, $0) })
        XCTAssertEqual(byName["features.0.0"]?.activationKind, .relu6)
        XCTAssertEqual(byName["features.2.conv.1.0"]?.groups, 48, "the depthwise convolution of 8·6 channels")
        XCTAssertEqual(byName["features.2.conv.2"]?.activationKind, Activation.none, "the projection is linear")
        XCTAssertEqual(byName["features.3"]?.inputs, ["features.2.conv.2", "features.3.conv.2"])
    }

    func testResNetsLowerWithShortcutsReLUAfterTheAddAndTheStemPool() throws {
        let graph = try prepared(try model(.resnet20)).graph
        let adds = graph.nodes.filter { $0.op == .add }
        XCTAssertEqual(adds.count, 9)
        XCTAssertTrue(adds.allSatisfy { $0.activationKind == .relu })
        let byName = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.name, $0) })
        XCTAssertEqual(byName["layer2.0"]?.inputs, ["layer2.0.conv2", "layer2.0.downsample.0"])
        XCTAssertEqual(byName["layer1.0"]?.inputs, ["layer1.0.conv2", "conv1"], "the identity shortcut")
        XCTAssertEqual(byName["layer1.0.conv1"]?.activationKind, .relu)
        XCTAssertEqual(byName["layer1.0.conv2"]?.activationKind, Activation.none, "ReLU comes after the add")

        // Images above 64 px get the 7×7 stride-2 stem and a 3×3 max pool, which keeps its input's quantization.
        let large = try prepared(try model(.resnet18, width: 0.125, imageSize: 65))
        let pool = try XCTUnwrap(large.graph.nodes.first { $0.op == .maxPool })
        XCTAssertEqual(pool.inputs, ["conv1"])
        XCTAssertEqual(pool.poolParameters, Pool2dParameters(kernel: 3, stride: 2, padding: 1))
        XCTAssertNil(large.activationQuantizers["maxpool"])
    }

    func testTheFloatGraphComputesWhatTheModelComputes() throws {
        for (architecture, imageSize) in [(Architecture.mobilenetv2, 8), (.resnet20, 8), (.resnet18, 8), (.resnet50, 8)] {
            let model = try model(architecture, width: architecture == .resnet50 ? 0.125 : 0.25, imageSize: imageSize)
            let quantizable = try prepared(model), x = try images(model)
            model.module.train(false)
            quantizable.train(false)
            quantizable.fakeQuantizationEnabled = false
            XCTAssertEqual(try quantizable(x).value.toHost(), try model.module(x).value.toHost(), "\(architecture)")
        }
    }

    /// Every batch norm folded into its convolution (the weight scaled, the bias moved into a batch norm reduced to
    /// the identity): evaluation outputs change by float32 rounding only.
    func testFoldingEveryBatchNormLeavesEvalOutputsUnchangedWithin1e5() throws {
        for architecture in [Architecture.mobilenetv2, .resnet20] {
            let model = try model(architecture), x = try images(model)
            model.module.train(false)
            let before = try model.module(x).value.toHost()
            let quantizable = try prepared(model)
            for node in quantizable.graph.nodes where node.op == .convolution {
                let conv = try XCTUnwrap(layer(named: node.name, in: model.module) as? Conv2d)
                let batchNorm = try XCTUnwrap(batchNorm(after: node.name, in: model.module))
                let folded = try BatchNormFolding.fold(conv, batchNorm)
                try conv.weight.assign(try backend.tensor(folded.weight, shape: conv.weight.shape))
                let channels: Shape = [conv.weight.shape[0]]
                try batchNorm.weight.assign(try backend.full(channels, value: 1))
                try batchNorm.bias.assign(try backend.tensor(folded.bias, shape: channels))
                try batchNorm.runningMean.assign(try backend.full(channels, value: 0))
                try batchNorm.runningVariance.assign(try backend.full(channels, value: 1 - batchNorm.epsilon))
            }
            let after = try model.module(x).value.toHost()
            let scale = before.reduce(Float(0)) { max($0, abs($1)) }
            assertClose(after, before, rtol: 1e-5, atol: 1e-5 * scale, "\(architecture)")
        }
    }

    func testModelsQuantizationCannotLowerAreRefused() throws {
        var initializer = Initializer(seed: 1)
        // The configuration names a family, but the module is a bare Sequential, which quantization cannot lower.
        let unknown = TrainedModel(configuration: ModelConfiguration(architecture: .resnet20, classes: 2),
                                   module: Sequential([try Linear(4, 2, on: backend, initializer: &initializer)]),
                                   normalizationMean: [], normalizationStd: [], classNames: [])
        XCTAssertThrowsError(try Quantization.prepare(unknown)) {
            XCTAssertTrue("\($0)".contains("cannot quantize a Sequential model"), "\($0)")
        }
    }

    // MARK: - Helpers

    private func layer(named path: String, in root: Module) -> Module? {
        path.split(separator: ".").reduce(root as Module?) { module, name in
            module?.children.first { $0.name == String(name) }?.module
        }
    }

    /// The batch norm that follows the convolution at `path` in its parent's children.
    private func batchNorm(after path: String, in root: Module) -> BatchNorm2d? {
        let parts = path.split(separator: ".").map(String.init)
        let parent = parts.count == 1 ? root : layer(named: parts.dropLast().joined(separator: "."), in: root)
        let siblings = parent?.children ?? []
        guard let index = siblings.firstIndex(where: { $0.name == parts.last }), index + 1 < siblings.count else {
            return nil
        }
        return siblings[index + 1].module as? BatchNorm2d
    }
}
