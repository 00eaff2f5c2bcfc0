import CondenseCore

/// Host memory for a tensor on the CPU backend, 64-byte aligned for vector loads.
public final class CPUStorage: TensorStorage {
    public let byteCount: Int
    public let pointer: UnsafeMutableRawPointer

    init(byteCount: Int) {
        self.byteCount = byteCount
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
    }

    deinit { pointer.deallocate() }
}

public extension Tensor {
    /// The float32 elements of a tensor on the CPU backend.
    func cpuFloats(_ op: String) throws -> UnsafeMutablePointer<Float> {
        try cpuPointer(op, dtype: .float32, as: Float.self)
    }

    /// The elements of a CPU tensor of the given dtype, typed as `type`.
    func cpuPointer<T>(_ op: String, dtype expected: DType, as type: T.Type) throws -> UnsafeMutablePointer<T> {
        guard dtype == expected else { throw CondenseError.dtypeMismatch(op: op, expected: expected, got: dtype) }
        guard let host = storage as? CPUStorage else { throw CondenseError.backendMismatch(op: op) }
        return host.pointer.assumingMemoryBound(to: T.self)
    }
}
