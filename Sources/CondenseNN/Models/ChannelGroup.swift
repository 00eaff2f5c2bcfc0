/// Channels that structured pruning removes together, named by module paths (`features.3.conv.0.0`): the outputs
/// of `producers` (every tensor of a conv, depthwise conv or batch norm there has these channels on axis 0) and the
/// inputs of `consumers` (the weight of each conv or linear layer there has them on axis 1). Removing channel k from
/// all of them leaves the rest of the network's function unchanged except for channel k's contribution.
public struct ChannelGroup: Equatable, Sendable {
    /// The module paths whose outputs are these channels; the first is the conv whose filters rank them.
    public let producers: [String]
    /// The module paths whose inputs are these channels.
    public let consumers: [String]

    public init(producers: [String], consumers: [String]) {
        self.producers = producers
        self.consumers = consumers
    }

    /// The conv whose filters are ranked (the group's name in reports).
    public var name: String { producers[0] }
}

/// A model whose inner channels structured pruning can remove, one group per entry of
/// `ModelConfiguration.blockChannels`, in the same order.
public protocol ChannelPrunable: Module {
    var channelGroups: [ChannelGroup] { get }
}
