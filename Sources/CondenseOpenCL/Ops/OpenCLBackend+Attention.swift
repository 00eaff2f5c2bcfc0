import CondenseCore

/// `AttentionOps` through `Kernels/attention.cl`: one work-group per sample.
extension OpenCLBackend: AttentionOps {
    private static let attentionGroup = 128

    public func attentionMap(features: Tensor, map: Tensor, norms: Tensor) throws {
        let e = try AttentionExtents("attentionMap", features: features, map: map, norms: norms, on: self)
        try launch("attention_map", file: "attention", defines: ["WG": group(Self.attentionGroup)],
                   arguments: [.buffer(features), .buffer(map), .buffer(norms), .int(e.channels), .int(e.positions)],
                   global: [e.batch * group(Self.attentionGroup)], local: [group(Self.attentionGroup)])
    }

    public func attentionMapBackward(features: Tensor, map: Tensor, norms: Tensor, gradMap: Tensor,
                                     gradFeatures: Tensor) throws {
        let e = try AttentionExtents.backward(features: features, map: map, norms: norms, gradMap: gradMap,
                                              gradFeatures: gradFeatures, on: self)
        try launch("attention_map_backward", file: "attention", defines: ["WG": group(Self.attentionGroup)],
                   arguments: [.buffer(features), .buffer(map), .buffer(norms), .buffer(gradMap), .buffer(gradFeatures),
                               .int(e.channels), .int(e.positions)],
                   global: [e.batch * group(Self.attentionGroup)], local: [group(Self.attentionGroup)])
    }
}
