import CondenseCompress
import CondenseCore
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// `ModelExport`: the files each format writes, the FP16 round trip, and bad input that leaves no file behind.
final class ModelExportTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-export-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// A saved ResNet-20 checkpoint with random batch-norm statistics.
    private func savedModel() throws -> (model: TrainedModel, path: String) {
        let model = try ExportTestModels.model(.resnet20, width: 0.25)
        let path = folder + "/model.safetensors"
        try model.save(to: path)
        return (model, path)
    }

    func testONNXExportWritesTheSerializedGraphWithMetadata() throws {
        let (model, path) = try savedModel()
        let out = folder + "/model.onnx"
        let summary = try ModelExport.export(path, as: .onnx, to: out, on: TestDevices.cpu)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: out))
        XCTAssertEqual([UInt8](bytes), try ONNXExport.float32(model).serialized())
        XCTAssertEqual(summary.sizeBytes, bytes.count)
        XCTAssertEqual(summary.parameters, model.module.parameterCount)
        XCTAssertEqual(summary.sourceSizeBytes, try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        // ir_version 7 first (08 07), then the producer name (12 08 "condense").
        XCTAssertEqual(Array(bytes.prefix(12)), [0x08, 0x07, 0x12, 0x08] + Array("condense".utf8))

        let onnx = try ONNXExport.float32(model)
        XCTAssertEqual(onnx.metadataValue("architecture"), "resnet20")
        XCTAssertEqual(onnx.metadataValue("width"), "0.25")
        XCTAssertEqual(onnx.metadataValue("class_names"), "[" + (0..<8).map { "\"class \($0)\"" }.joined(separator: ",") + "]")
        XCTAssertEqual(onnx.metadataValue("normalization_std"), "[0.25,0.2,0.3]")
        XCTAssertEqual(onnx.metadataValue("condense_version"), CondenseVersion.current)
        let graph = onnx.graph
        XCTAssertEqual(graph.inputs, [ONNXValueInfo(name: "image", elementType: .float,
                                                    shape: [.symbolic("N"), .fixed(3), .fixed(28), .fixed(28)])])
        XCTAssertEqual(graph.outputs, [ONNXValueInfo(name: "logits", elementType: .float, shape: [.symbolic("N"), .fixed(8)])])
        XCTAssertEqual(graph.nodes.prefix(3).map(\.opType), ["Sub", "Div", "Conv"])
        XCTAssertEqual(graph.nodes[0].inputs, ["image", "normalize.mean"])
        let mean = try XCTUnwrap(graph.initializers.first { $0.name == "normalize.mean" })
        XCTAssertEqual(mean.dims, [1, 3, 1, 1])
        XCTAssertEqual(Set(graph.nodes.map(\.opType)), ["Sub", "Div", "Conv", "Relu", "Add", "GlobalAveragePool",
                                                        "Flatten", "Gemm"])
    }

    func testFP16ExportRoundTripsThroughLoadAndEvaluation() throws {
        let (model, path) = try savedModel()
        let out = folder + "/model-fp16.safetensors"
        let summary = try ModelExport.export(path, as: .fp16, to: out, on: TestDevices.cpu)
        let half = try Checkpoint(contentsOf: out)
        XCTAssertTrue(half.tensors.allSatisfy { $0.dtype == .float16 })
        XCTAssertEqual(half.metadata[CondenseVersion.metadataKey], CondenseVersion.current)
        XCTAssertEqual(half.metadata.filter { $0.key != CondenseVersion.metadataKey }, try model.checkpoint().metadata)
        XCTAssertLessThan(Double(summary.sizeBytes), 0.6 * Double(summary.sourceSizeBytes))

        // Loading widens every weight to float32: each equals the original rounded to the nearest half.
        let loaded = try TrainedModel.load(out, on: TestDevices.cpu)
        for ((name, original), (_, reloaded)) in zip(model.stateVariables, loaded.stateVariables) {
            let expected = try original.value.toHost().map { Float(Float16($0)) }
            XCTAssertEqual(try reloaded.value.toHost(), expected, name)
        }
        // And it still computes the same function, to half precision.
        let images = ExportTestModels.images(for: model, count: 2)
        let logits = try ExportTestModels.reference(loaded, images)
        XCTAssertLessThan(maxNormalizedError(logits, try ExportTestModels.reference(model, images)), 1e-2)
    }

    func testUnquantizedINT8ExportIsRefusedWithoutWritingAFile() throws {
        let (_, path) = try savedModel()
        for (format, out) in [(ExportFormat.onnxInt8, folder + "/model-int8.onnx"),
                              (.tfliteInt8, folder + "/model-int8.tflite")] {
            XCTAssertThrowsError(try ModelExport.export(path, as: format, to: out, on: TestDevices.cpu)) { error in
                XCTAssertTrue("\(error)".contains("is not quantized"), "\(error)")
                XCTAssertTrue("\(error)".contains("run condense quantize first"), "\(error)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["model.safetensors"])
    }

    func testUnknownArchitectureFailsAndLeavesAnExistingFileUnchanged() throws {
        let (model, _) = try savedModel()
        var checkpoint = try model.checkpoint()
        checkpoint.setMetadata("vgg16", for: Checkpoint.Key.architecture)
        let path = folder + "/vgg.safetensors"
        try checkpoint.write(to: path)
        let out = folder + "/vgg.onnx"
        try Array("previous".utf8).withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: out)) }
        for format in ExportFormat.allCases where !format.needsQuantized {
            XCTAssertThrowsError(try ModelExport.export(path, as: format, to: out, on: TestDevices.cpu)) { error in
                XCTAssertTrue("\(error)".contains("unknown architecture 'vgg16'"), "\(error)")
            }
        }
        XCTAssertEqual(FileManager.default.contents(atPath: out), Data("previous".utf8))
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder)),
                       ["model.safetensors", "vgg.safetensors", "vgg.onnx"])
    }
}
