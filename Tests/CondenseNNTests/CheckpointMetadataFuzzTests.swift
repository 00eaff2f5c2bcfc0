import CondenseCore
@testable import CondenseNN
import CondenseTestSupport
import XCTest

/// Structured fuzzing of a checkpoint's metadata: every field of a valid checkpoint set to extreme values (NaN,
/// ±infinity, 1e300, negatives, zero, huge integers, wrong JSON types, malformed JSON, missing, extra elements),
/// alone and in seeded random combinations. Loading must throw a `CondenseError` or succeed, never trap; the
/// process dying is the failure this test exists to catch. (Widths that build large models, such as 8, are left to
/// `CheckpointModelMetadataTests`: each would build a model of millions of parameters only to find it does not fit.)
final class CheckpointMetadataFuzzTests: XCTestCase {
    private typealias Key = Checkpoint.Key
    private let path = "fuzz/model.safetensors"

    /// JSON texts that are extreme or wrong for some field; nil removes the key.
    private static let values: [String?] = {
        let scalars = ["NaN", "Infinity", "-Infinity", "1e300", "-1e300", "1e-300", "-0", "0", "1", "-1", "0.5", "2",
                       "3", "8.5", "28", "8.000001", "0.015625", "0.01", "100000", "100001", "1000000000", "1e9",
                       "4096", "4097", "16384", "16385", "2147483648", "9223372036854775807", "9223372036854775808",
                       "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890"]
        let others = ["\"resnet20\"", "\"mobilenetv2\"", "\"\"", "true", "false", "null", "{}", "{\"a\":1}", "[]",
                      "[[1]]", "[null]", "[\"a\"]", "[\"a\",\"b\",\"c\"]", "[\"a\",\"b\",\"c\",\"d\"]", "", " ", "[",
                      "]", "{", "[1,", "\"unterminated", "garbage", "resnet20", "mobilenetv2", "vgg16", "[1e999]",
                      String(repeating: "[", count: 200), "[" + Array(repeating: "1", count: 10_000).joined(separator: ",") + "]"]
        let arrays = ["[3,8,8]", "[3,8]", "[3,8,8,8]", "[0,8,8]", "[3,0,0]", "[-3,8,8]", "[3,-8,-8]", "[3,8,9]",
                      "[1e300,8,8]", "[3,1e300,1e300]", "[3,8.5,8.5]", "[NaN,8,8]", "[3,Infinity,Infinity]",
                      "[1025,8,8]", "[3,4097,4097]", "[9223372036854775807,8,8]", "[3,9223372036854775807,9223372036854775807]",
                      "[0.5,0.4,0.3]", "[0.5]", "[0.5,0.4]", "[0.5,0.4,0.3,0.2]", "[NaN,NaN,NaN]", "[0,0,0]",
                      "[-1,-1,-1]", "[Infinity,1,1]", "[1e300,1e300,1e300]", "[1e-45,1e-45,1e-45]",
                      "[4,4,4,4,4,4,4,4,4]", "[4,4,4,4,4,4,4,4]", "[4,4,4,4,4,4,4,4,4,4]", "[0,4,4,4,4,4,4,4,4]",
                      "[-4,4,4,4,4,4,4,4,4]", "[16385,4,4,4,4,4,4,4,4]", "[9223372036854775807,4,4,4,4,4,4,4,4]",
                      "[4.5,4,4,4,4,4,4,4,4]", "[\"4\",4,4,4,4,4,4,4,4]"]
        return (scalars + others + arrays).map(Optional.some) + [nil]
    }()

    /// The keys a Condense checkpoint's model metadata has.
    private static let keys = [Key.architecture, Key.width, Key.classes, Key.inputShape, Key.normalizationMean,
                               Key.normalizationStd, Key.classNames, Key.blockChannels, Key.quantization]

    func testEveryFieldSetToEveryExtremeValueThrowsOrLoads() throws {
        let valid = try CheckpointTesting.modelCheckpoint()
        var outcomes = (loaded: 0, refused: 0)
        for key in Self.keys {
            for value in Self.values {
                var checkpoint = valid
                checkpoint.metadata[key] = value
                load(checkpoint, "\(key) = \(value ?? "(missing)")", &outcomes)
            }
        }
        // Keys nothing reads are ignored, whatever they hold.
        for value in ["NaN", "{", String(repeating: "[", count: 200)] {
            var checkpoint = valid
            checkpoint.metadata["extra_key"] = value
            load(checkpoint, "extra_key = \(value.prefix(40))", &outcomes)
        }
        XCTAssertEqual(outcomes.loaded + outcomes.refused, Self.keys.count * Self.values.count + 3)
        // The valid values (the ones the checkpoint had, a missing width or block_channels, an unread key) load;
        // every other is refused.
        XCTAssertGreaterThanOrEqual(outcomes.loaded, 12)
        XCTAssertGreaterThan(outcomes.refused, 800)
    }

    func testRandomCombinationsOfExtremeValuesThrowOrLoad() throws {
        let valid = try CheckpointTesting.modelCheckpoint()
        var generator = SeededGenerator(seed: 25)
        var outcomes = (loaded: 0, refused: 0)
        for _ in 0..<300 {
            var checkpoint = valid
            var changes: [String] = []
            for _ in 0..<Int.random(in: 2...4, using: &generator) {
                let key = (Self.keys + ["extra_key"]).randomElement(using: &generator)!
                let value = Self.values.randomElement(using: &generator)!
                checkpoint.metadata[key] = value
                changes.append("\(key) = \(value?.prefix(40) ?? "(missing)")")
            }
            load(checkpoint, changes.joined(separator: ", "), &outcomes)
        }
        XCTAssertEqual(outcomes.loaded + outcomes.refused, 300)
        XCTAssertGreaterThan(outcomes.refused, 200)
    }

    /// Loads `checkpoint`, counting a load or a refusal; any other error fails the test.
    private func load(_ checkpoint: Checkpoint, _ variant: String, _ outcomes: inout (loaded: Int, refused: Int)) {
        do {
            let model = try TrainedModel.load(checkpoint, from: path, on: TestDevices.cpu)
            XCTAssertEqual(model.classNames.count, model.configuration.classes, variant)
            XCTAssertEqual(model.normalizationStd.count, model.configuration.inputChannels, variant)
            outcomes.loaded += 1
        } catch let error as CondenseError {
            XCTAssertTrue("\(error)".contains(path), "\(variant): \(error) does not name the file")
            outcomes.refused += 1
        } catch {
            XCTFail("\(variant): expected a CondenseError, got \(error)")
        }
    }
}

