import CondenseCompress
import CondenseCore
import CondenseNN

/// What `condense search` does: the budget, the student family and its grid of widths and depths, how many candidates and how
/// much time it may spend, the proxy, and the full training of the best candidates (the `condense run` recipe:
/// distillation, pruning fine-tune, QAT). Saved in `search.json`, so a rerun in the same folder continues the same
/// search and refuses a different one.
public struct SearchSettings: Equatable, Sendable {
    public var budget: SearchBudget
    public var architecture = Architecture.mobilenetv2
    /// The grid of width multipliers (nil: the family's default, `defaultWidths`).
    public var widths: [Double]?
    /// The grid's depths, blocks per stage (nil: the family's default, `defaultDepths`).
    public var depths: [[Int]]?
    /// Candidates measured at most: at 100 kB on BloodMNIST the refinement with per-round targets from the halved-
    /// depth width-0.35 grid point (3.6× the budget) reached the budget at the 27th candidate; halving one channel
    /// group per round had needed 48 (Benchmarks/RESULTS.md).
    public var trials = 60
    /// Wall-clock minutes for the candidate phase (nil: no limit). When they are spent the search ends with the
    /// candidates measured so far and trains only the best of them fully.
    public var timeLimitMinutes: Double?
    public var proposalsPerRound = 3
    /// The sensitivity probe that ranks a round's channel groups (`GreedySearchOptions.sensitivityRatio`).
    public var sensitivityRatio = 0.5
    /// Each round's target reduction (`GreedySearchOptions.roundReduction`, `minimumRoundReduction` and
    /// `landingMargin`).
    public var roundReduction = 0.5
    public var minimumRoundReduction = 0.1
    public var landingMargin = 0.02
    public var proxy = ProxySettings()
    /// Candidates within the budget trained fully and scored on the test split (best proxy accuracy first).
    public var fullyTrained = 3
    /// The full training, as `PipelineSettings`' defaults: distillation epochs of each width's student, KD
    /// fine-tuning epochs after pruning to a candidate's channels, QAT epochs.
    public var studentEpochs = PipelineSettings().studentEpochs
    public var pruneEpochs = PipelineSettings().pruneEpochs
    public var qatEpochs = PipelineSettings().qatEpochs
    public var seed: UInt64 = 0

    public init(budget: SearchBudget) { self.budget = budget }

    /// The grid's widths.
    public var gridWidths: [Double] { widths ?? Self.defaultWidths(architecture) }

    /// The default grid: MobileNetV2 at 0.25, 0.35 and 0.5 (the `condense run` student is 0.35), the ResNets at
    /// 0.25, 0.5 and 1.
    public static func defaultWidths(_ architecture: Architecture) -> [Double] {
        architecture == .mobilenetv2 ? [0.25, 0.35, 0.5] : [0.25, 0.5, 1]
    }

    /// The grid's depths, nil for the family's own (so that its keys and checkpoints stay those of the family).
    public var gridDepths: [[Int]?] {
        let own = ModelConfiguration.defaultBlocksPerStage(architecture)
        return (depths ?? Self.defaultDepths(architecture)).map { $0 == own ? nil : $0 }
    }

    /// The default depths: the family's own, then halved (each stage's blocks, rounded up) — for MobileNetV2
    /// [1, 2, 3, 4, 3, 3, 1] and [1, 1, 2, 2, 2, 2, 1]; for the ResNets twice, so resnet20's grid holds ResNet-20,
    /// -14 and -8 ([3, 3, 3], [2, 2, 2], [1, 1, 1]).
    public static func defaultDepths(_ architecture: Architecture) -> [[Int]] {
        var depths = [ModelConfiguration.defaultBlocksPerStage(architecture)]
        for _ in 0..<(architecture == .mobilenetv2 ? 1 : 2) {
            let halved = depths.last!.map { ($0 + 1) / 2 }
            if halved != depths.last! { depths.append(halved) }
        }
        return depths
    }

    /// The settings as `search.json` records them, compared on resume.
    var recorded: [String: String] {
        [budget.key: "\(budget.limit)", "student": architecture.rawValue,
         "widths": gridWidths.map { "\($0)" }.joined(separator: ","),
         "depths": (depths ?? Self.defaultDepths(architecture)).map { $0.map(String.init).joined(separator: ",") }
            .joined(separator: ";"),
         "proposals_per_round": "\(proposalsPerRound)", "sensitivity_ratio": "\(sensitivityRatio)",
         "round_reduction": "\(roundReduction)", "minimum_round_reduction": "\(minimumRoundReduction)",
         "landing_margin": "\(landingMargin)", "proxy_training_images": "\(proxy.trainingImages)",
         "proxy_validation_images": "\(proxy.validationImages)", "proxy_epochs": "\(proxy.epochs)",
         "student_epochs": "\(studentEpochs)", "prune_epochs": "\(pruneEpochs)", "qat_epochs": "\(qatEpochs)",
         "seed": "\(seed)"]
    }
}
