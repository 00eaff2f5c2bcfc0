import Condense
import CondenseNN
import XCTest

/// The search's loop on a stand-in evaluator whose costs and proxy accuracies are exact functions of the channel
/// counts, so every choice it makes can be worked out by hand.
final class GreedySearchTests: XCTestCase {
    /// Three channel groups of 16·width channels; 100 bytes per channel; a grid point's proxy is 0.5 + 0.3·width,
    /// and each channel removed from group g costs `loss[g]` of proxy accuracy. Sensitivity ranks groups 0, 2, 1.
    final class FakeEvaluator: CandidateEvaluator {
        let loss = [0.001, 0.01, 0.002]
        private(set) var measured: [String] = []

        func counts(_ architecture: CandidateArchitecture) -> [Int] {
            architecture.blockChannels ?? [Int](repeating: Int(16 * architecture.width), count: 3)
        }

        func measure(_ architecture: CandidateArchitecture, parent: SearchCandidate?) throws
            -> (cost: CandidateCost, proxyAccuracy: Double) {
            measured.append(architecture.key)
            let channels = counts(architecture)
            var accuracy = 0.5 + 0.3 * architecture.width
            if let parent {
                let removed = zip(counts(parent.architecture), channels).map { Double($0 - $1) }
                accuracy = parent.proxyAccuracy - zip(removed, loss).reduce(0) { $0 + $1.0 * $1.1 }
            }
            let bytes = 100 * channels.reduce(0, +)
            return (CandidateCost(int8Bytes: bytes, multiplyAdds: 10 * bytes, parameters: bytes), accuracy)
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

    func testEachRoundKeepsTheProposalThatLosesLeastPerByteUntilTheBudgetHolds() throws {
        let evaluator = FakeEvaluator()
        let search = GreedySearch(budget: .bytes(3000), options: options(), evaluator: evaluator)
        let candidates = try search.run()
        // Grid: 0.5 (2,400 bytes, fits) and 1 (4,800 bytes), the start. Rounds 1–4 halve group 0 (0.001 per
        // 100 bytes beats group 2's 0.002) down to one channel; round 5 can only halve groups 2 and 1, and takes 2.
        XCTAssertEqual(candidates.count, 2 + 5 * 2)
        XCTAssertEqual(evaluator.measured.count, 12)
        let last = try XCTUnwrap(candidates.last { $0.architecture.blockChannels == [1, 16, 8] })
        XCTAssertEqual(last.cost.int8Bytes, 2500)
        XCTAssertEqual(last.proxyAccuracy, 0.8 - 15 * 0.001 - 8 * 0.002, accuracy: 1e-12)
        XCTAssertEqual(last.origin, "round 5")
        var chain: [[Int]] = []
        var current: SearchCandidate? = last
        while let candidate = current {
            chain.append(candidate.architecture.blockChannels ?? [])
            current = candidates.first { $0.key == candidate.parent }
        }
        XCTAssertEqual(chain.reversed(), [[], [8, 16, 16], [4, 16, 16], [2, 16, 16], [1, 16, 16], [1, 16, 8]])
        XCTAssertEqual(SearchBudget.bytes(3000).paretoFront(candidates).first, GreedySearchTests.key(width: 0.5))
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
