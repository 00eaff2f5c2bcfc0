/// A model that also returns the feature maps at the end of each resolution stage (for attention transfer):
/// ResNets after each `layerK`, MobileNetV2 after the last block of each stage.
public protocol FeatureExtracting: Module {
    func forwardWithFeatures(_ x: Variable) throws -> (logits: Variable, features: [Variable])
}
