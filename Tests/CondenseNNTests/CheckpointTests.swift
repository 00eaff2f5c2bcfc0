import CondenseCore
@testable import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// Checkpoints: typed metadata stored as JSON strings, and validate()'s account of what does not fit.
final class CheckpointTests: XCTestCase {
    private typealias T = CheckpointTesting

    private func model() -> [Checkpoint.Expectation] {
        [("features.0.weight", [16, 3, 3, 3], .float32), ("features.3.conv.1.weight", [16, 1, 3, 3], .float32),
         ("classifier.bias", [8], .float32), ("quant.weight", [8, 16], .int8)]
    }

    /// A checkpoint that fits `model()` exactly, recorded as resnet20 width 2.
    private func fitting() -> Checkpoint {
        var checkpoint = Checkpoint(tensors: model().map { name, shape, dtype in
            NamedTensorData(name: name, dtype: dtype, shape: shape,
                            bytes: [UInt8](repeating: 1, count: shape.reduce(1, *) * dtype.byteSize))
        })
        checkpoint.setMetadata("resnet20", for: Checkpoint.Key.architecture)
        checkpoint.setMetadata(Float(2), for: Checkpoint.Key.width)
        return checkpoint
    }

    private func problems(_ checkpoint: Checkpoint, architecture: Architecture? = nil, width: Float? = nil) -> String {
        T.fileError { try checkpoint.validate(against: model(), architecture: architecture, width: width, path: "run/best.safetensors") }
    }

    // MARK: - Metadata

    func testTypedMetadataRoundTripsThroughAFile() throws {
        var checkpoint = Checkpoint(tensors: [NamedTensorData(name: "w", shape: [1], floats: [1])])
        checkpoint.setMetadata("resnet20", for: Checkpoint.Key.architecture)
        checkpoint.setMetadata(Float(0.5), for: Checkpoint.Key.width)
        checkpoint.setMetadata(8, for: Checkpoint.Key.classes)
        checkpoint.setMetadata([3, 28, 28], for: Checkpoint.Key.inputShape)
        let mean: [Float] = [0.4914, 0.48216, 0.44653, 1e-7, -3.4028235e38, 0.1]
        checkpoint.setMetadata(mean, for: Checkpoint.Key.normalizationMean)
        checkpoint.setMetadata([Float.nan, .infinity, -.infinity, -0.0], for: "specials")
        let names = ["basophil", "ig \u{2013} immature", "quote\" back\\slash", "line\nbreak", ""]
        checkpoint.setMetadata(names, for: Checkpoint.Key.classNames)
        struct Quantization: Codable, Equatable { var scheme: String; var scales: [String: [Float]] }
        let quantization = Quantization(scheme: "int8-per-channel", scales: ["conv": [0.5, 0.25], "fc": [0.125]])
        try checkpoint.setMetadata(json: quantization, for: Checkpoint.Key.quantization)

        XCTAssertEqual(checkpoint.metadata[Checkpoint.Key.width], "0.5")
        XCTAssertEqual(checkpoint.metadata[Checkpoint.Key.inputShape], "[3,28,28]")
        XCTAssertEqual(checkpoint.metadata["specials"], "[NaN,Infinity,-Infinity,-0.0]")

        let path = try T.temporaryFolder() + "/meta.safetensors"
        try checkpoint.write(to: path)
        let read = try Checkpoint(contentsOf: path)
        XCTAssertEqual(read, checkpoint)
        XCTAssertEqual(read.metadataString(Checkpoint.Key.architecture), "resnet20")
        XCTAssertEqual(try read.metadataFloat(Checkpoint.Key.width), 0.5)
        XCTAssertEqual(try read.metadataInt(Checkpoint.Key.classes), 8)
        XCTAssertEqual(try read.metadataInts(Checkpoint.Key.inputShape), [3, 28, 28])
        XCTAssertEqual(try read.metadataFloats(Checkpoint.Key.normalizationMean)?.map(\.bitPattern), mean.map(\.bitPattern))
        let specials = try XCTUnwrap(read.metadataFloats("specials"))
        XCTAssertTrue(specials[0].isNaN)
        XCTAssertEqual(Array(specials[1...]).map(\.bitPattern), [Float.infinity, -.infinity, -0.0].map(\.bitPattern))
        XCTAssertEqual(try read.metadataStrings(Checkpoint.Key.classNames), names)
        XCTAssertEqual(try read.metadata(json: Quantization.self, for: Checkpoint.Key.quantization), quantization)
        XCTAssertEqual(read.modelDescription, "resnet20 width 0.5")
        XCTAssertNil(try read.metadataFloats("absent"))
    }

    func testMalformedMetadataNamesTheKeyAndTheFile() throws {
        let checkpoint = try Checkpoint(contentsOf: T.fixture("reference.safetensors"))
        // class_names holds strings, not numbers; architecture holds plain text, not JSON.
        T.assertContains(T.fileError { _ = try checkpoint.metadataFloats(Checkpoint.Key.classNames) },
                         "reference.safetensors", "metadata 'class_names' should be a JSON array of numbers")
        T.assertContains(T.fileError { _ = try checkpoint.metadataInt(Checkpoint.Key.architecture) },
                         "metadata 'architecture' should be an integer, found 'resnet20'")
        T.assertContains(T.fileError { _ = try checkpoint.metadataStrings(Checkpoint.Key.inputShape) },
                         "'input_shape' should be a JSON array of strings")
        T.assertContains(T.fileError { _ = try checkpoint.metadata(json: [String: Int].self, for: "note") },
                         "metadata 'note' is not a JSON")
    }

    // MARK: - validate()

    func testFittingCheckpointValidates() throws {
        try fitting().validate(against: model(), architecture: .resnet20, width: 2, path: "best.safetensors")
        try fitting().validate(against: model(), path: "best.safetensors")
    }

    func testMissingTensor() {
        var checkpoint = fitting()
        checkpoint.tensors.remove(at: 2)
        T.assertContains(problems(checkpoint), "run/best.safetensors: does not fit the model: missing tensor " +
                         "classifier.bias (the model expects [8] float32)")
    }

    func testUnexpectedTensor() {
        var checkpoint = fitting()
        checkpoint.tensors.append(NamedTensorData(name: "head.extra", shape: [2], floats: [1, 2]))
        T.assertContains(problems(checkpoint), "unexpected tensor head.extra [2] float32",
                         "the model has no parameter of that name")
    }

    func testShapeMismatch() {
        var checkpoint = fitting()
        checkpoint.tensors[1] = NamedTensorData(name: "features.3.conv.1.weight", dtype: .float32, shape: [32, 1, 3, 3],
                                                bytes: [UInt8](repeating: 0, count: 32 * 9 * 4))
        T.assertContains(problems(checkpoint),
                         "features.3.conv.1.weight: checkpoint has [32, 1, 3, 3], the model expects [16, 1, 3, 3]")
    }

    func testDtypeMismatch() {
        var checkpoint = fitting()
        checkpoint.tensors[3] = NamedTensorData(name: "quant.weight", shape: [8, 16], float16From: [Float](repeating: 1, count: 128))
        T.assertContains(problems(checkpoint), "quant.weight: checkpoint has float16, the model expects int8")
    }

    func testArchitectureMismatchComesFirst() {
        var checkpoint = fitting()
        checkpoint.tensors.remove(at: 0)
        let message = problems(checkpoint, architecture: .mobilenetv2)
        T.assertContains(message, "run/best.safetensors: does not fit the model (2 problems):\n  " +
                         "checkpoint is resnet20 width 2; asked to load mobilenetv2\n  missing tensor features.0.weight")
        T.assertContains(problems(fitting(), architecture: .resnet20, width: 4),
                         "checkpoint is resnet20 width 2; asked to load resnet20 width 4")
    }

    func testEveryProblemIsListedUpToTen() {
        let checkpoint = Checkpoint(tensors: (0..<12).map { NamedTensorData(name: "stray.\($0)", shape: [1], uint8s: [0]) })
        let message = problems(checkpoint)
        T.assertContains(message, "(16 problems)", "missing tensor features.0.weight", "missing tensor quant.weight",
                         "unexpected tensor stray.0 [1] uint8", "… and 6 more")
        XCTAssertFalse(message.contains("stray.6 "), message)
    }

    // MARK: - Device tensors

    func testTensorsMoveBetweenCheckpointAndBackend() throws {
        let backend = TestDevices.cpu
        let weights = try backend.tensor([1, -2, 3.5, 0.25, 8, -0.125], shape: [2, 3])
        let checkpoint = Checkpoint(tensors: [try NamedTensorData(name: "fc.weight", tensor: weights)])
        let path = try T.temporaryFolder() + "/fc.safetensors"
        try checkpoint.write(to: path)
        let loaded = try XCTUnwrap(try Checkpoint(contentsOf: path)["fc.weight"]).tensor(on: backend)
        XCTAssertEqual(loaded.shape, [2, 3])
        XCTAssertEqual(try loaded.toHost(), [1, -2, 3.5, 0.25, 8, -0.125])
        let wrong = NamedTensorData(name: "w", dtype: .float32, shape: [2], bytes: [0, 0, 0])
        XCTAssertThrowsError(try wrong.tensor(on: backend)) { XCTAssertTrue("\($0)".contains("8 bytes"), "\($0)") }
    }
}
