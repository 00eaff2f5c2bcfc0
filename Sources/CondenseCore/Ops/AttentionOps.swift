/// Attention maps for attention transfer (Zagoruyko & Komodakis, 2017): for features `A` `[N, C, H, W]`,
/// `Q = mean_c(A²)` flattened to `[N, H·W]` and L2-normalized per sample, `Q̂ = Q / ‖Q‖`.
public protocol AttentionOps {
    /// Writes `Q̂` to `map` (`[N, H·W]`) and `‖Q‖` to `norms` (`[N]`, kept for the backward pass).
    func attentionMap(features: Tensor, map: Tensor, norms: Tensor) throws
    /// `gradFeatures = ∂L/∂A` from `gradMap = ∂L/∂Q̂`: `dQ = (dQ̂ − Q̂·(Q̂ · dQ̂)) / ‖Q‖`, `dA = 2A/C · dQ`.
    func attentionMapBackward(features: Tensor, map: Tensor, norms: Tensor, gradMap: Tensor,
                              gradFeatures: Tensor) throws
}

/// The extents of an attention-map call and the checks both backends run first.
public struct AttentionExtents: Equatable, Sendable {
    public let batch: Int, channels: Int, positions: Int

    /// Checks `features` `[N, C, H, W]`, `map` `[N, H·W]` and `norms` `[N]` (float32, on `backend`).
    public init(_ op: String, features: Tensor, map: Tensor, norms: Tensor, on backend: Backend) throws {
        for tensor in [features, map, norms] { try requireOwned(op, tensor, by: backend) }
        try requireFloat32(op, features, map, norms)
        guard features.shape.rank == 4, features.shape[1] >= 1 else {
            throw CondenseError.shapeMismatch(op: op, expected: "features [N, C, H, W]", got: "\(features.shape)")
        }
        batch = features.shape[0]
        channels = features.shape[1]
        positions = features.shape[2] * features.shape[3]
        guard map.shape == [batch, positions], norms.shape == [batch] else {
            throw CondenseError.shapeMismatch(op: op, expected: "map [\(batch), \(positions)] and norms [\(batch)]",
                                              got: "\(map.shape) and \(norms.shape)")
        }
    }

    /// The checks of `attentionMapBackward`: those of the forward, plus gradients shaped like map and features.
    public static func backward(features: Tensor, map: Tensor, norms: Tensor, gradMap: Tensor, gradFeatures: Tensor,
                                on backend: Backend) throws -> AttentionExtents {
        let op = "attentionMapBackward"
        let extents = try AttentionExtents(op, features: features, map: map, norms: norms, on: backend)
        try requireSameShape(op, "gradMap", gradMap, as: map, on: backend)
        try requireSameShape(op, "gradFeatures", gradFeatures, as: features, on: backend)
        return extents
    }
}
