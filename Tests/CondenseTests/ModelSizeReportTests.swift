import Condense
import CondenseCore
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// The size report counts parameters and non-zeros by hand-checkable rules, agrees between a model in memory and
/// its file, and states ratios as reference ÷ model.
final class ModelSizeReportTests: XCTestCase {
    private let path = FileManager.default.temporaryDirectory.appendingPathComponent("condense-size-\(getpid()).safetensors").path

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: path) }

    func testCountsParametersNonZerosAndBytesOfAModelAndItsFile() throws {
        let configuration = ModelConfiguration(architecture: .resnet20, width: 0.25, classes: 3, inputChannels: 1,
                                               imageSize: 8)
        let model = TrainedModel(configuration: configuration, module: try configuration.build(on: TestDevices.cpu),
                                 normalizationMean: [0], normalizationStd: [1], classNames: ["a", "b", "c"])
        // resnet20 at width 0.25: 4-8-16 channels. Hand count of its weights and biases (BN: γ and β).
        let stem = 1 * 4 * 9 + 2 * 4
        let stage1 = 3 * 2 * (4 * 4 * 9 + 2 * 4)
        let stage2 = (4 * 8 * 9 + 2 * 8) + (8 * 8 * 9 + 2 * 8) + (4 * 8 + 2 * 8) + 2 * 2 * (8 * 8 * 9 + 2 * 8)
        let stage3 = (8 * 16 * 9 + 2 * 16) + (16 * 16 * 9 + 2 * 16) + (8 * 16 + 2 * 16) + 2 * 2 * (16 * 16 * 9 + 2 * 16)
        let parameters = stem + stage1 + stage2 + stage3 + (16 * 3 + 3)
        // Zero the stem conv (36) and the classifier bias (3); every BN β starts at zero.
        let named = Dictionary(uniqueKeysWithValues: model.module.namedParameters().map { ($0.name, $0.variable) })
        try named["conv1.weight"]!.assign(try TestDevices.cpu.full([4, 1, 3, 3], value: 0))
        try named["fc.bias"]!.assign(try TestDevices.cpu.full([3], value: 0))
        let betas = model.module.namedParameters().filter { $0.name.hasSuffix("bn1.bias") || $0.name.hasSuffix("bn2.bias")
            || $0.name.hasSuffix("downsample.1.bias") }.reduce(0) { $0 + $1.variable.value.count }
        try model.save(to: path)
        let inMemory = try ModelSize(of: model, checkpoint: path)
        XCTAssertEqual(inMemory.parameters, parameters)
        XCTAssertEqual(inMemory.nonZeroParameters, parameters - 36 - 3 - betas)
        XCTAssertEqual(inMemory.bytes, try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        XCTAssertEqual(try ModelSize(checkpoint: path), inMemory)
    }

    func testRatiosAreReferenceOverModelAndAppearOnlyWithAReference() {
        let small = ModelSize(parameters: 100, nonZeroParameters: 25, bytes: 1000)
        let big = ModelSize(parameters: 400, nonZeroParameters: 400, bytes: 5000)
        let report = ModelSizeReport(small, reference: big)
        XCTAssertEqual(report.parameterRatio, 4)
        XCTAssertEqual(report.nonZeroRatio, 16)
        XCTAssertEqual(report.sizeRatio, 5)
        XCTAssertEqual(report.jsonFields["size_ratio"] as? Double, 5)
        XCTAssertEqual(report.jsonFields["nonzero_parameters"] as? Int, 25)
        XCTAssertNil(ModelSizeReport(small).jsonFields["parameter_ratio"])
        XCTAssertEqual(ModelSizeReport(small).jsonFields["size_bytes"] as? Int, 1000)
    }
}
