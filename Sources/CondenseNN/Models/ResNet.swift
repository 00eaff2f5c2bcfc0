import CondenseCore

/// ResNet-18/50 (He et al., 2016) with torchvision's structure and names (`conv1`, `bn1`, `layer1`…`layer4`, `fc`;
/// bottleneck stride on the 3×3 conv, as torchvision's v1.5). Inputs ≤ 64 px get a 3×3 stride-1 stem and no
/// max-pool; larger ones the 7×7 stride-2 stem and 3×3 max-pool.
public final class ResNet: Module {
    let stem: [(String, Module)]
    let layers: [Sequential]
    let fc: Linear

    init(layers counts: [Int], bottleneck: Bool, _ configuration: ModelConfiguration, plan: inout BlockChannelPlan,
         on backend: Backend, initializer: inout Initializer) throws {
        let small = configuration.isSmallInput
        let base = max(1, Int((64 * configuration.width).rounded()))
        let conv1 = try Conv2d(configuration.inputChannels, base, kernel: small ? 3 : 7, stride: small ? 1 : 2,
                               padding: small ? 1 : 3, on: backend, initializer: &initializer)
        var stem: [(String, Module)] = [("conv1", conv1), ("bn1", try BatchNorm2d(base, activation: .relu, on: backend))]
        if !small { stem.append(("maxpool", MaxPool2d(kernel: 3, stride: 2, padding: 1))) }
        self.stem = stem
        let expansion = bottleneck ? 4 : 1
        var inChannels = base
        var stages: [Sequential] = []
        for (stage, count) in counts.enumerated() {
            let planes = base << stage
            var blocks: [Module] = []
            for index in 0..<count {
                let stride = index == 0 && stage > 0 ? 2 : 1
                let inner = (0..<(bottleneck ? 2 : 1)).map { _ in plan.take(default: planes) }
                blocks.append(try ResidualBlock(inChannels, planes, expansion: expansion, stride: stride, inner: inner,
                                                on: backend, initializer: &initializer))
                inChannels = planes * expansion
            }
            stages.append(Sequential(blocks))
        }
        layers = stages
        fc = try Linear(inChannels, configuration.classes, on: backend, initializer: &initializer)
    }

    override public var children: [(name: String, module: Module)] {
        stem + layers.enumerated().map { ("layer\($0.offset + 1)", $0.element) } + [("fc", fc)]
    }

    override public func forward(_ x: Variable) throws -> Variable { try forwardWithFeatures(x).logits }
}

extension ResNet: FeatureExtracting {
    public func forwardWithFeatures(_ x: Variable) throws -> (logits: Variable, features: [Variable]) {
        var y = x, features: [Variable] = []
        for (_, module) in stem { y = try module(y) }
        for layer in layers {
            y = try layer(y)
            features.append(y)
        }
        return (try fc(try globalAveragePool(y)), features)
    }
}

/// The CIFAR ResNets of He et al. §4.2 (resnet20: 3 blocks per stage, resnet56: 9; `blocksPerStage` gives each
/// stage's count, so [1, 1, 1] builds a ResNet-8 and [2, 2, 2] a ResNet-14): a 3×3 stem of 16·width
/// channels, three stages of basic blocks at 16, 32, 64 (× width) channels, projection shortcuts (1×1 conv + BN,
/// option B) where the shape changes, global pooling and a linear classifier. Names as the ImageNet ResNets.
public final class CIFARResNet: Module {
    let conv1: Conv2d
    let bn1: BatchNorm2d
    let layers: [Sequential]
    let fc: Linear

    init(blocksPerStage: [Int], _ configuration: ModelConfiguration, plan: inout BlockChannelPlan, on backend: Backend,
         initializer: inout Initializer) throws {
        let base = max(1, Int((16 * configuration.width).rounded()))
        conv1 = try Conv2d(configuration.inputChannels, base, kernel: 3, padding: 1, on: backend,
                           initializer: &initializer)
        bn1 = try BatchNorm2d(base, activation: .relu, on: backend)
        var inChannels = base
        var stages: [Sequential] = []
        for stage in 0..<3 {
            let planes = base << stage
            var blocks: [Module] = []
            for index in 0..<blocksPerStage[stage] {
                blocks.append(try ResidualBlock(inChannels, planes, expansion: 1,
                                                stride: index == 0 && stage > 0 ? 2 : 1,
                                                inner: [plan.take(default: planes)], on: backend,
                                                initializer: &initializer))
                inChannels = planes
            }
            stages.append(Sequential(blocks))
        }
        layers = stages
        fc = try Linear(inChannels, configuration.classes, on: backend, initializer: &initializer)
    }

    override public var children: [(name: String, module: Module)] {
        [("conv1", conv1), ("bn1", bn1)] + layers.enumerated().map { ("layer\($0.offset + 1)", $0.element) } + [("fc", fc)]
    }

    override public func forward(_ x: Variable) throws -> Variable { try forwardWithFeatures(x).logits }
}

extension CIFARResNet: FeatureExtracting {
    public func forwardWithFeatures(_ x: Variable) throws -> (logits: Variable, features: [Variable]) {
        var y = try bn1(try conv1(x)), features: [Variable] = []
        for layer in layers {
            y = try layer(y)
            features.append(y)
        }
        return (try fc(try globalAveragePool(y)), features)
    }
}

/// A residual block: basic (two 3×3 convs, expansion 1) or bottleneck (1×1, 3×3, 1×1 ×4), each conv followed by
/// batch norm, ReLU after the sum, and a `downsample` projection (1×1 conv + BN) where the shape changes. `inner`
/// gives the inner convs' output channels (basic: `conv1`'s; bottleneck: `conv1`'s and `conv2`'s), `planes` each
/// unless structured pruning made them smaller.
public final class ResidualBlock: Module {
    let body: [(String, Module)]
    let downsample: Sequential?

    public init(_ inChannels: Int, _ planes: Int, expansion: Int, stride: Int, inner: [Int]? = nil,
                on backend: Backend, initializer: inout Initializer) throws {
        try ModelLimits.checkChannels([inChannels, planes, expansion] + (inner ?? []), op: "ResidualBlock")
        let outChannels = planes * expansion
        try ModelLimits.checkChannels([outChannels], op: "ResidualBlock")
        let first = inner?.first ?? planes, second = inner?.dropFirst().first ?? planes
        if expansion == 1 {
            body = [("conv1", try Conv2d(inChannels, first, kernel: 3, stride: stride, padding: 1, on: backend,
                                         initializer: &initializer)),
                    ("bn1", try BatchNorm2d(first, activation: .relu, on: backend)),
                    ("conv2", try Conv2d(first, planes, kernel: 3, padding: 1, on: backend, initializer: &initializer)),
                    ("bn2", try BatchNorm2d(planes, on: backend))]
        } else {
            body = [("conv1", try Conv2d(inChannels, first, kernel: 1, on: backend, initializer: &initializer)),
                    ("bn1", try BatchNorm2d(first, activation: .relu, on: backend)),
                    ("conv2", try Conv2d(first, second, kernel: 3, stride: stride, padding: 1, on: backend,
                                         initializer: &initializer)),
                    ("bn2", try BatchNorm2d(second, activation: .relu, on: backend)),
                    ("conv3", try Conv2d(second, outChannels, kernel: 1, on: backend, initializer: &initializer)),
                    ("bn3", try BatchNorm2d(outChannels, on: backend))]
        }
        downsample = stride != 1 || inChannels != outChannels
            ? Sequential([try Conv2d(inChannels, outChannels, kernel: 1, stride: stride, on: backend,
                                     initializer: &initializer),
                          try BatchNorm2d(outChannels, on: backend)])
            : nil
    }

    override public var children: [(name: String, module: Module)] {
        body + (downsample.map { [("downsample", $0)] } ?? [])
    }

    override public func forward(_ x: Variable) throws -> Variable {
        var y = x
        for (_, module) in body { y = try module(y) }
        return try activation(.relu, try add(y, try downsample?(x) ?? x))
    }
}
