import Condense
import CondenseNN
import XCTest

/// The search's loop on a stand-in evaluator whose costs and proxy accuracies are exact functions of the channel
/// counts, so every choice it makes can be worked out by hand.
final class GreedySearchTests: XCTestCase {
    /// Three channel groups of 16·width channels (half that at any depth but the family's own); 100 bytes per
    /// channel; a grid point's proxy is 0.5 + 0.3·width (0.05 less when shallower), and each channel removed from
    /// group g costs `loss[g]` of proxy accuracy. Sensitivity ranks groups 0, 2, 1.
    final class FakeEvaluator: CandidateEvaluator {
        let loss = [0.001, 0.01, 0.002]
        private(set) var measured: [String] = []

        func counts(_ architecture: CandidateArchitecture) -> [Int] {
            architecture.blockChannels ?? [Int](repeating: Int(16 * architecture.width) /
                                                    (architecture.blocksPerStage == nil ? 1 : 2), count: 3)
        }

        func cost(of architecture: CandidateArchitecture) throws -> CandidateCost {
            let bytes = 100 * counts(architecture).reduce(0, +)
            return CandidateCost(int8Bytes: bytes, multiplyAdds: 10 * bytes, parameters: bytes)
        }

        func measure(_ architecture: CandidateArchitecture, parent: SearchCandidate?) throws
            -> (cost: CandidateCost, proxyAccuracy: Double) {
            measured.append(architecture.key)
            let channels = counts(architecture)
            var accuracy = 0.5 + 0.3 * architecture.width - (architecture.blocksPerStage == nil ? 0 : 0.05)
            if let parent {
                let removed = zip(counts(parent.architecture), channels).map { Double($0 - $1) }
                accuracy = parent.proxyAccuracy - zip(removed, loss).reduce(0) { $0 + $1.0 * $1.1 }
            }
            return (try cost(of: architecture), accuracy)
        }

        func channelCounts(of architecture: CandidateArchitecture) throws -> [Int] { counts(architecture) }

        func rankedGroups(of candidate: SearchCandidate, shrinking ratio: Double) throws -> [Int] { [0, 2, 1] }
    }

    private func options(trials: Int = 24) -> GreedySearchOptions {
        var options = GreedySearchOptions(architecture: .mobilenetv2, widths: [0.5, 1])
        options.proposalsPerRound = 2
        options.trials = trials
        return options
    }

    func testEachRoundRemovesItsTargetFromTheGroupThatLosesLeastUntilTheBudgetHolds() throws {
        let evaluator = FakeEvaluator()
        let search = GreedySearch(budget: .bytes(3000), options: options(), evaluator: evaluator)
        let candidates = try search.run()
        // Grid: 0.5 (2,400 bytes, fits) and 1 (4,800 bytes), the start. Each round's target is half the excess over
        // 3,000 bytes, at least 300 (a tenth of the budget), and all of the excess and the landing margin (60) once
        // less than 300 would remain: 900, 450, 460 bytes, i.e. 9, 5 and 5 channels of 100 bytes. Rounds 1 and 2
        // take them from group 0 (0.001 per channel beats group 2's 0.002); in round 3 group 0 has only 2 channels,
        // short of the target, so group 2 gives them.
        XCTAssertEqual(candidates.count, 2 + 3 * 2)
        XCTAssertEqual(evaluator.measured.count, 8)
        let last = try XCTUnwrap(candidates.last { $0.architecture.blockChannels == [2, 16, 11] })
        XCTAssertEqual(last.cost.int8Bytes, 2900)
        XCTAssertEqual(last.proxyAccuracy, 0.8 - 14 * 0.001 - 5 * 0.002, accuracy: 1e-12)
        XCTAssertEqual(last.origin, "round 3")
        var chain: [[Int]] = []
        var current: SearchCandidate? = last
        while let candidate = current {
            chain.append(candidate.architecture.blockChannels ?? [])
            current = candidates.first { $0.key == candidate.parent }
        }
        XCTAssertEqual(chain.reversed(), [[], [7, 16, 16], [2, 16, 16], [2, 16, 11]])
        XCTAssertEqual(SearchBudget.bytes(3000).paretoFront(candidates).first, GreedySearchTests.key(width: 0.5))
    }

    func testTheRoundTargetIsAShareOfTheExcessWithAFloorAndTheLastLandsJustUnderTheBudget() {
        let search = GreedySearch(budget: .bytes(3000), options: options(), evaluator: FakeEvaluator())
        XCTAssertEqual(search.reductionTarget(from: 12000), 4500)
        XCTAssertEqual(search.reductionTarget(from: 3900), 450)
        XCTAssertEqual(search.reductionTarget(from: 3560), 300, "a tenth of the budget at least")
        XCTAssertEqual(search.reductionTarget(from: 3400), 460, "the rest and the landing margin, not a tiny last round")
        XCTAssertEqual(search.reductionTarget(from: 3010), 70)
    }

    func testTheGridMeasuresEveryWidthAtEveryDepth() throws {
        var options = options()
        options.depths = [nil, [1, 1, 1, 1, 1, 1, 1]]
        let evaluator = FakeEvaluator()
        let candidates = try GreedySearch(budget: .bytes(3000), options: options, evaluator: evaluator).run()
        let shallow = { CandidateArchitecture(architecture: .mobilenetv2, width: $0, blocksPerStage: [1, 1, 1, 1, 1, 1, 1]) }
        XCTAssertEqual(Array(evaluator.measured.prefix(4)), [Self.key(width: 0.5), Self.key(width: 1),
                                                           shallow(0.5).key, shallow(1).key])
        XCTAssertEqual(shallow(0.5).key, "mobilenetv2-w0.5-d1.1.1.1.1.1.1")
        XCTAssertEqual(candidates[3].cost.int8Bytes, 2400)
        XCTAssertEqual(candidates[3].proxyAccuracy, 0.75, accuracy: 1e-12)
        // The shallow width-1 point fits already, so refinement still starts from the deep one, and the rounds
        // keep its depth.
        XCTAssertEqual(candidates.count, 4 + 3 * 2)
        XCTAssertTrue(candidates.dropFirst(4).allSatisfy { $0.architecture.blocksPerStage == nil })
    }

    func testABudgetFarBelowTheGridIsRefinedFromTheCheapestGridPoint() throws {
        // Both grid points (2,400 and 4,800 bytes) cost more than 4× a 500-byte budget: refinement starts from the
        // cheaper one all the same, and its rounds reach the budget.
        var notes: [String] = []
        let candidates = try GreedySearch(budget: .bytes(500), options: options(), evaluator: FakeEvaluator(),
                                          progress: { if case let .note(text) = $0 { notes.append(text) } }).run()
        XCTAssertEqual(candidates[2].parent, Self.key(width: 0.5))
        XCTAssertLessThanOrEqual(try XCTUnwrap(candidates.last).cost.int8Bytes, 500)
        XCTAssertTrue(notes.contains { $0.contains("refining the cheapest, \(Self.key(width: 0.5))") }, "\(notes)")
    }

    func testARerunReusesEveryMeasuredCandidate() throws {
        let first = try GreedySearch(budget: .bytes(3000), options: options(), evaluator: FakeEvaluator()).run()
        let evaluator = FakeEvaluator()
        var resumed = 0
        let second = try GreedySearch(budget: .bytes(3000), options: options(), evaluator: evaluator, known: first,
                                  progress: { if case .resumed = $0 { resumed += 1 } }).run()
        XCTAssertEqual(second, first)
        XCTAssertEqual(evaluator.measured, [])
        XCTAssertEqual(resumed, first.count)
    }

    func testTrialsAndTheTimeLimitEndTheSearchWithWhatItHas() throws {
        let limited = try GreedySearch(budget: .bytes(3000), options: options(trials: 5), evaluator: FakeEvaluator()).run()
        XCTAssertEqual(limited.count, 5)
        var calls = 0
        let stopped = try GreedySearch(budget: .bytes(3000), options: options(), evaluator: FakeEvaluator(),
                                       shouldStop: { calls += 1; return calls > 3 }).run()
        XCTAssertEqual(stopped.count, 3)
    }

    func testShrunkCountsRemoveAtLeastOneAndKeepAtLeastOne() {
        XCTAssertEqual(GreedySearch.shrunkCount(16, ratio: 0.5), 8)
        XCTAssertEqual(GreedySearch.shrunkCount(3, ratio: 0.5), 1)
        XCTAssertEqual(GreedySearch.shrunkCount(2, ratio: 0.1), 1)
        XCTAssertEqual(GreedySearch.shrunkCount(1, ratio: 0.5), 1)
    }

    static func key(width: Double) -> String { CandidateArchitecture(architecture: .mobilenetv2, width: width).key }
}
