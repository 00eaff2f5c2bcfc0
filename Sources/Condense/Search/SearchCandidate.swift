import CondenseNN

/// A student architecture the search considers: a family at a width multiplier and a depth (blocks per stage), with
/// the inner channel counts that pruning left (`ModelConfiguration.blockChannels`; nil: the width's own).
public struct CandidateArchitecture: Codable, Hashable, Sendable {
    public var architecture: Architecture
    public var width: Double
    /// Blocks of each stage (`ModelConfiguration.blocksPerStage`; nil: the family's own depth).
    public var blocksPerStage: [Int]?
    public var blockChannels: [Int]?

    public init(architecture: Architecture, width: Double, blocksPerStage: [Int]? = nil, blockChannels: [Int]? = nil) {
        self.architecture = architecture
        self.width = width
        self.blocksPerStage = blocksPerStage
        self.blockChannels = blockChannels
    }

    /// The grid point this candidate was refined from (or itself): the same family, width and depth at the width's
    /// own channel counts.
    public var gridPoint: CandidateArchitecture {
        CandidateArchitecture(architecture: architecture, width: width, blocksPerStage: blocksPerStage)
    }

    /// A name unique to the architecture, usable as a file name: `mobilenetv2-w0.35` for a grid point at the
    /// family's depth, `resnet20-w0.5-d1.1.1` at another depth, then `-c` and a hash of the channel counts for a
    /// refined one.
    public var key: String {
        let base = "\(architecture.rawValue)-w\(width)"
            + (blocksPerStage.map { "-d" + $0.map(String.init).joined(separator: ".") } ?? "")
        guard let blockChannels else { return base }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a over the counts
        for count in blockChannels {
            hash = (hash ^ UInt64(count)) &* 0x0000_0100_0000_01B3
        }
        return base + "-c" + String(hash, radix: 36)
    }

    enum CodingKeys: String, CodingKey {
        case architecture, width
        case blocksPerStage = "blocks_per_stage"
        case blockChannels = "block_channels"
    }
}

/// One measured candidate: its architecture, where it came from, its exact cost and its proxy accuracy.
public struct SearchCandidate: Codable, Equatable, Sendable {
    public var architecture: CandidateArchitecture
    /// The refined candidate's parent (nil for a grid point).
    public var parent: String?
    /// `grid`, or `round N` of the greedy refinement.
    public var origin: String
    public var cost: CandidateCost
    /// Validation accuracy after the short distillation fine-tune (the proxy; never the test split).
    public var proxyAccuracy: Double
    /// Seconds the measurement took.
    public var wallSeconds: Double

    public init(architecture: CandidateArchitecture, parent: String?, origin: String, cost: CandidateCost,
                proxyAccuracy: Double, wallSeconds: Double) {
        self.architecture = architecture
        self.parent = parent
        self.origin = origin
        self.cost = cost
        self.proxyAccuracy = proxyAccuracy
        self.wallSeconds = wallSeconds
    }

    public var key: String { architecture.key }

    enum CodingKeys: String, CodingKey {
        case architecture, parent, origin, cost
        case proxyAccuracy = "proxy_accuracy"
        case wallSeconds = "wall_s"
    }
}
