// Explicit host ↔ device transfers.

public extension Backend {
    /// A float32 tensor holding `values`.
    func tensor(_ values: [Float], shape: Shape) throws -> Tensor {
        guard values.count == shape.count else {
            throw CondenseError.shapeMismatch(op: "tensor", expected: "\(shape.count) values for \(shape)",
                                              got: "\(values.count)")
        }
        let tensor = try allocate(try shape.validated(for: "tensor"), dtype: .float32)
        try values.withUnsafeBytes { try write($0, to: tensor) }
        return tensor
    }

    /// A float32 tensor of `shape` with every element equal to `value`.
    func full(_ shape: Shape, value: Float) throws -> Tensor {
        let tensor = try allocate(try shape.validated(for: "full"), dtype: .float32)
        try fill(tensor, with: value)
        return tensor
    }
}

public extension Tensor {
    /// The elements of a float32 tensor, copied to the host (waits for queued work).
    func toHost() throws -> [Float] {
        guard dtype == .float32 else { throw CondenseError.dtypeMismatch(op: "toHost", expected: .float32, got: dtype) }
        var values = [Float](repeating: 0, count: count)
        try values.withUnsafeMutableBytes { try backend.read(self, into: $0) }
        return values
    }

    /// The raw bytes of any tensor, copied to the host.
    func toHostBytes() throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        try bytes.withUnsafeMutableBytes { try backend.read(self, into: $0) }
        return bytes
    }

    /// A copy of this tensor on `target` (the same tensor when it already lives there).
    func to(_ target: Backend) throws -> Tensor {
        if target === backend { return self }
        let bytes = try toHostBytes()
        let moved = try target.allocate(shape, dtype: dtype)
        try bytes.withUnsafeBytes { try target.write($0, to: moved) }
        return moved
    }
}
