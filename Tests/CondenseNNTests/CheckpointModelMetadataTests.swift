import CondenseCore
@testable import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// A checkpoint's model metadata is checked field by field before it sizes anything, and every problem names the
/// file, the key and what was expected; so are the limits a configuration must keep, from any source.
final class CheckpointModelMetadataTests: XCTestCase {
    private typealias T = CheckpointTesting
    private typealias Key = Checkpoint.Key
    private let path = "runs/blood/teacher.safetensors"

    /// The error of loading `modelCheckpoint()` with `key` set to `text` (nil: removed).
    private func loadError(_ key: String, _ text: String?, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        var checkpoint = try T.modelCheckpoint()
        checkpoint.metadata[key] = text
        return T.fileError({ _ = try TrainedModel.load(checkpoint, from: path, on: TestDevices.cpu) }, file: file, line: line)
    }

    func testTheValidCheckpointLoadsWithItsMetadata() throws {
        let model = try TrainedModel.load(try T.modelCheckpoint(), from: path, on: TestDevices.cpu)
        XCTAssertEqual(model.configuration, T.smallConfiguration)
        XCTAssertEqual(model.normalizationMean, [0.5, 0.4, 0.3])
        XCTAssertEqual(model.normalizationStd, [0.25, 0.2, 0.15])
        XCTAssertEqual(model.classNames, ["basophil", "eosinophil", "neutrophil"])
    }

    func testNormalizationMustGiveOneFiniteValuePerChannel() throws {
        T.assertContains(try loadError(Key.normalizationMean, nil), path, "lacks 'normalization_mean'")
        T.assertContains(try loadError(Key.normalizationStd, nil), path, "lacks 'normalization_std'")
        T.assertContains(try loadError(Key.normalizationMean, "[0.5]"), path, "'normalization_mean' is [0.5]",
                         "expected 3 finite numbers, one per input channel")
        T.assertContains(try loadError(Key.normalizationMean, "[0.5,NaN,0.5]"), "'normalization_mean'", "nan")
        T.assertContains(try loadError(Key.normalizationStd, "[0.2,0,0.2]"), path, "'normalization_std'",
                         "expected 3 finite positive numbers")
        T.assertContains(try loadError(Key.normalizationStd, "[0.2,NaN,0.2]"), "'normalization_std'", "positive")
        T.assertContains(try loadError(Key.normalizationStd, "[0.2,0.2,-Infinity]"), "'normalization_std'", "positive")
    }

    func testSizesOutsideTheLimitsAreRefusedBeforeBuilding() throws {
        T.assertContains(try loadError(Key.width, "Infinity"), path, "metadata 'width' is inf",
                         "expected a finite number in 0.015625…8.0")
        T.assertContains(try loadError(Key.width, "1e30"), "'width' is 1.0000000150474662e+30")
        T.assertContains(try loadError(Key.width, "-2"), "'width' is -2.0")
        T.assertContains(try loadError(Key.classes, "1000000000"), path, "'classes' is 1000000000",
                         "expected an integer in 1…100000")
        T.assertContains(try loadError(Key.classes, "1e9"), path, "'classes' should be an integer, found '1e9'")
        T.assertContains(try loadError(Key.classes, "0"), "'classes' is 0")
        T.assertContains(try loadError(Key.inputShape, "[3,100000,100000]"), "'input_shape[1]' is 100000",
                         "1…4096")
        T.assertContains(try loadError(Key.inputShape, "[-3,8,8]"), "'input_shape[0]' is -3", "1…1024")
        T.assertContains(try loadError(Key.inputShape, "[3,8,9]"), "'input_shape' is [3, 8, 9]", "H = W")
        T.assertContains(try loadError(Key.blockChannels, "[4,-4,4,4,4,4,4,4,4]"), path,
                         "'block_channels' is [4, -4, 4", "channel counts in 1…16384")
        T.assertContains(try loadError(Key.blockChannels, "[4,1000000,4,4,4,4,4,4,4]"), "'block_channels'",
                         "1…16384")
        T.assertContains(try loadError(Key.blocksPerStage, "[3,0,3]"), path, "'blocks_per_stage' is [3, 0, 3]",
                         "block counts in 1…64")
        T.assertContains(try loadError(Key.blocksPerStage, "[3,1000,3]"), "'blocks_per_stage'", "1…64")
        T.assertContains(try loadError(Key.architecture, "vgg16"), path, "unknown architecture 'vgg16'")
    }

    func testADepthNeedsOneBlockCountPerStage() throws {
        var configuration = T.smallConfiguration
        configuration.blocksPerStage = [1, 1]
        XCTAssertThrowsError(try configuration.build(on: TestDevices.cpu)) { error in
            T.assertContains("\(error)", "blocks_per_stage [1, 1] should be 3 counts, one per stage of resnet20")
        }
    }

    func testHugeValuesAreCutShortInMessages() throws {
        let ones = "[" + Array(repeating: "1", count: 10_000).joined(separator: ",") + "]"
        let classes = try loadError(Key.classes, ones)
        T.assertContains(classes, "'classes' should be an integer, found '[1,1,", "… (20001 bytes)'")
        XCTAssertLessThan(classes.count, 400)
        let blocks = try loadError(Key.blockChannels, "[" + Array(repeating: "-1", count: 10_000).joined(separator: ",") + "]")
        T.assertContains(blocks, "'block_channels' is [-1, -1,", "… (10000 values)]")
        XCTAssertLessThan(blocks.count, 400)
        let architecture = try loadError(Key.architecture, String(repeating: "x", count: 100_000))
        T.assertContains(architecture, "unknown architecture 'xxx", "… (100000 bytes)'")
        XCTAssertLessThan(architecture.count, 500)
    }

    func testClassNamesMustNameEveryClass() throws {
        T.assertContains(try loadError(Key.classNames, "[\"basophil\"]"), path, "'class_names' has 1 names",
                         "expected 3, one per class")
        T.assertContains(try loadError(Key.classNames, nil), path, "lacks 'class_names'")
    }

    func testNonFiniteWeightsAreRefused() throws {
        var checkpoint = try T.modelCheckpoint()
        let index = try XCTUnwrap(checkpoint.tensors.firstIndex { $0.name == "fc.weight" })
        var values = checkpoint.tensors[index].floats()
        values[5] = .nan
        values[7] = .infinity
        checkpoint.tensors[index] = NamedTensorData(name: "fc.weight", shape: checkpoint.tensors[index].shape,
                                                    floats: values)
        T.assertContains(T.fileError { _ = try TrainedModel.load(checkpoint, from: self.path, on: TestDevices.cpu) },
                         path, "tensor fc.weight holds nan at element 5", "2 of its 48 elements are not finite")
        // Also in half precision, as an FP16 export stores them.
        T.assertContains(T.fileError {
            _ = try TrainedModel.load(checkpoint.halfPrecision(), from: self.path, on: TestDevices.cpu)
        }, "tensor fc.weight holds nan at element 5")
    }

    func testTheLimitsHoldForConfigurationsFromAnySource() {
        func invalid(_ configuration: ModelConfiguration) -> ModelConfiguration.InvalidField? {
            do {
                try configuration.validate()
                return nil
            } catch {
                return error as? ModelConfiguration.InvalidField
            }
        }
        let base = ModelConfiguration(architecture: .mobilenetv2, width: 1, classes: 8, imageSize: 28)
        XCTAssertNil(invalid(base))
        var huge = base
        huge.width = 1_000_000
        XCTAssertEqual(invalid(huge), .init(field: .width, value: "1000000.0", expected: "a finite number in 0.015625…8.0"))
        huge.width = .nan
        XCTAssertEqual(invalid(huge)?.field, .width)
        huge = base
        huge.classes = 1_000_000_000
        XCTAssertEqual(invalid(huge)?.field, .classes)
        XCTAssertThrowsError(try huge.build(on: TestDevices.cpu)) {
            XCTAssertEqual("\($0)", "model: classes is 1000000000; expected an integer in 1…100000")
        }
        // The blocks check the counts they are given directly, too.
        var initializer = Initializer(seed: 0)
        XCTAssertThrowsError(try ResidualBlock(4, -4, expansion: 1, stride: 1, on: TestDevices.cpu,
                                               initializer: &initializer)) {
            XCTAssertEqual("\($0)", "ResidualBlock: channel counts [4, -4, 1] must be in 1…16384")
        }
        XCTAssertThrowsError(try InvertedResidual(8, 8, stride: 1, expansion: 6, hidden: 100_000, on: TestDevices.cpu,
                                                  initializer: &initializer)) {
            XCTAssertTrue("\($0)".contains("InvertedResidual: channel counts [8, 8, 6, 100000]"), "\($0)")
        }
        // The widest model the limits allow stays within the per-layer channel limit.
        XCTAssertEqual(makeDivisible(1280 * ModelLimits.width.upperBound), 10_240)
        XCTAssertLessThanOrEqual(64 * 8 * 4 * Int(ModelLimits.width.upperBound), ModelLimits.maximumChannels)
    }
}
