import Condense
import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// Sensitivity analysis on a tiny model against independent evaluations of pruned models, the per-layer ratio rule
/// on hand-computed profiles, and the profile's JSON form.
final class SensitivityAnalysisTests: XCTestCase {
    private let dataset = PruningTestSupport.dataset(validation: 40)

    private func accuracy(_ model: TrainedModel, images: Int) throws -> Double {
        try Evaluation.evaluate(model, on: dataset.validation.prefix(images), dataset: dataset).accuracy
    }

    func testStructuredSweepMatchesEvaluatingEachPhysicallyPrunedModel() throws {
        let model = try PruningTestSupport.model(.resnet20, width: 0.25, dataset: dataset)
        var options = SensitivityOptions()
        options.ratios = [0, 0.5, 0.75]
        options.maxImages = 30
        var calls = 0
        let profile = try SensitivityAnalysis.run(model, on: dataset, options: options) { _, _, layers, _, _ in
            calls += 1
            XCTAssertEqual(layers, 9)
        }
        XCTAssertEqual(calls, 9 * 3)
        XCTAssertTrue(profile.structured)
        XCTAssertEqual(profile.baselineAccuracy, try accuracy(model, images: 30))
        let groups = try ChannelPruning.groups(of: model)
        XCTAssertEqual(profile.layers.map(\.name), groups.map(\.name))
        for (index, layer) in profile.layers.enumerated() {
            XCTAssertEqual(layer.ratios, [0, 0.5, 0.75])
            XCTAssertEqual(layer.accuracy[0], profile.baselineAccuracy, "ratio 0 prunes nothing")
            for (ratio, measured) in zip(layer.ratios, layer.accuracy).dropFirst() {
                var ratios = [Double](repeating: 0, count: groups.count)
                ratios[index] = ratio
                XCTAssertEqual(measured, try accuracy(try ChannelPruning.prune(model, ratios: ratios), images: 30),
                               "\(layer.name) at \(ratio)")
            }
        }
        XCTAssertEqual(try accuracy(model, images: 30), profile.baselineAccuracy, "the model is left as it was")
    }

    func testUnstructuredSweepPrunesEveryConvAndLinearWeight() throws {
        let model = try PruningTestSupport.model(.mobilenetv2, width: 0.25, dataset: dataset)
        var options = SensitivityOptions()
        options.ratios = [0.9]
        options.structured = false
        options.includeFirstAndLast = true
        let profile = try SensitivityAnalysis.run(model, on: dataset, options: options)
        let targets = UnstructuredPruner.prunableWeights(of: model.module, includeFirstAndLast: true)
        XCTAssertEqual(profile.layers.map(\.name), targets.map(\.name))
        let (name, weight) = (targets[5].name, targets[5].variable)
        let expected = try MagnitudePruning.withWeightsPruned(weight, ratio: 0.9) { try accuracy(model, images: 40) }
        XCTAssertEqual(profile.layers.first { $0.name == name }?.accuracy, [expected])
    }

    func testEmptyValidationAndBadRatiosAreClearErrors() throws {
        let empty = PruningTestSupport.dataset(validation: 0)
        let model = try PruningTestSupport.model(.resnet20, width: 0.25, dataset: empty)
        XCTAssertThrowsError(try SensitivityAnalysis.run(model, on: empty)) {
            XCTAssertTrue("\($0)".contains("validation split of synthetic is empty"), "\($0)")
        }
        var options = SensitivityOptions()
        options.ratios = [0.5, 1]
        XCTAssertThrowsError(try SensitivityAnalysis.run(model, on: dataset, options: options)) {
            XCTAssertTrue("\($0)".contains("ratios must be in [0, 1)"), "\($0)")
        }
    }

    private let profile = SensitivityProfile(layers: [
        .init(name: "a", ratios: [0.2, 0.4, 0.6, 0.8], accuracy: [0.90, 0.89, 0.85, 0.50]),
        .init(name: "b", ratios: [0.2, 0.4, 0.6, 0.8], accuracy: [0.90, 0.90, 0.90, 0.89]),
        .init(name: "c", ratios: [0.2, 0.4, 0.6, 0.8], accuracy: [0.70, 0.90, 0.90, 0.90]),
    ], baselineAccuracy: 0.9, structured: true)

    func testLayerRatiosScaleTheToleratedRatiosToTheTarget() throws {
        // Tolerated within 0.02: a 0.4, b 0.8, c 0 (its smallest ratio already fails). Sizes 100, 100, 200.
        func ratios(_ sparsity: Double) throws -> LayerRatios {
            try profile.layerRatios(for: ["a", "b", "c"], sizes: [100, 100, 200], sparsity: sparsity, tolerance: 0.02)
        }
        XCTAssertEqual(try ratios(0.3).tolerated, [0.4, 0.8, 0])
        // 0.3·400 = 120 = 100·0.4k + 100·0.8k → k = 1.
        assertClose(try ratios(0.3).ratios.map(Float.init), [0.4, 0.8, 0], atol: 1e-9)
        // 0.35·400 = 140: b saturates at 0.8 (80), so 100·0.4k = 60 → k = 1.5, a at 0.6.
        assertClose(try ratios(0.35).ratios.map(Float.init), [0.6, 0.8, 0], atol: 1e-9)
        // 0.1·400 = 40 = 120k → k = 1/3.
        assertClose(try ratios(0.1).ratios.map(Float.init), [0.4 / 3, 0.8 / 3, 0], atol: 1e-9)
        XCTAssertEqual(try ratios(0.35).tolerance, 0.02)
        // 0.5·400 = 200 is out of reach at 0.02 (a and b at 0.8 give 160) and at the next drop, 0.05 (a tolerates
        // 0.6); at 0.2, c tolerates 0.8 too: 100·0.6k + 100·0.8k + 200·0.8k = 300k = 200 → k = 2/3.
        let raised = try ratios(0.5)
        XCTAssertEqual(raised.tolerance, 0.2, accuracy: 1e-12)
        XCTAssertEqual(raised.tolerated, [0.6, 0.8, 0.8])
        assertClose(raised.ratios.map(Float.init), [0.4, 1.6 / 3, 1.6 / 3], atol: 1e-9)
        XCTAssertEqual(raised.sparsity, 0.5, accuracy: 1e-9)
    }

    func testUnreachableSparsityStopsAtEveryLayersLargestRatioAndMissingLayersAreErrors() throws {
        let strict = try profile.layerRatios(for: ["a", "c"], sizes: [1, 1], sparsity: 0.1, tolerance: 0)
        XCTAssertEqual(strict.tolerated, [0.2, 0])
        XCTAssertEqual(strict.ratios[1], 0, "c tolerates nothing at tolerance 0")
        let most = try profile.layerRatios(for: ["a", "c"], sizes: [1, 1], sparsity: 0.85, tolerance: 0)
        XCTAssertEqual(most.ratios, [0.8, 0.8])
        XCTAssertEqual(most.sparsity, 0.8, accuracy: 1e-12)
        XCTAssertThrowsError(try profile.layerRatios(for: ["a", "zz"], sizes: [1, 1], sparsity: 0.3, tolerance: 0.02)) {
            XCTAssertTrue("\($0)".contains("lacks 1 of the model's 2 prunable layers (first: zz)"), "\($0)")
        }
    }

    func testProfileJSONRoundTripsAndBadFilesAreClearErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-sensitivity-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("profile.json").path
        try profile.write(to: path)
        XCTAssertEqual(try SensitivityProfile(contentsOf: path), profile)
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{\"baseline_accuracy\":0.9,\"layers\":[{\"accuracy\":[0.9,0.89"), text)
        let bad = folder.appendingPathComponent("bad.json").path
        try Data("{\"layers\":[{\"name\":\"a\",\"ratios\":[0.5],\"accuracy\":[]}],\"baseline_accuracy\":1,\"structured\":true}".utf8)
            .write(to: URL(fileURLWithPath: bad))
        XCTAssertThrowsError(try SensitivityProfile(contentsOf: bad)) {
            XCTAssertTrue("\($0)".contains("bad.json: layer 'a'"), "\($0)")
        }
        XCTAssertThrowsError(try SensitivityProfile(contentsOf: folder.appendingPathComponent("none.json").path))
    }
}
