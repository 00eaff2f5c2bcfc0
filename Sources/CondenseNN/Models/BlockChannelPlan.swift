import CondenseCore

/// The inner channel counts a model's blocks are built with: `ModelConfiguration.blockChannels` taken in model
/// order, or each block's default (from the width) when the configuration gives none.
struct BlockChannelPlan {
    private let counts: [Int]?
    private var taken = 0

    init(_ counts: [Int]?) { self.counts = counts }

    /// The next inner layer's channel count.
    mutating func take(default value: Int) -> Int {
        defer { taken += 1 }
        guard let counts, taken < counts.count else { return value }
        return counts[taken]
    }

    /// Throws unless the configuration gave exactly one positive count per inner layer the model has.
    func finish(_ architecture: Architecture) throws {
        guard let counts else { return }
        guard counts.count == taken, counts.allSatisfy({ $0 >= 1 }) else {
            throw CondenseError.invalidArgument(op: "model", "block_channels \(counts.abbreviatedDescription) should be \(taken) positive " +
                                                "counts, one per prunable inner layer of \(architecture)")
        }
    }
}
