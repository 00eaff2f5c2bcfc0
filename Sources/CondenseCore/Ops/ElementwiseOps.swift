/// Pointwise float32 ops: activations and their gradients, residual adds, gradient accumulation, per-channel bias
/// and dropout. Tensors of one call have equal element counts unless stated.
public protocol ElementwiseOps {
    /// `output = activation(input)`.
    func activation(_ kind: Activation, input: Tensor, output: Tensor) throws
    /// `gradInput = gradOutput ⊙ activation′`, the mask taken from the forward `output` as PyTorch does:
    /// ReLU passes where `y > 0`, ReLU6 (hardtanh) where `0 < y < 6`.
    func activationBackward(_ kind: Activation, output: Tensor, gradOutput: Tensor, gradInput: Tensor) throws
    /// `output = a + b` (a residual connection; `output` may alias either input).
    func add(_ a: Tensor, _ b: Tensor, output: Tensor) throws
    /// `y += alpha·x` (gradient accumulation).
    func axpy(alpha: Float, x: Tensor, y: Tensor) throws
    /// `output = factor·x`.
    func scale(_ x: Tensor, by factor: Float, output: Tensor) throws
    /// `output = a ⊙ b`.
    func multiply(_ a: Tensor, _ b: Tensor, output: Tensor) throws
    /// `tensor[n, c, …] += bias[c]` in place, for `[N, C]` or `[N, C, H, W]` tensors.
    func addChannelBias(_ bias: Tensor, to tensor: Tensor) throws
    /// `gradBias[c] = Σ_{n, h, w} gradOutput[n, c, h, w]` (or over n for `[N, C]`).
    func channelBiasGradient(gradOutput: Tensor, gradBias: Tensor) throws
    /// Inverted dropout: `mask = u ≥ p ? 1/(1 − p) : 0` with `u` a hash of `(seed, index)` (the same on every
    /// backend), `output = input ⊙ mask`. The backward pass is `multiply(gradOutput, mask)`.
    func dropout(input: Tensor, output: Tensor, mask: Tensor, probability: Float, seed: UInt32) throws
}

/// Checks shared by both backends' elementwise ops.
public enum ElementwiseValidation {
    /// Throws unless every tensor is float32 with `reference`'s element count.
    public static func sameCount(_ op: String, _ reference: Tensor, _ others: Tensor...) throws {
        try requireFloat32(op, reference)
        for tensor in others {
            try requireFloat32(op, tensor)
            guard tensor.count == reference.count else {
                throw CondenseError.shapeMismatch(op: op, expected: "\(reference.count) elements like \(reference.shape)",
                                                  got: "\(tensor.shape)")
            }
        }
    }

    /// `(batch, channels, spatial)` of an `[N, C]` or `[N, C, H, W]` tensor whose channels match `bias` `[C]`.
    public static func channels(_ op: String, tensor: Tensor, bias: Tensor) throws -> (batch: Int, channels: Int, spatial: Int) {
        try requireFloat32(op, tensor, bias)
        guard tensor.shape.rank == 2 || tensor.shape.rank == 4 else {
            throw CondenseError.shapeMismatch(op: op, expected: "[N, C] or [N, C, H, W]", got: "\(tensor.shape)")
        }
        let c = tensor.shape[1]
        guard bias.shape == [c] else {
            throw CondenseError.shapeMismatch(op: op, expected: "bias [\(c)]", got: "\(bias.shape)")
        }
        return (tensor.shape[0], c, tensor.shape.rank == 4 ? tensor.shape[2] * tensor.shape[3] : 1)
    }

    /// Throws unless `0 ≤ p < 1`.
    public static func probability(_ p: Float) throws {
        guard p >= 0, p < 1 else {
            throw CondenseError.invalidArgument(op: "dropout", "probability must be in [0, 1), got \(p)")
        }
    }
}

/// The dropout hash: a well-mixed 32-bit integer hash of `(seed, index)`, mapped to `[0, 1)` with 24 bits.
/// `Kernels/elementwise.cl` computes the same function.
@inlinable
public func dropoutUniform(seed: UInt32, index: UInt32) -> Float {
    var h = (index &* 0x9E37_79B1) ^ seed
    h ^= h >> 16
    h = h &* 0x7FEB_352D
    h ^= h >> 15
    h = h &* 0x846C_A68B
    h ^= h >> 16
    return Float(h >> 8) * (1 / 16_777_216)
}
