extension ResNet: ChannelPrunable {
    /// The inner channels of every block (see `ResidualBlock.channelGroups(prefix:)`).
    public var channelGroups: [ChannelGroup] { residualChannelGroups(layers) }
}

extension CIFARResNet: ChannelPrunable {
    /// The inner channels of every block (see `ResidualBlock.channelGroups(prefix:)`).
    public var channelGroups: [ChannelGroup] { residualChannelGroups(layers) }
}

/// The channel groups of the blocks of ResNet stages named `layer1`, `layer2`, ….
private func residualChannelGroups(_ stages: [Sequential]) -> [ChannelGroup] {
    stages.enumerated().flatMap { stage, blocks in
        blocks.layers.enumerated().flatMap { index, block in
            (block as? ResidualBlock)?.channelGroups(prefix: "layer\(stage + 1).\(index)") ?? []
        }
    }
}

extension ResidualBlock {
    /// A basic block's `conv1` outputs (with `bn1`, read by `conv2`); a bottleneck's also `conv2`'s (with `bn2`,
    /// read by `conv3`). The block's output width, shared with the residual, stays.
    func channelGroups(prefix: String) -> [ChannelGroup] {
        let inner = body.count == 6 ? [1, 2] : [1]
        return inner.map { k in
            ChannelGroup(producers: ["\(prefix).conv\(k)", "\(prefix).bn\(k)"], consumers: ["\(prefix).conv\(k + 1)"])
        }
    }
}
