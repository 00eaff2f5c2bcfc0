import CondenseCore

/// What a model is built for: architecture, width multiplier, classes and input shape. Stored in checkpoints so a
/// checkpoint alone rebuilds its model.
public struct ModelConfiguration: Equatable, Sendable {
    public var architecture: Architecture
    public var width: Double
    public var classes: Int
    public var inputChannels: Int
    public var imageSize: Int
    /// Channel counts of the blocks' inner layers after structured pruning, in model order (nil: as the width
    /// gives). One per prunable layer: MobileNetV2's expanded (hidden) width of each inverted residual with an
    /// expansion (16 blocks), then its last 1×1 conv's outputs; a basic block's `conv1` outputs; a bottleneck's
    /// `conv1` and `conv2` outputs (two). Residual widths never change, so the blocks' inputs and outputs keep the
    /// width's counts.
    public var blockChannels: [Int]?
    /// Blocks of each stage, for a shallower (or deeper) model of the family (nil: the architecture's own,
    /// `defaultBlocksPerStage`): MobileNetV2's inverted-residual repeats of its 7 stages, a CIFAR ResNet's basic
    /// blocks in each of its 3 stages (resnet20's [3, 3, 3]; [1, 1, 1] is a ResNet-8), an ImageNet ResNet's 4 stages.
    /// Each stage keeps at least one block, which carries the stage's stride.
    public var blocksPerStage: [Int]?

    public init(architecture: Architecture, width: Double = 1, classes: Int, inputChannels: Int = 3, imageSize: Int = 28,
                blockChannels: [Int]? = nil, blocksPerStage: [Int]? = nil) {
        self.architecture = architecture
        self.width = width
        self.classes = classes
        self.inputChannels = inputChannels
        self.imageSize = imageSize
        self.blockChannels = blockChannels
        self.blocksPerStage = blocksPerStage
    }

    /// The blocks of each stage the architecture is defined with.
    public static func defaultBlocksPerStage(_ architecture: Architecture) -> [Int] {
        switch architecture {
        case .resnet20: [3, 3, 3]
        case .resnet56: [9, 9, 9]
        case .resnet18: [2, 2, 2, 2]
        case .resnet50: [3, 4, 6, 3]
        case .mobilenetv2: MobileNetV2.stages.map(\.2)
        }
    }

    /// The blocks of each stage this model is built with.
    public var stageDepths: [Int] { blocksPerStage ?? Self.defaultBlocksPerStage(architecture) }

    /// Small inputs (≤ 64 px) get a stride-1 3×3 stem and no stem max-pool, as MedMNIST and CIFAR models do.
    public var isSmallInput: Bool { imageSize <= 64 }

    /// The model, initialized deterministically from `seed` as torchvision initializes it.
    ///
    /// - Throws: `CondenseError.invalidArgument` when `validate()` finds a field outside `ModelLimits`, or when
    ///   `blockChannels` does not give one count per prunable inner layer.
    public func build(on backend: Backend, seed: UInt64 = 0) throws -> Module {
        do {
            try validate()
        } catch let invalid as InvalidField {
            throw CondenseError.invalidArgument(op: "model", invalid.description)
        }
        var initializer = Initializer(seed: seed)
        let depths = stageDepths
        let stageCount = Self.defaultBlocksPerStage(architecture).count
        guard depths.count == stageCount else {
            throw CondenseError.invalidArgument(op: "model", "blocks_per_stage \(depths.abbreviatedDescription) should " +
                                                "be \(stageCount) counts, one per stage of \(architecture)")
        }
        var plan = BlockChannelPlan(blockChannels)
        let model: Module
        switch architecture {
        case .resnet20, .resnet56:
            model = try CIFARResNet(blocksPerStage: depths, self, plan: &plan, on: backend, initializer: &initializer)
        case .resnet18: model = try ResNet(layers: depths, bottleneck: false, self, plan: &plan, on: backend,
                                            initializer: &initializer)
        case .resnet50: model = try ResNet(layers: depths, bottleneck: true, self, plan: &plan, on: backend,
                                            initializer: &initializer)
        case .mobilenetv2: model = try MobileNetV2(self, blocksPerStage: depths, plan: &plan, on: backend,
                                                   initializer: &initializer)
        }
        try plan.finish(architecture)
        return model
    }
}

/// Channels scaled by a width multiplier and rounded to a multiple of `divisor`, never more than 10% below the
/// scaled value (torchvision's `_make_divisible`).
public func makeDivisible(_ value: Double, divisor: Int = 8) -> Int {
    let rounded = max(divisor, Int(value + Double(divisor) / 2) / divisor * divisor)
    return Double(rounded) < 0.9 * value ? rounded + divisor : rounded
}

/// Conv → BatchNorm with a fused activation, named `0` and `1` as torchvision's `Conv2dNormActivation`.
func convBN(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, groups: Int = 1,
            activation: Activation, on backend: Backend, initializer: inout Initializer) throws -> Sequential {
    Sequential([
        try Conv2d(inChannels, outChannels, kernel: kernel, stride: stride, padding: (kernel - 1) / 2, groups: groups,
                   on: backend, initializer: &initializer),
        try BatchNorm2d(outChannels, activation: activation, on: backend),
    ])
}
