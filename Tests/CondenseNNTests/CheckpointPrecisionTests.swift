import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// Half-precision checkpoints: float32 tensors rounded to float16 and back, other tensors and metadata untouched,
/// and models that load from them.
final class CheckpointPrecisionTests: XCTestCase {
    func testHalfPrecisionRoundsFloatTensorsOnly() throws {
        var checkpoint = Checkpoint(tensors: [
            NamedTensorData(name: "w", shape: [4], floats: [1, 0.1, 70000, -3e-8]),
            NamedTensorData(name: "labels", shape: [2], int32s: [3, -4]),
        ])
        checkpoint.setMetadata("resnet20", for: Checkpoint.Key.architecture)
        let half = checkpoint.halfPrecision()
        XCTAssertEqual(half.metadata, checkpoint.metadata)
        XCTAssertEqual(half["labels"], checkpoint["labels"])
        // 0.1 → 0x2e66 (0.0999755859375); 70000 overflows to +∞ (0x7c00); −3e-8 lies above half the smallest
        // subnormal (2⁻²⁵ ≈ 2.98e-8), so it rounds to −2⁻²⁴ (0x8001).
        XCTAssertEqual(try half["w"]?.halfBits(), [0x3C00, 0x2E66, 0x7C00, 0x8001])
        let single = half.singlePrecision()
        XCTAssertEqual(single["w"]?.dtype, .float32)
        XCTAssertEqual(single["w"]?.floats(), [1, 0.0999755859375, .infinity, -0x1p-24])
        XCTAssertEqual(single["labels"], checkpoint["labels"])
    }

    func testModelLoadsFromAHalfPrecisionCheckpoint() throws {
        let model = try ModelConfiguration(architecture: .resnet20, width: 0.25, classes: 3).build(on: TestDevices.cpu)
        let trained = TrainedModel(configuration: ModelConfiguration(architecture: .resnet20, width: 0.25, classes: 3),
                                   module: model, normalizationMean: [0.5, 0.5, 0.5], normalizationStd: [0.2, 0.2, 0.2],
                                   classNames: ["a", "b", "c"])
        let half = try trained.checkpoint().halfPrecision()
        let other = try ModelConfiguration(architecture: .resnet20, width: 0.25, classes: 3).build(on: TestDevices.cpu, seed: 9)
        let reloaded = TrainedModel(configuration: trained.configuration, module: other,
                                    normalizationMean: trained.normalizationMean, normalizationStd: trained.normalizationStd,
                                    classNames: trained.classNames)
        try reloaded.load(half, path: "half.safetensors")
        let original = try trained.stateVariables[0].variable.value.toHost()
        XCTAssertEqual(try reloaded.stateVariables[0].variable.value.toHost(), original.map { Float(Float16($0)) })
        XCTAssertNotEqual(original.map { Float(Float16($0)) }, original, "the weights must actually change when rounded")
    }
}
