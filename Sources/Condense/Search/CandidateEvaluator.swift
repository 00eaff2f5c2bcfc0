/// What the search asks of the models, so that its loop runs the same on real training (`DistillationProxy`) and
/// on a deterministic stand-in in the tests.
public protocol CandidateEvaluator {
    /// Trains `architecture` briefly — from scratch for a grid point, from `parent`'s proxy weights for a refined
    /// candidate — and returns its exact cost and its proxy accuracy (on validation images).
    func measure(_ architecture: CandidateArchitecture, parent: SearchCandidate?) throws
        -> (cost: CandidateCost, proxyAccuracy: Double)

    /// The cost of `architecture` as built, before any training (the INT8 file of freshly initialized weights,
    /// calibrated): what a refinement round plans its proposals with. The trained candidate's cost, which
    /// `measure` returns, can differ by a few bytes.
    func cost(of architecture: CandidateArchitecture) throws -> CandidateCost

    /// The inner channel counts of `architecture`, one per channel group (`ModelConfiguration.blockChannels`
    /// order), as its model is built.
    func channelCounts(of architecture: CandidateArchitecture) throws -> [Int]

    /// The indices of `candidate`'s channel groups in the order a round should try shrinking them: the least harmful
    /// first, as the sensitivity of its proxy-trained model to removing `ratio` of a group's channels says (accuracy
    /// lost per parameter saved).
    func rankedGroups(of candidate: SearchCandidate, shrinking ratio: Double) throws -> [Int]

    /// The grid point refinement starts from, ready to be refined: NetAdapt starts from a trained network, so the
    /// real proxy replaces the grid point's briefly trained weights with its fully distilled student and measures
    /// that; by default the point as it is.
    func prepareStart(_ start: SearchCandidate) throws -> SearchCandidate
}

extension CandidateEvaluator {
    public func prepareStart(_ start: SearchCandidate) throws -> SearchCandidate { start }
}

/// The search's progress, for terminals.
public enum SearchEvent {
    /// Candidate `index` (from 1) of at most `limit` is being measured; `etaSeconds` estimates the rest of the
    /// candidate phase from the mean time per candidate so far (nil before the first).
    case measuring(index: Int, limit: Int, key: String, origin: String, etaSeconds: Double?)
    case measured(SearchCandidate)
    /// Measured by an earlier run in the same folder and kept.
    case resumed(SearchCandidate)
    case note(String)
}
