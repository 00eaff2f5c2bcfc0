import CondenseCore

/// A tensor in the autograd graph: its value and, after `Tape.backward`, the gradient of the loss with respect
/// to it. Parameters are variables that require gradients; activations are variables made by ops while a tape
/// records.
public final class Variable {
    public private(set) var value: Tensor
    /// ∂loss/∂value, accumulated by `Tape.backward`; nil until a backward pass reaches this variable.
    public internal(set) var grad: Tensor?
    public let requiresGrad: Bool

    public init(_ value: Tensor, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
    }

    public var shape: Shape { value.shape }
    public var backend: Backend { value.backend }

    /// Replaces the value (loading a checkpoint, pruning); the shape must stay the same.
    public func assign(_ tensor: Tensor) throws {
        guard tensor.shape == value.shape else {
            throw CondenseError.shapeMismatch(op: "assign", expected: "\(value.shape)", got: "\(tensor.shape)")
        }
        value = tensor
    }

    /// Forgets the gradient (the optimizer's `zeroGrad`).
    public func zeroGrad() { grad = nil }

    /// The gradient, after taking a zero tensor as the gradient when no backward pass reached this variable (so that
    /// every process of a data-parallel job reduces the same tensors).
    public func gradientOrZeros() throws -> Tensor {
        if let grad { return grad }
        let zeros = try backend.full(shape, value: 0)
        grad = zeros
        return zeros
    }

    /// Adds `gradient` to `grad` (taking it over when there is none yet).
    func accumulate(_ gradient: Tensor) throws {
        guard let existing = grad else { grad = gradient; return }
        try backend.axpy(alpha: 1, x: gradient, y: existing)
    }
}
