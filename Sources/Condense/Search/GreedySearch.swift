import CondenseNN
import CondenseCore

/// How the candidates are chosen: the grid of widths and depths, then the greedy refinement's rounds.
public struct GreedySearchOptions: Sendable {
    /// The student family and the width multipliers of the grid.
    public var architecture: Architecture
    public var widths: [Double]
    /// The depths of the grid, blocks per stage (nil: the family's own); every width is measured at every depth.
    public var depths: [[Int]?] = [nil]
    /// Channel groups tried per refinement round (the least sensitive ones).
    public var proposalsPerRound = 3
    /// The fraction of a group's channels the sensitivity analysis that ranks the groups removes.
    public var sensitivityRatio = 0.5
    /// The share of what the current candidate is over the budget that one round removes (NetAdapt's per-round
    /// resource reduction; as the excess shrinks, so does each round's target, geometrically).
    public var roundReduction = 0.5
    /// The least a round removes, as a share of the budget (so late rounds are not tiny), unless the excess and the
    /// landing margin are smaller still.
    public var minimumRoundReduction = 0.1
    /// How far under the budget a round that can reach it aims, as a share of the budget: a trained model's INT8
    /// file can come out a few bytes per layer larger than planned (a bias that no longer fits int16), and latency
    /// varies between measurements.
    public var landingMargin = 0.02
    /// Candidates measured at most, grid and refinement together (a resumed one counts); `SearchSettings.trials`.
    public var trials = 60
    /// Refinement starts from the most accurate grid point whose cost is at most this multiple of the budget; when
    /// there is none and no grid point fits, from the cheapest one.
    public var maximumStartFactor = 4.0

    public init(architecture: Architecture, widths: [Double]) {
        self.architecture = architecture
        self.widths = widths
    }

    /// The grid's points: every width at the first depth, then at the next.
    public var grid: [CandidateArchitecture] {
        depths.flatMap { depth in
            widths.map { CandidateArchitecture(architecture: architecture, width: $0, blocksPerStage: depth) }
        }
    }
}

/// The budgeted search's loop, in the spirit of NetAdapt (Yang et al., 2018): every point of the grid (widths ×
/// depths) is measured (a short distillation from scratch gives its proxy accuracy); then, from the most accurate
/// grid point over the budget (within `maximumStartFactor` of it, else the cheapest when none fits; made ready by
/// the evaluator's `prepareStart`),
/// each round sets a target reduction — `roundReduction` of the excess over the budget, at least
/// `minimumRoundReduction` of the budget, the last one (once what remains is below that minimum) `landingMargin`
/// under it — and proposes, for each of the `proposalsPerRound` least sensitive channel
/// groups, the fewest channels removed from that group alone that reach the target (planned with the evaluator's
/// cost of the untrained architecture, linear in the group's channels). It measures every proposal (pruned from the
/// parent's proxy weights and fine-tuned briefly) and keeps the one that loses the least proxy accuracy per unit of
/// cost saved — preferring those that reach the target — until a candidate fits the budget, the trials run out or
/// `shouldStop` says the time is up. Candidates an earlier run measured (`known`) are reused, not retrained, so a
/// rerun continues where one stopped.
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
    private var plannedCosts: [String: Double] = [:]

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
        for point in options.grid {
            guard let candidate = try measure(point, parent: nil, origin: "grid") else { return candidates }
            grid.append(candidate)
        }
        let over = grid.filter { !budget.admits($0.cost) }
        let near = over.filter { budget.amount(of: $0.cost) <= options.maximumStartFactor * budget.limit }
        let fallback = grid.contains { budget.admits($0.cost) } ? nil
            : over.min { budget.amount(of: $0.cost) < budget.amount(of: $1.cost) }
        guard let start = near.max(by: { $0.proxyAccuracy < $1.proxyAccuracy }) ?? fallback else { return candidates }
        if near.isEmpty {
            progress(.note("no grid point lies within \(options.maximumStartFactor)× the budget: refining the " +
                           "cheapest, \(start.key)"))
        }
        guard candidates.count < options.trials else {
            progress(.note("all \(options.trials) trials are spent on the grid"))
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
            let counts = try evaluator.channelCounts(of: current.architecture)
            let target = reductionTarget(from: budget.amount(of: current.cost))
            let groups = try evaluator.rankedGroups(of: current, shrinking: options.sensitivityRatio)
                .filter { counts[$0] > 1 }.prefix(options.proposalsPerRound)
            var proposals: [(candidate: SearchCandidate, reachesTarget: Bool)] = []
            for group in groups {
                guard let plan = try channelsKept(in: group, of: current.architecture, counts: counts, saving: target)
                else { continue }
                var architecture = current.architecture
                architecture.blockChannels = counts
                architecture.blockChannels![group] = plan.kept
                guard let proposal = try measure(architecture, parent: current, origin: "round \(round)") else {
                    return current
                }
                proposals.append((proposal, plan.reachesTarget))
            }
            guard let best = proposals.min(by: { score($0, from: current) < score($1, from: current) }) else {
                progress(.note("no channel group of \(current.key) can shrink further: refinement ends over budget"))
                return current
            }
            current = best.candidate
            round += 1
        }
        return current
    }

    /// The budgeted amount a round from a candidate costing `amount` should remove: `roundReduction` of the excess
    /// over the budget, at least `minimumRoundReduction` of the budget; and all of the excess and the
    /// `landingMargin` when that is less, or when what would remain after this round is less than that minimum (so
    /// that no tiny last round follows).
    public func reductionTarget(from amount: Double) -> Double {
        let excess = amount - budget.limit
        let landing = excess + options.landingMargin * budget.limit
        let minimum = options.minimumRoundReduction * budget.limit
        let target = max(options.roundReduction * excess, minimum)
        return landing - target < minimum ? landing : target
    }

    /// The channels `group` keeps in the proposal that saves `target` by that group alone: the group's cost per
    /// channel is the planned cost's drop from its `counts[group]` channels to one, and the fewest channels that
    /// reach the target are removed (at least one; at most all but one, and then the proposal falls short of the
    /// target). Nil when removing the group's channels saves nothing.
    private func channelsKept(in group: Int, of architecture: CandidateArchitecture, counts: [Int],
                              saving target: Double) throws -> (kept: Int, reachesTarget: Bool)? {
        var whole = architecture
        whole.blockChannels = counts
        var single = whole
        single.blockChannels![group] = 1
        let perChannel = (try plannedCost(whole) - (try plannedCost(single))) / Double(counts[group] - 1)
        guard perChannel > 0 else { return nil }
        let removed = max(1, Int((target / perChannel).rounded(.up)))
        return (max(1, counts[group] - removed), removed < counts[group])
    }

    /// The evaluator's cost of the untrained `architecture`, in the budget's unit, computed once per architecture.
    private func plannedCost(_ architecture: CandidateArchitecture) throws -> Double {
        if let cost = plannedCosts[architecture.key] { return cost }
        let cost = budget.amount(of: try evaluator.cost(of: architecture))
        plannedCosts[architecture.key] = cost
        return cost
    }

    /// The channels left when `ratio` of `count` are removed: at least one removed, at least one kept.
    public static func shrunkCount(_ count: Int, ratio: Double) -> Int {
        max(1, count - max(1, Int((Double(count) * ratio).rounded())))
    }

    /// How a proposal ranks (lower is better): one that reaches the round's target before one that falls short,
    /// then proxy accuracy lost per unit of budgeted cost saved (infinite when nothing is saved), then — between
    /// equal losses, as when nothing is lost — the larger saving.
    private func score(_ proposal: (candidate: SearchCandidate, reachesTarget: Bool),
                       from parent: SearchCandidate) -> (Int, Double, Double) {
        let saved = budget.amount(of: parent.cost) - budget.amount(of: proposal.candidate.cost)
        guard saved > 0 else { return (1, .infinity, 0) }
        return (proposal.reachesTarget ? 0 : 1,
                max(parent.proxyAccuracy - proposal.candidate.proxyAccuracy, 0) / saved, -saved)
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
