@testable import CondenseCompress
import CondenseCore
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// The TFLite exports' structure and the integers of the INT8 one. (That LiteRT runs the files and agrees with
/// Condense's inference is `Scripts/check-tflite.sh`'s job.)
final class TFLiteExportTests: XCTestCase {
    /// Whether `bytes` hold `text` (a tensor or metadata name).
    private func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        return bytes.indices.dropLast(needle.count - 1).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    func testFloatExportIsATFL3FileWithMetadataAndEveryWeight() throws {
        let model = try ExportTestModels.model(.resnet20, width: 0.25)
        let bytes = try TFLiteExport.float32(model)
        XCTAssertEqual(Array(bytes[4..<8]), Array("TFL3".utf8))
        let root = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        XCTAssertLessThan(root, bytes.count)
        XCTAssertGreaterThan(bytes.count, 4 * model.module.parameterCount, "float32 weights")
        for key in ["class_names", "normalization_mean", CondenseVersion.metadataKey, "condense \(CondenseVersion.current)"] {
            XCTAssertTrue(contains(bytes, key), key)
        }
    }

    func testStrideTwoConvolutionsPadExplicitlyWhereSAMEWouldShiftTheWindow() throws {
        // On 28-px inputs ResNet-20's stride-2 3x3 convolutions (layer2.0.conv1, layer3.0.conv1) meet an even side,
        // where SAME pads after the input only; the stride-1 ones pad alike with SAME.
        let bytes = try TFLiteExport.float32(try ExportTestModels.model(.resnet20, width: 0.25))
        XCTAssertTrue(contains(bytes, "layer2.0.conv1.pad"))
        XCTAssertTrue(contains(bytes, "layer3.0.conv1.pad"))
        XCTAssertFalse(contains(bytes, "layer1.0.conv1.pad"))
        XCTAssertFalse(contains(bytes, "layer2.0.conv2.pad"))
    }

    func testINT8InputTableIsCondensesOwnNormalizationAndQuantization() throws {
        let model = try ExportTestModels.quantized(.resnet20, width: 0.25)
        let classifier = model.module as! QuantizedClassifier
        let graph = try InferenceGraph(quantized: model)
        let input = try XCTUnwrap(graph.quantization?.activations[InferenceGraph.normalizedName])
        let table = TFLiteInt8Encoding.inputTable(mean: model.normalizationMean, std: model.normalizationStd,
                                                  quantization: input)
        // Every pixel value of every channel through Condense's integer inference: a 16x16 image per channel holding
        // 0...255, normalized as BatchLoader normalizes.
        let channels = model.normalizationMean.count
        let (mean, std) = (model.normalizationMean, model.normalizationStd)
        let pixels = (0..<channels).flatMap { (c: Int) -> [Float] in
            let (scale, shift): (Float, Float) = (1 / (255 * std[c]), -mean[c] / std[c])
            return (0..<256).map { Float($0) * scale + shift }
        }
        let centred = try classifier.tensors(of: try TestDevices.cpu.tensor(pixels, shape: [1, channels, 16, 16]))
        let quantized: [Float] = try XCTUnwrap(centred[QuantizedGraph.input]).toHost()
        for c in 0..<channels {
            for pixel in 0..<256 {
                XCTAssertEqual(Int(table[pixel * channels + c]) + 128 - input.zeroPoint, Int(quantized[c * 256 + pixel]),
                               "channel \(c), pixel \(pixel)")
            }
        }
        XCTAssertGreaterThan(Set(table).count, 100, "the table spans the int8 range")
    }

    func testINT8ExportIsIntegerFromPixelsToTheClassifierAndSmallerThanFloat() throws {
        let model = try ExportTestModels.quantized(.mobilenetv2, width: 0.35)
        let bytes = try TFLiteExport.int8(model)
        XCTAssertEqual(Array(bytes[4..<8]), Array("TFL3".utf8))
        XCTAssertTrue(contains(bytes, "normalize.table"))
        XCTAssertTrue(contains(bytes, ".sums"), "the classifier sums int8 products in int32")
        XCTAssertFalse(contains(bytes, ".float"), "no dequantized features or weights")
        XCTAssertFalse(contains(bytes, "normalize.centered"), "no float normalization")
        XCTAssertFalse(contains(bytes, Checkpoint.Key.quantization + "\""), "the stored graph is left out")
        let float = try TFLiteExport.float32(try ExportTestModels.model(.mobilenetv2, width: 0.35))
        XCTAssertLessThan(Double(bytes.count), Double(float.count) / 3, "\(bytes.count) vs \(float.count) bytes")
    }
    /// The INT8 file holds little besides what the int8 spec requires (int8 weights, int32 biases, a float32 scale
    /// and an int64 zero point per channel for each weight and bias): for ResNet-18, whose layers have hundreds of
    /// weights per output channel, it is at most 1/3.5 of the FP32 file. (MobileNetV2's narrow layers have ~60
    /// weights per channel, so the ~20 bytes of per-channel quantization keep it above: Benchmarks/RESULTS.md.)
    func testINT8ExportOfAWideModelIsAtMostOneOverThreePointFiveOfTheFloatOne() throws {
        let int8 = try TFLiteExport.int8(try ExportTestModels.quantized(.resnet18, width: 0.25))
        let float = try TFLiteExport.float32(try ExportTestModels.model(.resnet18, width: 0.25))
        XCTAssertLessThanOrEqual(3.5 * Double(int8.count), Double(float.count), "\(int8.count) vs \(float.count) bytes")
    }
    /// The classifier's biases fold in the features' zero point, so LiteRT's int32 sums of the stored integers equal
    /// the sums over `q − z` that Condense forms.
    func testClassifierBiasesFoldInTheFeaturesZeroPoint() throws {
        let weights: [Int8] = [1, -2, 3, 0, 5, -1], biases: [Int32] = [10, -4], zeroPoint = -100
        let folded = try TFLiteInt8Encoding.classifierBiases(weights: weights, biases: biases,
                                                             featureZeroPoint: zeroPoint)
        XCTAssertEqual(folded, [210, 396])
        let features: [Int] = [5, -7, 20]
        for c in 0..<2 {
            let row = weights[(3 * c)..<(3 * c + 3)].map(Int.init)
            XCTAssertEqual(zip(row, features).reduce(folded[c]) { $0 + $1.0 * $1.1 },
                           zip(row, features).reduce(Int(biases[c])) { $0 + $1.0 * ($1.1 - zeroPoint) }, "class \(c)")
        }
        XCTAssertThrowsError(try TFLiteInt8Encoding.classifierBiases(weights: [127], biases: [Int32.max],
                                                                     featureZeroPoint: -1))
    }
}
