import CondenseCore

public extension Checkpoint {
    /// Throws unless every element of every float tensor is finite: a NaN or infinite weight (a diverged run, a
    /// corrupted file) would otherwise load silently and turn every prediction into NaN.
    ///
    /// - Throws: `CondenseError.file` naming `path`, the first such tensor, the element's index and its value, and
    ///   how many of the tensor's elements are not finite.
    func requireFiniteFloats(path: String) throws {
        for tensor in tensors where tensor.dtype == .float32 || tensor.dtype == .float16 {
            let values = tensor.floats()
            guard let first = values.firstIndex(where: { !$0.isFinite }) else { continue }
            let count = values.lazy.filter { !$0.isFinite }.count
            throw CondenseError.file(path: path, "tensor \(tensor.name) holds \(values[first]) at element \(first) " +
                                     "(\(count) of its \(values.count) elements are not finite); expected finite " +
                                     "weights")
        }
    }
}
