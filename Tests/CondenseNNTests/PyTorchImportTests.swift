import CondenseCore
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// A torchvision MobileNetV2 state dict (made by `Scripts/make-torchvision-fixture.py`) loads by name and
/// reproduces torchvision's own eval-mode logits.
final class PyTorchImportTests: XCTestCase {
    private let weights = Fixtures.folder.appendingPathComponent("torchvision/mobilenetv2_w035.safetensors").path
    private let configuration = ModelConfiguration(architecture: .mobilenetv2, width: 0.35, classes: 8, imageSize: 96)

    private func load(_ path: String, _ configuration: ModelConfiguration) throws -> TrainedModel {
        try PyTorchImport.load(path, as: configuration, normalizationMean: [0.5, 0.5, 0.5],
                               normalizationStd: [0.5, 0.5, 0.5], classNames: [], on: TestDevices.cpu)
    }

    func testTorchvisionWeightsReproduceTorchvisionLogits() throws {
        let model = try load(weights, configuration)
        model.module.train(false)
        let input = try Fixtures.array("torchvision", "input"), expected = try Fixtures.array("torchvision", "logits")
        let images = Variable(try TestDevices.cpu.tensor(input.floats(), shape: Shape(input.shape)))
        let logits = try model.module(images).value
        XCTAssertEqual(logits.shape.dims, expected.shape)
        assertClose(try logits.toHost(), expected.floats(), rtol: 1e-4, atol: 1e-5)
    }

    func testAWrongArchitectureIsRejectedByName() throws {
        let wrong = ModelConfiguration(architecture: .mobilenetv2, width: 0.5, classes: 8, imageSize: 96)
        XCTAssertThrowsError(try load(weights, wrong)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("mobilenetv2_w035.safetensors") && text.contains("the model expects"), text)
        }
        XCTAssertThrowsError(try PyTorchImport.load(weights, as: configuration, normalizationMean: [0.5],
                                                    normalizationStd: [0.5], classNames: [], on: TestDevices.cpu))
    }

    func testNormalizationThatIsNotFiniteIsRefusedBeforeReading() {
        XCTAssertThrowsError(try PyTorchImport.load("/nonexistent.safetensors", as: configuration,
                                                    normalizationMean: [0.5, 0.5, 0.5],
                                                    normalizationStd: [0.5, .infinity, 0.5], classNames: [],
                                                    on: TestDevices.cpu)) {
            XCTAssertEqual("\($0)", "import: normalization_std is [0.5, inf, 0.5]; expected 3 finite positive numbers, " +
                           "one per input channel")
        }
        XCTAssertThrowsError(try PyTorchImport.load("/nonexistent.safetensors", as: configuration,
                                                    normalizationMean: [0.5, .nan, 0.5],
                                                    normalizationStd: [0.5, 0.5, 0.5], classNames: [],
                                                    on: TestDevices.cpu)) {
            XCTAssertTrue("\($0)".contains("normalization_mean is [0.5, nan, 0.5]"), "\($0)")
        }
    }
}
