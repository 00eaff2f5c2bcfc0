import CondenseCore
import CondenseNN

/// Structured channel pruning (Li et al., 2017, "Pruning Filters for Efficient ConvNets"): in each channel group
/// (`ChannelPrunable`) the filters of the ranking conv with the smallest L1 norms go, and with them the matching
/// batch-norm entries, depthwise filters and the next layer's input slices, so the result is a physically smaller
/// model whose configuration (`blockChannels`) and checkpoint record the new widths.
public enum ChannelPruning {
    /// The model's channel groups, in `blockChannels` order; throws for a model that has none.
    public static func groups(of model: TrainedModel) throws -> [ChannelGroup] {
        guard let prunable = model.module as? ChannelPrunable else {
            throw CondenseError.invalidArgument(op: "prune", "\(model.configuration.architecture) has no channel " +
                                                "groups for structured pruning")
        }
        return prunable.channelGroups
    }

    /// The L1 norm of each output filter of the group's ranking conv: one figure per channel.
    public static func filterNorms(_ model: TrainedModel, _ group: ChannelGroup) throws -> [Float] {
        let weight = try model.variable(group.name + ".weight")
        let values = try weight.value.toHost(), channels = weight.shape[0], size = values.count / channels
        return (0..<channels).map { channel in values[(channel * size)..<((channel + 1) * size)].reduce(0) { $0 + abs($1) } }
    }

    /// The channels kept when `ratio` of them are removed: the `max(1, n − round(ratio·n))` with the largest norms
    /// (ties: the earlier channel), in ascending order.
    public static func keptChannels(norms: [Float], ratio: Double) -> [Int] {
        let keep = max(1, norms.count - Int((Double(norms.count) * min(max(ratio, 0), 1)).rounded()))
        let ranked = norms.indices.sorted { norms[$0] > norms[$1] || (norms[$0] == norms[$1] && $0 < $1) }
        return ranked.prefix(keep).sorted()
    }

    /// A physically smaller copy of `model` with `ratios[i]` of group i's channels removed (on the same backend).
    public static func prune(_ model: TrainedModel, ratios: [Double]) throws -> TrainedModel {
        let groups = try groups(of: model)
        guard ratios.count == groups.count, ratios.allSatisfy({ $0 >= 0 && $0 < 1 }) else {
            throw CondenseError.invalidArgument(op: "prune", "expected \(groups.count) ratios in [0, 1), one per " +
                                                "channel group, got \(ratios)")
        }
        let kept = try zip(groups, ratios).map { try keptChannels(norms: filterNorms(model, $0), ratio: $1) }
        var configuration = model.configuration
        configuration.blockChannels = kept.map(\.count)
        let backend = try model.module.backend
        let pruned = model.derived(configuration: configuration, module: try configuration.build(on: backend))
        for (name, variable) in pruned.stateVariables {
            let source = try model.variable(name)
            var (values, shape) = (try source.value.toHost(), source.shape.dims)
            for (group, channels) in zip(groups, kept) {
                if let axis = channelAxis(of: name, in: group) {
                    (values, shape) = gather(values, shape: shape, axis: axis, indices: channels)
                }
            }
            try variable.assign(try backend.tensor(values, shape: Shape(shape)))
        }
        return pruned
    }

    /// Runs `body` with the consumer inputs of the channels that removing `ratio` of `group` would remove set to
    /// zero — the same function as the physically pruned model, without rebuilding it — then restores them.
    public static func withChannelsRemoved<Result>(_ model: TrainedModel, _ group: ChannelGroup, ratio: Double,
                                                   _ body: () throws -> Result) throws -> Result {
        let kept = Set(keptChannels(norms: try filterNorms(model, group), ratio: ratio))
        let consumers = try group.consumers.map { try model.variable($0 + ".weight") }
        let originals = consumers.map(\.value)
        defer { for (consumer, original) in zip(consumers, originals) { try? consumer.assign(original) } }
        for consumer in consumers {
            var values = try consumer.value.toHost()
            let dims = consumer.shape.dims, inputs = dims[1], size = dims.dropFirst(2).reduce(1, *)
            for index in values.indices where !kept.contains(index / size % inputs) { values[index] = 0 }
            try consumer.assign(try consumer.backend.tensor(values, shape: consumer.shape))
        }
        return try body()
    }

    /// Which axis of the tensor `name` holds `group`'s channels: 0 for a producer's tensors, 1 for a consumer's
    /// weight, nil when the tensor is neither.
    static func channelAxis(of name: String, in group: ChannelGroup) -> Int? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        let module = String(name[..<dot]), tensor = name[name.index(after: dot)...]
        if group.producers.contains(module) { return 0 }
        if group.consumers.contains(module), tensor == "weight" { return 1 }
        return nil
    }

    /// The entries of a C-order array of `shape` whose index along `axis` is in `indices` (in that order).
    static func gather(_ values: [Float], shape: [Int], axis: Int, indices: [Int]) -> ([Float], [Int]) {
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *), extent = shape[axis]
        var result: [Float] = []
        result.reserveCapacity(outer * indices.count * inner)
        for block in 0..<outer {
            for index in indices {
                let start = (block * extent + index) * inner
                result.append(contentsOf: values[start..<(start + inner)])
            }
        }
        var newShape = shape
        newShape[axis] = indices.count
        return (result, newShape)
    }
}

extension TrainedModel {
    /// The parameter or buffer named `name`, or an error naming it.
    func variable(_ name: String) throws -> Variable {
        guard let variable = stateVariables.first(where: { $0.name == name })?.variable else {
            throw CondenseError.invalidArgument(op: "prune", "the model has no tensor named '\(name)'")
        }
        return variable
    }
}
