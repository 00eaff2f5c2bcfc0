import Condense
import CondenseCore
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// `condense search` end to end on the tiny fixture: its record, chart and exports; a rerun that measures nothing
/// again; the refinement pruning a grid point down to a budget it misses; a budget nothing meets.
final class ArchitectureSearchTests: TrainingTestCase {
    private func settings(_ budget: SearchBudget) -> SearchSettings {
        var settings = SearchSettings(budget: budget)
        settings.widths = [0.25]
        settings.depths = [ModelConfiguration.defaultBlocksPerStage(.mobilenetv2)]
        settings.proxy.trainingImages = 5
        settings.proxy.validationImages = 2
        settings.proxy.epochs = 1
        settings.proxy.sensitivityImages = 2
        settings.proxy.calibrationImages = 5
        settings.fullyTrained = 2
        settings.studentEpochs = 1
        settings.pruneEpochs = 1
        settings.qatEpochs = 1
        return settings
    }

    private func search(_ settings: SearchSettings, in name: String = "search",
                        events: inout [SearchEvent]) throws -> SearchResult {
        let teacher = try ModelFactory.model(.resnet20, width: 0.25, for: dataset, seed: 1, on: TestDevices.cpu)
        var collected: [SearchEvent] = []
        let search = try ArchitectureSearch(settings: settings, teacher: teacher, dataset: dataset,
                                            folder: folder.appendingPathComponent(name).path,
                                            progress: { collected.append($0) }, training: { _ in })
        defer { events = collected }
        return try search.run()
    }

    func testTheChosenModelIsRecordedChartedExportedAndARerunMeasuresNothing() throws {
        var events: [SearchEvent] = []
        let first = try search(settings(.bytes(100_000_000)), events: &events)
        let document = first.document
        XCTAssertEqual(document.candidates.map(\.key), ["mobilenetv2-w0.25"])
        let chosen = try XCTUnwrap(document.chosen)
        XCTAssertEqual(chosen.key, "mobilenetv2-w0.25")
        let onnx = folder.appendingPathComponent("search/model-int8.onnx").path
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: onnx)[.size] as? Int, chosen.int8Bytes)
        for file in chosen.exports {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("search/" + file).path), file)
        }
        XCTAssertEqual(try SearchDocument.read(first.recordPath), document)
        XCTAssertTrue(try String(contentsOfFile: first.chartPath, encoding: .utf8).contains("Pareto front"))
        XCTAssertTrue(events.contains { if case .measuring = $0 { true } else { false } })

        let second = try search(settings(.bytes(100_000_000)), events: &events)
        XCTAssertFalse(events.contains { if case .measuring = $0 { true } else { false } }, "nothing is measured again")
        XCTAssertEqual(second.document.candidates, document.candidates)
        XCTAssertEqual(second.document.full, document.full)
    }

    func testAShallowerGridPointIsTrainedFullyAndExportedAtItsDepth() throws {
        var events: [SearchEvent] = []
        var settings = settings(.bytes(100_000_000))
        settings.architecture = .resnet20
        settings.depths = [[1, 1, 1]]
        let document = try search(settings, in: "resnet8", events: &events).document
        let chosen = try XCTUnwrap(document.chosen)
        XCTAssertEqual(chosen.key, "resnet20-w0.25-d1.1.1")
        XCTAssertEqual(chosen.architecture.blocksPerStage, [1, 1, 1])
        let checkpoint = folder.appendingPathComponent("resnet8/" + chosen.checkpoint).path
        XCTAssertEqual(try TrainedModel.load(checkpoint, on: TestDevices.cpu).configuration.blocksPerStage, [1, 1, 1])
        let onnx = folder.appendingPathComponent("resnet8/model-int8.onnx").path
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: onnx)[.size] as? Int, chosen.int8Bytes)
        XCTAssertEqual(chosen.int8Bytes, document.candidates[0].cost.int8Bytes)
    }

    func testRefinementPrunesAGridPointThatMissesTheBudgetUntilItFits() throws {
        var events: [SearchEvent] = []
        let grid = try search(settings(.bytes(100_000_000)), in: "grid", events: &events).document.candidates[0]
        let budget = grid.cost.int8Bytes * 9 / 10
        var limited = settings(.bytes(budget))
        limited.trials = 4
        limited.minimumRoundReduction = 0.2  // so that one round of three proposals reaches the budget
        let refined = try search(limited, in: "refined", events: &events).document
        XCTAssertGreaterThan(refined.candidates.count, 1)
        XCTAssertEqual(refined.candidates[0].origin, "grid, distilled fully", "refinement starts from a trained student")
        XCTAssertTrue(refined.candidates.dropFirst().allSatisfy { $0.origin.hasPrefix("round ") && $0.parent != nil })
        let fitting = refined.candidates.filter { $0.cost.int8Bytes <= budget }
        XCTAssertFalse(fitting.isEmpty)
        XCTAssertLessThanOrEqual(try XCTUnwrap(refined.chosen).int8Bytes, budget)
        XCTAssertNotNil(try XCTUnwrap(refined.chosen).architecture.blockChannels)
    }

    func testABudgetNoCandidateMeetsNamesTheSmallestCostFound() throws {
        var events: [SearchEvent] = []
        var settings = settings(.bytes(10))
        settings.trials = 1  // the grid alone: its one point is refined only when a trial is left
        XCTAssertThrowsError(try search(settings, events: &events)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("no candidate meets the budget of 10 bytes"), text)
            XCTAssertTrue(text.contains("the smallest cost found was"), text)
        }
    }
}
