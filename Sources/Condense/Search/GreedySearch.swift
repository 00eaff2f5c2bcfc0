import CondenseNN
import CondenseCore

/// How the candidates are chosen: the grid of widths, then the greedy refinement's rounds.
public struct GreedySearchOptions: Sendable {
    /// The student family and the width multipliers of the grid.
    public var architecture: Architecture
    public var widths: [Double]
    /// Channel groups tried per refinement round (the least sensitive ones).
    public var proposalsPerRound = 3
    /// The fraction of a group's channels one proposal removes.
    public var shrinkRatio = 0.5
    /// Candidates measured at most, grid and refinement together (a resumed one counts); `SearchSettings.trials`.
    public var trials = 60
    /// Refinement starts only from a grid point whose cost is at most this multiple of the budget (each round
    /// halves one group, so a start far over the budget needs many rounds).
    public var maximumStartFactor = 4.0

    public init(architecture: Architecture, widths: [Double]) {
        self.architecture = architecture
        self.widths = widths
    }
}

/// The budgeted search's loop, in the spirit of NetAdapt (Yang et al., 2018): every width of the grid is measured
/// (a short distillation from scratch gives its proxy accuracy); then, from the most accurate grid point over the
/// budget (within `maximumStartFactor` of it, made ready by the evaluator's `prepareStart`), each round proposes shrinking each of the `proposalsPerRound` least
/// sensitive channel groups by `shrinkRatio`, measures every proposal (pruned from the parent's proxy weights and
/// fine-tuned briefly), and keeps the one that loses the least proxy accuracy per unit of cost saved, until a
/// candidate fits the budget, the trials run out or `shouldStop` says the time is up. Candidates an earlier run
/// measured (`known`) are reused, not retrained, so a rerun continues where one stopped.
public final class GreedySearch {
    public let budget: SearchBudget
    public let options: GreedySearchOptions
    private let evaluator: CandidateEvaluator
    private var known: [String: SearchCandidate]
    private let shouldStop: () -> Bool
    private let progress: (SearchEvent) -> Void
    /// Every candidate of this search, in the order measured.
    public private(set) var candidates: [SearchCandidate] = []
    private var measuringSeconds = 0.0, measuredHere = 0

    public init(budget: SearchBudget, options: GreedySearchOptions, evaluator: CandidateEvaluator,
                known: [SearchCandidate] = [], shouldStop: @escaping () -> Bool = { false },
                progress: @escaping (SearchEvent) -> Void = { _ in }) {
        self.budget = budget
        self.options = options
        self.evaluator = evaluator
        self.known = Dictionary(known.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        self.shouldStop = shouldStop
        self.progress = progress
    }

    /// Runs the grid and the refinement; returns every candidate measured (also in `candidates`).
    @discardableResult
    public func run() throws -> [SearchCandidate] {
        var grid: [SearchCandidate] = []
        for width in options.widths {
            guard let candidate = try measure(CandidateArchitecture(architecture: options.architecture, width: width),
                                              parent: nil, origin: "grid") else { return candidates }
            grid.append(candidate)
        }
        let starts = grid.filter {
            !budget.admits($0.cost) && budget.amount(of: $0.cost) <= options.maximumStartFactor * budget.limit
        }
        guard let start = starts.max(by: { $0.proxyAccuracy < $1.proxyAccuracy }) else {
            if !grid.contains(where: { budget.admits($0.cost) }) {
                progress(.note("no grid point lies within \(options.maximumStartFactor)× the budget: nothing to refine"))
            }
            return candidates
        }
        let prepared = try evaluator.prepareStart(start)
        if prepared != start {
            candidates[candidates.firstIndex { $0.key == start.key }!] = prepared
            progress(.measured(prepared))
        }
        try refine(from: prepared)
        return candidates
    }

    /// The greedy refinement alone, from `start` (a measured candidate whose proxy weights the evaluator can load):
    /// rounds until a candidate fits, the trials run out or the time is up. Returns the last candidate kept (the one
    /// that fits, when one does).
    @discardableResult
    public func refine(from start: SearchCandidate) throws -> SearchCandidate {
        if !candidates.contains(where: { $0.key == start.key }) { candidates.append(start) }
        var current = start
        var round = 1
        while !budget.admits(current.cost) {
            var proposals: [SearchCandidate] = []
            let counts = try evaluator.channelCounts(of: current.architecture)
            let groups = try evaluator.rankedGroups(of: current, shrinking: options.shrinkRatio)
                .filter { counts[$0] > 1 }.prefix(options.proposalsPerRound)
            for group in groups {
                var shrunk = counts
                shrunk[group] = Self.shrunkCount(counts[group], ratio: options.shrinkRatio)
                var architecture = current.architecture
                architecture.blockChannels = shrunk
                guard let proposal = try measure(architecture, parent: current, origin: "round \(round)") else {
                    return current
                }
                proposals.append(proposal)
            }
            guard let best = proposals.min(by: { score($0, from: current) < score($1, from: current) }) else {
                progress(.note("no channel group of \(current.key) can shrink further: refinement ends over budget"))
                return current
            }
            current = best
            round += 1
        }
        return current
    }

    /// The channels left when `ratio` of `count` are removed: at least one removed, at least one kept.
    public static func shrunkCount(_ count: Int, ratio: Double) -> Int {
        max(1, count - max(1, Int((Double(count) * ratio).rounded())))
    }

    /// How a proposal ranks (lower is better): proxy accuracy lost per unit of budgeted cost saved (infinite when
    /// nothing is saved), then — between equal losses, as when nothing is lost — the larger saving.
    private func score(_ proposal: SearchCandidate, from parent: SearchCandidate) -> (Double, Double) {
        let saved = budget.amount(of: parent.cost) - budget.amount(of: proposal.cost)
        guard saved > 0 else { return (.infinity, 0) }
        return (max(parent.proxyAccuracy - proposal.proxyAccuracy, 0) / saved, -saved)
    }

    /// Measures one candidate (or reuses an earlier run's measurement); nil when the trials or the time are spent.
    private func measure(_ architecture: CandidateArchitecture, parent: SearchCandidate?,
                         origin: String) throws -> SearchCandidate? {
        if let existing = candidates.first(where: { $0.key == architecture.key }) { return existing }
        guard candidates.count < options.trials else {
            progress(.note("all \(options.trials) trials are spent"))
            return nil
        }
        if let earlier = known[architecture.key] {
            candidates.append(earlier)
            progress(.resumed(earlier))
            return earlier
        }
        guard !shouldStop() else {
            progress(.note("the time limit is reached: the search ends with the candidates measured so far"))
            return nil
        }
        let eta = measuredHere > 0
            ? measuringSeconds / Double(measuredHere) * Double(options.trials - candidates.count) : nil
        progress(.measuring(index: candidates.count + 1, limit: options.trials, key: architecture.key, origin: origin,
                            etaSeconds: eta))
        let start = Stopwatch.now()
        let (cost, accuracy) = try evaluator.measure(architecture, parent: parent)
        let seconds = Stopwatch.now() - start
        measuringSeconds += seconds
        measuredHere += 1
        let candidate = SearchCandidate(architecture: architecture, parent: parent?.key, origin: origin, cost: cost,
                                        proxyAccuracy: accuracy, wallSeconds: seconds)
        candidates.append(candidate)
        progress(.measured(candidate))
        return candidate
    }
}
