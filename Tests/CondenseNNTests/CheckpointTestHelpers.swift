import CondenseCore
@testable import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// Temporary folders, fixture paths and the tensors the Python fixtures hold, for the checkpoint tests.
enum CheckpointTesting {
    /// A fresh empty folder under the system temporary directory.
    static func temporaryFolder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("condense-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// `Tests/Fixtures/checkpoint/<name>`.
    static func fixture(_ name: String) -> String {
        Fixtures.folder.appendingPathComponent("checkpoint").appendingPathComponent(name).path
    }

    /// The tensors of `condense_tensors()` in Scripts/fixtures/checkpoint.py, rebuilt from the same formulas.
    static func pythonFixtureTensors() -> [NamedTensorData] {
        [
            NamedTensorData(name: "conv.weight", shape: [2, 3, 2, 2], floats: (0..<24).map { Float($0) / 7 - 1.5 }),
            NamedTensorData(name: "temperature", shape: [], floats: [4]),
            NamedTensorData(name: "half.weight", dtype: .float16, shape: [5], bytes: NamedTensorData.littleEndianBytes(
                [0.1, -2.5, 65504, 0x1p-24, 1.0 / 3.0].map { (value: Double) in Float16(value).bitPattern })),
            NamedTensorData(name: "quant.int8", shape: [2, 4], int8s: [-128, -1, 0, 1, 2, 3, 126, 127]),
            NamedTensorData(name: "image.u8", shape: [3], uint8s: [0, 128, 255]),
            NamedTensorData(name: "labels", shape: [4], int32s: [.min, -1, 7, .max]),
            NamedTensorData(name: "empty", shape: [0, 3], floats: []),
        ]
    }

    /// The configuration of `modelCheckpoint()`: a small resnet20 for 3 classes of 8×8 RGB images.
    static let smallConfiguration = ModelConfiguration(architecture: .resnet20, width: 0.25, classes: 3,
                                                       inputChannels: 3, imageSize: 8)

    /// A complete, valid checkpoint of `smallConfiguration`, as `TrainedModel.save` writes it.
    static func modelCheckpoint() throws -> Checkpoint {
        try TrainedModel(configuration: smallConfiguration, module: try smallConfiguration.build(on: TestDevices.cpu),
                         normalizationMean: [0.5, 0.4, 0.3], normalizationStd: [0.25, 0.2, 0.15],
                         classNames: ["basophil", "eosinophil", "neutrophil"]).checkpoint()
    }

    /// The error's text, failing the test when `body` does not throw a `CondenseError.file`.
    static func fileError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            try body()
            XCTFail("expected a CondenseError.file", file: file, line: line)
        } catch let error as CondenseError {
            guard case .file = error else {
                XCTFail("expected CondenseError.file, got \(error)", file: file, line: line)
                return ""
            }
            return "\(error)"
        } catch {
            XCTFail("expected a CondenseError, got \(error)", file: file, line: line)
        }
        return ""
    }

    /// Asserts that `text` contains every one of `parts`.
    static func assertContains(_ text: String, _ parts: String..., file: StaticString = #filePath, line: UInt = #line) {
        for part in parts where !text.contains(part) {
            XCTFail("'\(text)' does not mention '\(part)'", file: file, line: line)
        }
    }
}
