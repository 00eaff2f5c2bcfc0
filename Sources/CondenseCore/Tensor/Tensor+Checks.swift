/// Throws unless every tensor is float32: the element type all arithmetic ops take.
public func requireFloat32(_ op: String, _ tensors: Tensor...) throws {
    for tensor in tensors where tensor.dtype != .float32 {
        throw CondenseError.dtypeMismatch(op: op, expected: .float32, got: tensor.dtype)
    }
}
