import CondenseCore

/// MobileNetV2 (Sandler et al., 2018) with torchvision's structure and names: `features` (stem, 17 inverted
/// residual blocks, last 1×1 conv), `classifier` (dropout 0.2, linear). Channels scale with the width multiplier
/// rounded to multiples of 8; inputs ≤ 64 px get a stride-1 stem.
public final class MobileNetV2: Module {
    public let features: Sequential
    public let classifier: Sequential

    /// (expansion t, channels c, repeats n, first stride s) of each stage, from the paper.
    static let stages = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                         (6, 320, 1, 1)]

    /// `blocksPerStage` replaces the stages' repeats (one count per stage).
    init(_ configuration: ModelConfiguration, blocksPerStage: [Int], plan: inout BlockChannelPlan, on backend: Backend,
         initializer: inout Initializer) throws {
        let width = configuration.width
        var channels = makeDivisible(32 * width)
        var layers: [Module] = [try convBN(configuration.inputChannels, channels, kernel: 3,
                                           stride: configuration.isSmallInput ? 1 : 2, activation: .relu6,
                                           on: backend, initializer: &initializer)]
        for ((expansion, c, _, firstStride), repeats) in zip(Self.stages, blocksPerStage) {
            let outChannels = makeDivisible(Double(c) * width)
            for index in 0..<repeats {
                let hidden = expansion == 1 ? channels : plan.take(default: channels * expansion)
                layers.append(try InvertedResidual(channels, outChannels, stride: index == 0 ? firstStride : 1,
                                                   expansion: expansion, hidden: hidden, on: backend,
                                                   initializer: &initializer))
                channels = outChannels
            }
        }
        let lastChannels = plan.take(default: makeDivisible(1280 * max(1, width)))
        layers.append(try convBN(channels, lastChannels, kernel: 1, activation: .relu6, on: backend,
                                 initializer: &initializer))
        features = Sequential(layers)
        classifier = Sequential([Dropout(0.2, seed: UInt32(truncatingIfNeeded: configuration.classes &* 7919)),
                                 try Linear(lastChannels, configuration.classes, weightStd: 0.01, on: backend,
                                            initializer: &initializer)])
    }

    override public var children: [(name: String, module: Module)] { [("features", features), ("classifier", classifier)] }

    override public func forward(_ x: Variable) throws -> Variable { try forwardWithFeatures(x).logits }
}

extension MobileNetV2: FeatureExtracting {
    /// The outputs of the last block before each change of resolution, and of the final 1×1 convolution.
    public func forwardWithFeatures(_ x: Variable) throws -> (logits: Variable, features: [Variable]) {
        var y = x, stages: [Variable] = []
        for layer in features.layers {
            let next = try layer(y)
            if let last = stages.last, last.shape.dims.suffix(2) == next.shape.dims.suffix(2) {
                stages[stages.count - 1] = next
            } else {
                stages.append(next)
            }
            y = next
        }
        return (try classifier(try globalAveragePool(y)), stages)
    }
}

/// MobileNetV2's block: 1×1 expansion to `hidden` channels (skipped when t = 1), 3×3 depthwise, 1×1 linear
/// projection, with a residual connection when the stride is 1 and the channels match. Named `conv.0`, `conv.1`, …
/// as torchvision. `hidden` is `inChannels × expansion` unless structured pruning made it smaller.
public final class InvertedResidual: Module {
    public let conv: Sequential
    public let usesResidual: Bool

    public init(_ inChannels: Int, _ outChannels: Int, stride: Int, expansion: Int, hidden: Int? = nil,
                on backend: Backend, initializer: inout Initializer) throws {
        try ModelLimits.checkChannels([inChannels, outChannels, expansion] + (hidden.map { [$0] } ?? []),
                                      op: "InvertedResidual")
        let hidden = hidden ?? inChannels * expansion
        try ModelLimits.checkChannels([hidden], op: "InvertedResidual")
        var layers: [Module] = []
        if expansion != 1 {
            layers.append(try convBN(inChannels, hidden, kernel: 1, activation: .relu6, on: backend,
                                     initializer: &initializer))
        }
        layers.append(try convBN(hidden, hidden, kernel: 3, stride: stride, groups: hidden, activation: .relu6,
                                 on: backend, initializer: &initializer))
        layers.append(try Conv2d(hidden, outChannels, kernel: 1, on: backend, initializer: &initializer))
        layers.append(try BatchNorm2d(outChannels, on: backend))
        conv = Sequential(layers)
        usesResidual = stride == 1 && inChannels == outChannels
    }

    override public var children: [(name: String, module: Module)] { [("conv", conv)] }

    override public func forward(_ x: Variable) throws -> Variable {
        let y = try conv(x)
        return usesResidual ? try add(x, y) : y
    }
}
