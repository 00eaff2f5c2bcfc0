extension ResNet: ChannelPrunable, StagedModel {
    /// The inner channels of every block (see `ResidualBlock.channelGroups(prefix:)`).
    public var channelGroups: [ChannelGroup] { residualChannelGroups(layers) }

    /// The stem's layers, every block, then global pooling with `fc`.
    public var stages: [(path: String, module: Module)] {
        stem.map { (path: $0.0, module: $0.1) } + namedBlocks(layers) + [("fc", Sequential([GlobalAveragePool(), fc]))]
    }
}

extension CIFARResNet: ChannelPrunable, StagedModel {
    /// The inner channels of every block (see `ResidualBlock.channelGroups(prefix:)`).
    public var channelGroups: [ChannelGroup] { residualChannelGroups(layers) }

    /// `conv1`, `bn1`, every block, then global pooling with `fc`.
    public var stages: [(path: String, module: Module)] {
        [("conv1", conv1), ("bn1", bn1)] + namedBlocks(layers) + [("fc", Sequential([GlobalAveragePool(), fc]))]
    }
}

/// The blocks of ResNet stages named `layer1`, `layer2`, …, with their paths (`layer1.0`).
private func namedBlocks(_ stages: [Sequential]) -> [(path: String, module: Module)] {
    stages.enumerated().flatMap { stage, blocks in
        blocks.layers.enumerated().map { (path: "layer\(stage + 1).\($0.offset)", module: $0.element) }
    }
}

/// The channel groups of every block of the stages.
private func residualChannelGroups(_ stages: [Sequential]) -> [ChannelGroup] {
    namedBlocks(stages).flatMap { ($0.module as? ResidualBlock)?.channelGroups(prefix: $0.path) ?? [] }
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
