import CondenseCompress
import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// Lowering models to inference graphs: the node list of a tiny ResNet-20 and MobileNetV2 written out by hand, the
/// graph's logits against the model's own for every family, and a clear error for modules the exporter does not know.
final class InferenceGraphLoweringTests: XCTestCase {
    private func summary(_ node: InferenceNode) -> String {
        "\(node.name) \(node.operation.kind) \(node.inputs.joined(separator: ",")) -> \(node.output)"
    }

    func testResNet20NodesFoldBatchNormsAndNameValuesAfterModules() throws {
        let graph = try InferenceGraph(lowering: try ExportTestModels.model(.resnet20, width: 0.25))
        let nodes = graph.nodes.map(summary)
        XCTAssertEqual(Array(nodes.prefix(8)), [
            "normalize normalize image -> normalize",
            "conv1 conv normalize -> conv1",
            "bn1 relu conv1 -> bn1",
            "layer1.0.conv1 conv bn1 -> layer1.0.conv1",
            "layer1.0.bn1 relu layer1.0.conv1 -> layer1.0.bn1",
            "layer1.0.conv2 conv layer1.0.bn1 -> layer1.0.conv2",
            "layer1.0.add add layer1.0.conv2,bn1 -> layer1.0.add",
            "layer1.0.relu relu layer1.0.add -> layer1.0.relu",
        ])
        // The first block of stage 2 halves the resolution and doubles the channels: a projection shortcut.
        let stage2 = try XCTUnwrap(nodes.firstIndex { $0.hasPrefix("layer2.0.conv1 ") })
        XCTAssertEqual(Array(nodes[stage2..<(stage2 + 6)]), [
            "layer2.0.conv1 conv layer1.2.relu -> layer2.0.conv1",
            "layer2.0.bn1 relu layer2.0.conv1 -> layer2.0.bn1",
            "layer2.0.conv2 conv layer2.0.bn1 -> layer2.0.conv2",
            "layer2.0.downsample.0 conv layer1.2.relu -> layer2.0.downsample.0",
            "layer2.0.add add layer2.0.conv2,layer2.0.downsample.0 -> layer2.0.add",
            "layer2.0.relu relu layer2.0.add -> layer2.0.relu",
        ])
        XCTAssertEqual(Array(nodes.suffix(3)), ["avgpool avgpool layer3.2.relu -> avgpool",
                                                "flatten flatten avgpool -> flatten", "fc gemm flatten -> logits"])
        // 1 stem + 9 blocks × 2 + 2 projections convolutions; 1 + 9 × 2 ReLUs; 9 sums; no batch norm survives.
        let kinds = graph.nodes.map(\.operation.kind)
        XCTAssertEqual(kinds.filter { $0 == "conv" }.count, 21)
        XCTAssertEqual(kinds.filter { $0 == "relu" }.count, 19)
        XCTAssertEqual(kinds.filter { $0 == "add" }.count, 9)
        XCTAssertEqual(graph.nodes.count, 1 + 21 + 19 + 9 + 3)
        XCTAssertEqual(graph.classes, 8)
        XCTAssertEqual(graph.inputShape, [3, 28, 28])

        // Weights keep the convolution's name and shape (width 0.25: 4 stem channels) and gain a bias.
        let stem = try XCTUnwrap(graph.nodes.first { $0.name == "conv1" })
        XCTAssertEqual(stem.weight?.name, "conv1.weight")
        XCTAssertEqual(stem.weight?.shape, [4, 3, 3, 3])
        XCTAssertEqual(stem.bias?.name, "conv1.bias")
        XCTAssertEqual(stem.bias?.shape, [4])
        XCTAssertEqual(graph.weightedNodes.count, 22)
        // What an INT8 exporter quantizes: every convolution's and the classifier's input, and every sum.
        XCTAssertEqual(Array(graph.activationValues.prefix(5)),
                       ["normalize", "bn1", "layer1.0.bn1", "layer1.0.add", "layer1.0.relu"])
        XCTAssertEqual(graph.activationValues.last, "flatten")
    }

    func testMobileNetV2NodesUseClipForReLU6AndAddOnlyWhereShapesMatch() throws {
        let graph = try InferenceGraph(lowering: try ExportTestModels.model(.mobilenetv2, width: 0.35))
        let nodes = graph.nodes.map(summary)
        XCTAssertEqual(Array(nodes.prefix(13)), [
            "normalize normalize image -> normalize",
            "features.0.0 conv normalize -> features.0.0",
            "features.0.1 relu6 features.0.0 -> features.0.1",
            // Block 1 (expansion 1): depthwise, projection; 16 → 8 channels, no residual.
            "features.1.conv.0.0 conv features.0.1 -> features.1.conv.0.0",
            "features.1.conv.0.1 relu6 features.1.conv.0.0 -> features.1.conv.0.1",
            "features.1.conv.1 conv features.1.conv.0.1 -> features.1.conv.1",
            // Block 2: expansion, depthwise (stride 2), projection; no residual.
            "features.2.conv.0.0 conv features.1.conv.1 -> features.2.conv.0.0",
            "features.2.conv.0.1 relu6 features.2.conv.0.0 -> features.2.conv.0.1",
            "features.2.conv.1.0 conv features.2.conv.0.1 -> features.2.conv.1.0",
            "features.2.conv.1.1 relu6 features.2.conv.1.0 -> features.2.conv.1.1",
            "features.2.conv.2 conv features.2.conv.1.1 -> features.2.conv.2",
            // Block 3 repeats block 2's shape at stride 1: a residual sum.
            "features.3.conv.0.0 conv features.2.conv.2 -> features.3.conv.0.0",
            "features.3.conv.0.1 relu6 features.3.conv.0.0 -> features.3.conv.0.1",
        ])
        XCTAssertTrue(nodes.contains("features.3.add add features.3.conv.2,features.2.conv.2 -> features.3.add"))
        XCTAssertFalse(nodes.contains { $0.hasPrefix("features.4.add ") }, "block 4 changes stride: no residual")
        XCTAssertEqual(Array(nodes.suffix(3)), ["avgpool avgpool features.18.1 -> avgpool",
                                                "flatten flatten avgpool -> flatten",
                                                "classifier.1 gemm flatten -> logits"])
        // The depthwise convolution of block 2 keeps one group per channel: weight [C, 1, 3, 3], groups C.
        let depthwise = try XCTUnwrap(graph.nodes.first { $0.name == "features.2.conv.1.0" })
        guard case let .convolution(weight, _, parameters) = depthwise.operation else { return XCTFail("not a conv") }
        XCTAssertEqual(weight.shape, [48, 1, 3, 3])
        XCTAssertEqual(parameters.groups, 48)
        XCTAssertEqual(parameters.strideHeight, 2)
        // 10 residual sums in MobileNetV2 (stages of 2, 3, 4, 3, 3 blocks add after their first).
        XCTAssertEqual(graph.nodes.filter { $0.operation.kind == "add" }.count, 10)
    }

    func testGraphLogitsEqualTheModelsForEveryFamily() throws {
        // (architecture, width, image size): the 72-px ResNets take the 7×7 stem and max pooling.
        for (architecture, width, size) in [(Architecture.resnet20, 0.25, 28), (.resnet56, 0.25, 20), (.resnet18, 0.125, 28),
                                            (.resnet18, 0.125, 72), (.resnet50, 0.125, 36), (.mobilenetv2, 0.35, 28),
                                            (.mobilenetv2, 0.35, 72)] {
            let model = try ExportTestModels.model(architecture, width: width, size: size)
            let images = ExportTestModels.images(for: model, count: 2)
            let graph = try InferenceGraph(lowering: model)
            let expected = try ExportTestModels.reference(model, images)
            let actual = try ExportTestModels.execute(graph, images)
            XCTAssertLessThan(maxNormalizedError(actual, expected), 1e-5, "\(architecture) at \(size) px")
            if size > 64, architecture == .resnet18 {
                XCTAssertTrue(graph.nodes.contains { $0.name == "maxpool" && $0.operation.kind == "maxpool" })
            }
        }
    }

    /// What a writer that needs every tensor's shape (TFLite) reads: each value's shape for one image, as running
    /// the graph gives it, for every family (the 72-px ResNet-18's stride-2 stem and max pooling included).
    func testValueShapesAreTheShapesTheGraphComputes() throws {
        for (architecture, width, size) in [(Architecture.resnet20, 0.25, 28), (.resnet18, 0.125, 72), (.resnet50, 0.125, 36),
                                            (.mobilenetv2, 0.35, 28)] {
            let model = try ExportTestModels.model(architecture, width: width, size: size)
            let graph = try InferenceGraph(lowering: model)
            let shapes = try graph.valueShapes()
            let computed = try ExportTestModels.values(of: graph, ExportTestModels.images(for: model, count: 2))
            XCTAssertEqual(shapes.count, computed.count, "\(architecture)")
            for (value, tensor) in computed {
                XCTAssertEqual([2] + (shapes[value] ?? []), tensor.shape.dims, "\(architecture) \(value)")
            }
        }
        let resnet = try InferenceGraph(lowering: try ExportTestModels.model(.resnet20, width: 0.25)).valueShapes()
        XCTAssertEqual(resnet["layer2.0.add"], [8, 14, 14])
        XCTAssertEqual(resnet["flatten"], [16])
        XCTAssertEqual(resnet["logits"], [8])
    }

    /// A convolution's or sum's activation is fused only when it comes right after it and alone reads its output.
    func testFusedActivationIsTheReLUThatAloneReadsAConvolutionOrSum() throws {
        let graph = try InferenceGraph(lowering: try ExportTestModels.model(.resnet20, width: 0.25))
        func fused(_ name: String) throws -> String? {
            graph.fusedActivation(of: try XCTUnwrap(graph.nodes.first { $0.name == name }))?.name
        }
        XCTAssertEqual(try fused("conv1"), "bn1")
        XCTAssertEqual(try fused("layer1.0.add"), "layer1.0.relu")
        XCTAssertNil(try fused("layer1.0.conv2"), "the sum reads it")
        XCTAssertNil(try fused("fc"))
        // A second reader of the convolution's output (the sum reading it before the ReLU) unfuses it.
        var shared = graph
        let sum = try XCTUnwrap(shared.nodes.firstIndex { $0.name == "layer1.0.add" })
        shared.nodes[sum].inputs[1] = "conv1"
        XCTAssertNil(shared.fusedActivation(of: shared.nodes[1]))
    }

    func testValueShapesNameANodeWhoseInputDoesNotFit() throws {
        var graph = try InferenceGraph(lowering: try ExportTestModels.model(.resnet20, width: 0.25))
        let sum = try XCTUnwrap(graph.nodes.firstIndex { $0.name == "layer2.0.add" })
        graph.nodes[sum].inputs[1] = "layer1.2.relu"  // 4 channels at 28 px against 8 at 14 px
        XCTAssertThrowsError(try graph.valueShapes()) {
            XCTAssertTrue("\($0)".contains("node 'layer2.0.add' (add) needs two inputs of one shape, got [8, 14, 14]"),
                          "\($0)")
        }
        graph.inputShape = [3, 0, 0]
        XCTAssertThrowsError(try graph.valueShapes()) {
            XCTAssertTrue("\($0)".contains("node 'conv1' (conv) needs an input the 3×3 window fits in"), "\($0)")
        }
    }

    func testUnknownModuleIsNamedByPathAndType() throws {
        /// A layer the exporter has never heard of.
        final class Swish: Module {}
        let model = try ExportTestModels.model(.resnet20, width: 0.25)
        let unknown = TrainedModel(configuration: model.configuration,
                                   module: Sequential([Sequential([model.module.children[0].module, Swish()])]),
                                   normalizationMean: model.normalizationMean, normalizationStd: model.normalizationStd,
                                   classNames: model.classNames)
        XCTAssertThrowsError(try InferenceGraph(lowering: unknown)) { error in
            XCTAssertTrue("\(error)".contains("module '0.1' is a Swish"), "\(error)")
        }
    }

    func testBatchNormWithoutConvolutionAndMissingClassifierAreErrors() throws {
        let model = try ExportTestModels.model(.resnet20, width: 0.25)
        let orphan = TrainedModel(configuration: model.configuration,
                                  module: Sequential([try BatchNorm2d(3, on: TestDevices.cpu)]),
                                  normalizationMean: model.normalizationMean, normalizationStd: model.normalizationStd,
                                  classNames: model.classNames)
        XCTAssertThrowsError(try InferenceGraph(lowering: orphan)) { error in
            XCTAssertTrue("\(error)".contains("module '0' (BatchNorm2d) does not follow a Conv2d"), "\(error)")
        }
        let headless = TrainedModel(configuration: model.configuration, module: Sequential([ActivationLayer(.relu)]),
                                    normalizationMean: model.normalizationMean, normalizationStd: model.normalizationStd,
                                    classNames: model.classNames)
        XCTAssertThrowsError(try InferenceGraph(lowering: headless)) { error in
            XCTAssertTrue("\(error)".contains("does not end in a Linear"), "\(error)")
        }
    }
}
