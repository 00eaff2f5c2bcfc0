// Argument checks shared by every op family, so both backends reject bad input with the same words.

/// Throws unless every tensor is float32: the element type all arithmetic ops take.
public func requireFloat32(_ op: String, _ tensors: Tensor...) throws {
    for tensor in tensors where tensor.dtype != .float32 {
        throw CondenseError.dtypeMismatch(op: op, expected: .float32, got: tensor.dtype)
    }
}

/// Throws unless `tensor` lives on `backend`.
public func requireOwned(_ op: String, _ tensor: Tensor, by backend: Backend) throws {
    guard tensor.backend === backend else { throw CondenseError.backendMismatch(op: op) }
}

/// Throws unless `tensor` is float32 with `reference`'s shape (and lives on `backend`, when one is given).
public func requireSameShape(_ op: String, _ name: String, _ tensor: Tensor, as reference: Tensor,
                             on backend: Backend? = nil) throws {
    if let backend { try requireOwned(op, tensor, by: backend) }
    try requireFloat32(op, tensor)
    guard tensor.shape == reference.shape else {
        throw CondenseError.shapeMismatch(op: op, expected: "\(name) of shape \(reference.shape)", got: "\(tensor.shape)")
    }
}
