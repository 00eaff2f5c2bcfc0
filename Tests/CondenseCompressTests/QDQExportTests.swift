import CondenseCompress
import CondenseCore
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// The INT8 QDQ ONNX export: weights, biases and activations written as onnxruntime's tooling lays them out, with
/// the quantized checkpoint's integers and scales, through `condense export --format onnx-int8`'s entry point. (That
/// onnxruntime runs the file and agrees with our integer inference is `Scripts/check-onnx.sh`'s job.)
final class QDQExportTests: XCTestCase {
    /// `architecture` with random batch-norm statistics, calibrated on random images and converted to INT8.
    private func quantizedModel(_ architecture: String, width: Double) throws -> TrainedModel {
        let float = try ExportTestModels.model(architecture, width: width)
        let prepared = try Quantization.prepare(float)
        let module = prepared.module as! FakeQuantizedClassifier
        module.train(false)
        module.calibrating = true
        let images = ExportTestModels.images(for: float, count: 4)
        _ = try module(Variable(try TestDevices.cpu.tensor(images.values, shape: images.shape)))
        return try Quantization.convert(prepared)
    }

    func testConvolutionsReadQuantizedActivationsWeightsAndBiases() throws {
        let model = try quantizedModel("resnet20", width: 0.25)
        let classifier = model.module as! QuantizedClassifier
        let graph = try ONNXExport.int8(model).graph
        let initializers = Dictionary(uniqueKeysWithValues: graph.initializers.map { ($0.name, $0) })
        let producers = Dictionary(uniqueKeysWithValues: graph.nodes.flatMap { node in node.outputs.map { ($0, node) } })
        let layers = Dictionary(uniqueKeysWithValues: classifier.layers.map { ($0.name, $0) })
        let convolutions = graph.nodes.filter { $0.opType == "Conv" }
        XCTAssertEqual(convolutions.map(\.name), classifier.graph.nodes.filter { $0.op == .convolution }.map(\.name))
        for conv in convolutions {
            let layer = try XCTUnwrap(layers[conv.name])
            // The input: a uint8 QuantizeLinear → DequantizeLinear pair.
            let dequantize = try XCTUnwrap(producers[conv.inputs[0]]), quantize = try XCTUnwrap(producers[dequantize.inputs[0]])
            XCTAssertEqual([quantize.opType, dequantize.opType], ["QuantizeLinear", "DequantizeLinear"], conv.name)
            XCTAssertEqual(quantize.inputs.dropFirst(), dequantize.inputs.dropFirst(), "one scale and zero point")
            XCTAssertEqual(initializers[quantize.inputs[2]]?.dataType, .uint8)
            // The weight: the checkpoint's int8 values and scales, dequantized per output channel.
            let weight = try XCTUnwrap(producers[conv.inputs[1]])
            XCTAssertEqual(weight.opType, "DequantizeLinear")
            XCTAssertEqual(weight.attributes, [ONNXAttribute("axis", .int(0))])
            XCTAssertEqual(initializers[weight.inputs[0]]?.dataType, .int8)
            XCTAssertEqual(initializers[weight.inputs[0]]?.rawData,
                           try NamedTensorData(name: layer.name, tensor: layer.weight.value).bytes)
            XCTAssertEqual(initializers[weight.inputs[1]],
                           ONNXTensor(try NamedTensorData(name: weight.inputs[1], tensor: layer.weightScale.value)))
            // The bias: int32 at the input's scale times each weight scale.
            let bias = try XCTUnwrap(producers[conv.inputs[2]])
            XCTAssertEqual(initializers[bias.inputs[0]]?.dataType, .int32)
            XCTAssertEqual(initializers[bias.inputs[0]]?.rawData,
                           try NamedTensorData(name: layer.name, tensor: layer.bias.value).bytes)
            let biasScale = try XCTUnwrap(producers[bias.inputs[1]])
            XCTAssertEqual(biasScale.opType, "Mul")
            XCTAssertEqual(biasScale.inputs, [weight.inputs[1], quantize.inputs[1]])
        }
        // Every tensor the model quantizes has its pair, with the checkpoint's scale and zero point.
        let pairs = try graph.nodes.filter { $0.opType == "QuantizeLinear" }.map { node -> QuantizedGraph.TensorQuantization in
            let scale = try XCTUnwrap(initializers[node.inputs[1]]), zero = try XCTUnwrap(initializers[node.inputs[2]])
            return QuantizedGraph.TensorQuantization(scale: Float(bitPattern: scale.rawData.withUnsafeBytes { $0.load(as: UInt32.self) }),
                                                     zeroPoint: Int(zero.rawData[0]))
        }
        XCTAssertEqual(pairs.count, classifier.graph.tensors.count)
        XCTAssertEqual(Set(pairs.map { "\($0.scale) \($0.zeroPoint)" }),
                       Set(classifier.graph.tensors.values.map { "\($0.scale) \($0.zeroPoint)" }))
        // No float weights: the only float initializers are scales (one per channel at most) and constants.
        let largestChannels = classifier.layers.map { $0.weight.shape[0] }.max()!
        XCTAssertTrue(graph.initializers.filter { $0.dataType == .float }.allSatisfy { $0.dims.reduce(1, *) <= largestChannels })
        XCTAssertNil(try ONNXExport.int8(model).metadataValue(Checkpoint.Key.quantization), "carried by the graph")
    }

    /// The BloodMNIST student's size: int8 weights are a quarter of float32's, but each output channel keeps a
    /// float32 weight scale and an int32 bias (8 bytes against float32's 4-byte bias), and the graph gains its
    /// quantize/dequantize nodes: about a third of the float32 file for a MobileNetV2 0.35.
    func testTheINT8FileIsAboutAThirdOfTheFloat32File() throws {
        let float = try ExportTestModels.model("mobilenetv2", width: 0.35)
        let float32 = try ONNXExport.float32(float).serialized().count
        let int8 = try ONNXExport.int8(try quantizedModel("mobilenetv2", width: 0.35)).serialized().count
        XCTAssertGreaterThan(Double(float32) / Double(int8), 3.0, "\(float32) vs \(int8) bytes")
    }

    func testModelExportWritesTheINT8File() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-qdq-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = try quantizedModel("mobilenetv2", width: 0.25)
        try model.save(to: folder + "/int8.safetensors")
        let summary = try ModelExport.export(folder + "/int8.safetensors", as: .onnxInt8, to: folder + "/int8.onnx",
                                             on: TestDevices.cpu)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: folder + "/int8.onnx"))
        XCTAssertEqual([UInt8](bytes), try ONNXExport.int8(try TrainedModel.load(folder + "/int8.safetensors",
                                                                                 on: TestDevices.cpu)).serialized())
        XCTAssertEqual(summary.parameters, model.module.parameterCount)
    }
}
