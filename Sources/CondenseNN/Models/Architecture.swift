/// A model family `ModelConfiguration.build` knows, by the name checkpoints, `run.json` and the command line use.
public enum Architecture: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    /// CIFAR ResNets (3 stages of basic blocks, He et al. 2016): 3 and 9 blocks per stage.
    case resnet20, resnet56
    /// torchvision's ImageNet ResNets: basic blocks [2, 2, 2, 2] and bottlenecks [3, 4, 6, 3].
    case resnet18, resnet50
    /// torchvision's MobileNetV2.
    case mobilenetv2

    public var description: String { rawValue }
}
