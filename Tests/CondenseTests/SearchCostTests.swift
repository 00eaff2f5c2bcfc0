import Condense
import CondenseCompress
import CondenseCore
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// The search's cost accounting: the INT8 bytes are the exported file's, the multiply-adds are counted by hand.
final class SearchCostTests: TrainingTestCase {
    func testMultiplyAddsOfAHandBuiltGraph() throws {
        func tensor(_ name: String, _ shape: [Int]) -> NamedTensorData {
            NamedTensorData(name: name, shape: shape, floats: [Float](repeating: 0.5, count: shape.reduce(1, *)))
        }
        let graph = InferenceGraph(inputShape: [1, 5, 5], nodes: [
            // 4 outputs of 5×5, each 1·3·3 multiply-adds: 900.
            InferenceNode(name: "conv", operation: .convolution(weight: tensor("c.w", [4, 1, 3, 3]), bias: tensor("c.b", [4]),
                                                                parameters: Conv2dParameters(kernel: 3, padding: 1)),
                          inputs: [InferenceGraph.inputName], output: "a"),
            InferenceNode(name: "relu", operation: .relu, inputs: ["a"], output: "b"),
            // Depthwise, stride 2: 4 outputs of 3×3, each 1·3·3: 324.
            InferenceNode(name: "dw", operation: .convolution(weight: tensor("d.w", [4, 1, 3, 3]), bias: tensor("d.b", [4]),
                                                              parameters: Conv2dParameters(kernel: 3, stride: 2, padding: 1,
                                                                                           groups: 4)),
                          inputs: ["b"], output: "c"),
            InferenceNode(name: "pool", operation: .globalAveragePool, inputs: ["c"], output: "d"),
            InferenceNode(name: "flatten", operation: .flatten, inputs: ["d"], output: "e"),
            // 3 × 4: 12.
            InferenceNode(name: "fc", operation: .gemm(weight: tensor("f.w", [3, 4]), bias: tensor("f.b", [3])),
                          inputs: ["e"], output: InferenceGraph.outputName),
        ])
        XCTAssertEqual(try graph.multiplyAdds(), 900 + 324 + 12)
    }

    func testINT8BytesAreTheExportedFilesAndTheModelIsLeftAsItWas() throws {
        let model = try ModelFactory.model(.mobilenetv2, width: 0.25, for: dataset, seed: 3, on: TestDevices.cpu)
        let before = try model.module.namedParameters().map { try $0.variable.value.toHost() as [Float] }
        let cost = try CandidateCost(of: model, calibratingOn: dataset, calibrationImages: 5, latency: true, latencyRuns: 3)
        XCTAssertEqual(try model.module.namedParameters().map { try $0.variable.value.toHost() as [Float] }, before)

        let checkpoint = folder.appendingPathComponent("int8.safetensors").path
        let onnx = folder.appendingPathComponent("int8.onnx").path
        try Quantization.calibrate(model, on: dataset, batches: 1, batchSize: 5).model.save(to: checkpoint)
        let exported = try ModelExport.export(checkpoint, as: .onnxInt8, to: onnx, on: TestDevices.cpu)
        XCTAssertEqual(cost.int8Bytes, exported.sizeBytes)
        XCTAssertEqual(cost.parameters, model.module.parameterCount)
        XCTAssertEqual(cost.multiplyAdds, try InferenceGraph(lowering: model).multiplyAdds())
        XCTAssertGreaterThan(cost.multiplyAdds, cost.parameters / 2, "MobileNetV2's convolutions run at 5×5")
        XCTAssertGreaterThan(try XCTUnwrap(cost.latencyMilliseconds), 0)

        let pruned = try ChannelPruning.prune(model, ratios: [Double](repeating: 0.5, count: 17))
        let smaller = try CandidateCost(of: pruned, calibratingOn: dataset, calibrationImages: 5, latency: false)
        XCTAssertLessThan(smaller.int8Bytes, cost.int8Bytes)
        XCTAssertLessThan(smaller.multiplyAdds, cost.multiplyAdds)
        XCTAssertNil(smaller.latencyMilliseconds)
    }

    func testAShallowerModelsCostIsCountedByHandAndItsCheckpointKeepsItsDepth() throws {
        // ResNet-8 (one basic block per stage) at width 0.25 on 5×5 grey images: stages of 4, 8 and 16 channels at
        // 5×5, 3×3 and 2×2.
        let model = try ModelFactory.model(.resnet20, width: 0.25, for: dataset, seed: 3, on: TestDevices.cpu)
        let shallow = try ModelFactory.student(.resnet20, width: 0.25, blocksPerStage: [1, 1, 1], of: model, seed: 3)
        let k = dataset.classes
        // stem 4·25·9; stage 1: two 3×3 convs of 4·25·36; stage 2: 8·9·36 + 8·9·72 + the 1×1 shortcut 8·9·4;
        // stage 3: 16·4·72 + 16·4·144 + 16·4·8; the classifier 16·k.
        let macs = 900 + 2 * 3600 + (2592 + 5184 + 288) + (4608 + 9216 + 512) + 16 * k
        // conv weights 36 + 2·144 + (288 + 576 + 32) + (1152 + 2304 + 128); batch-norm scales and shifts 2·(4 + 2·4
        // + 3·8 + 3·16); the classifier 16·k + k.
        let parameters = 36 + 288 + 896 + 3584 + 2 * 84 + 17 * k
        let cost = try CandidateCost(of: shallow, calibratingOn: dataset, calibrationImages: 5, latency: false)
        XCTAssertEqual(cost.multiplyAdds, macs)
        XCTAssertEqual(cost.parameters, parameters)
        // ResNet-20 adds two blocks to each stage: 2·7,200 + 2·10,368 + 2·18,432 multiply-adds.
        XCTAssertEqual(try InferenceGraph(lowering: model).multiplyAdds(), macs + 72_000)

        let checkpoint = folder.appendingPathComponent("resnet8-int8.safetensors").path
        try Quantization.calibrate(shallow, on: dataset, batches: 1, batchSize: 5).model.save(to: checkpoint)
        let loaded = try TrainedModel.load(checkpoint, on: TestDevices.cpu)
        XCTAssertEqual(loaded.configuration.blocksPerStage, [1, 1, 1])
        let exported = try ModelExport.export(checkpoint, as: .onnxInt8,
                                              to: folder.appendingPathComponent("resnet8-int8.onnx").path,
                                              on: TestDevices.cpu)
        XCTAssertEqual(cost.int8Bytes, exported.sizeBytes)
        let float = folder.appendingPathComponent("resnet8.safetensors").path
        try shallow.save(to: float)
        XCTAssertEqual(try TrainedModel.load(float, on: TestDevices.cpu).module.parameterCount, parameters)
        XCTAssertEqual(model.metadata[Checkpoint.Key.blocksPerStage], nil, "the family's own depth is not recorded")
    }

    func testBudgetsMeasureTheirOwnPartOfTheCost() {
        let cost = CandidateCost(int8Bytes: 1000, multiplyAdds: 5000, latencyMilliseconds: 2.5, parameters: 900)
        XCTAssertTrue(SearchBudget.bytes(1000).admits(cost))
        XCTAssertFalse(SearchBudget.bytes(999).admits(cost))
        XCTAssertTrue(SearchBudget.multiplyAdds(5000).admits(cost))
        XCTAssertFalse(SearchBudget.multiplyAdds(4999).admits(cost))
        XCTAssertFalse(SearchBudget.latencyMilliseconds(2.4).admits(cost))
        var unmeasured = cost
        unmeasured.latencyMilliseconds = nil
        XCTAssertFalse(SearchBudget.latencyMilliseconds(1000).admits(unmeasured), "no latency measured, no admission")
    }

    func testSpearmanCorrelation() throws {
        XCTAssertEqual(try XCTUnwrap(spearmanCorrelation([1, 2, 3, 4], [10, 20, 30, 40])), 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(spearmanCorrelation([1, 2, 3, 4], [4, 3, 2, 1])), -1, accuracy: 1e-12)
        // Ranks (1, 2, 3) against (1, 3, 2): 1 − 6·2 / (3·8) = 0.5.
        XCTAssertEqual(try XCTUnwrap(spearmanCorrelation([0.1, 0.5, 0.9], [0.2, 0.9, 0.4])), 0.5, accuracy: 1e-12)
        // Ties share their mean rank: (1.5, 1.5, 3) against (1, 2, 3).
        XCTAssertEqual(try XCTUnwrap(spearmanCorrelation([1, 1, 2], [1, 2, 3])), 0.8660254037844387, accuracy: 1e-12)
        XCTAssertNil(spearmanCorrelation([1], [1]))
        XCTAssertNil(spearmanCorrelation([1, 1], [1, 2]))
    }
}
