extension MobileNetV2: ChannelPrunable {
    /// The expanded (hidden) channels of every inverted residual with an expansion (the expansion conv and its batch
    /// norm, the depthwise conv and its batch norm, read by the projection conv), then the outputs of the last 1×1
    /// conv and its batch norm, read by the classifier.
    public var channelGroups: [ChannelGroup] {
        let blocks = features.layers.enumerated().compactMap { index, layer -> ChannelGroup? in
            guard let block = layer as? InvertedResidual, block.conv.layers.count == 4 else { return nil }
            let prefix = "features.\(index).conv"
            return ChannelGroup(producers: ["\(prefix).0.0", "\(prefix).0.1", "\(prefix).1.0", "\(prefix).1.1"],
                                consumers: ["\(prefix).2"])
        }
        let last = "features.\(features.layers.count - 1)"
        return blocks + [ChannelGroup(producers: ["\(last).0", "\(last).1"], consumers: ["classifier.1"])]
    }
}

extension MobileNetV2: StagedModel {
    /// Each entry of `features`, then global pooling with the classifier.
    public var stages: [(path: String, module: Module)] {
        features.layers.enumerated().map { ("features.\($0.offset)", $0.element) }
            + [("classifier", Sequential([GlobalAveragePool(), classifier]))]
    }
}
