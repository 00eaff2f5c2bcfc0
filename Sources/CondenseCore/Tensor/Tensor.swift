/// Storage for a tensor's elements, owned by one backend (host memory, an OpenCL buffer).
public protocol TensorStorage: AnyObject {
    /// Size of the allocation in bytes (at least the tensor's element count times its element size).
    var byteCount: Int { get }
}

/// A shape, an element type and backend-owned storage. Moving data between host and device is always explicit
/// (`toHost()`, `to(_:)`); ops never copy behind the caller's back.
///
/// Threading rule: a tensor belongs to its backend's single queue; use it from one thread at a time.
public final class Tensor: @unchecked Sendable {
    public let shape: Shape
    public let dtype: DType
    public let storage: TensorStorage
    public let backend: Backend

    public init(shape: Shape, dtype: DType, storage: TensorStorage, backend: Backend) {
        precondition(storage.byteCount >= shape.count * dtype.byteSize, "storage smaller than its tensor")
        self.shape = shape
        self.dtype = dtype
        self.storage = storage
        self.backend = backend
    }

    /// Number of elements.
    public var count: Int { shape.count }
    /// Bytes the elements occupy.
    public var byteCount: Int { shape.count * dtype.byteSize }

    /// The same storage seen with another shape of the same element count.
    public func reshaped(_ newShape: Shape) throws -> Tensor {
        guard newShape.count == shape.count else {
            throw CondenseError.shapeMismatch(op: "reshape", expected: "\(shape.count) elements",
                                              got: "\(newShape) (\(newShape.count) elements)")
        }
        return Tensor(shape: newShape, dtype: dtype, storage: storage, backend: backend)
    }
}
