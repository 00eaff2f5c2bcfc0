import CondenseCore

public extension Checkpoint {
    /// The same checkpoint with every float32 tensor rounded to float16 (nearest, ties to even; see
    /// `Float16Conversion`): half the bytes, for storage and deployment. Other tensors and the metadata are kept.
    func halfPrecision() -> Checkpoint { converting(.float32, to: .float16) }

    /// The same checkpoint with every float16 tensor widened to float32 (exact). Other tensors and the metadata are
    /// kept.
    func singlePrecision() -> Checkpoint { converting(.float16, to: .float32) }

    private func converting(_ source: DType, to target: DType) -> Checkpoint {
        var converted = self
        converted.tensors = tensors.map { tensor in
            guard tensor.dtype == source else { return tensor }
            return target == .float16 ? NamedTensorData(name: tensor.name, shape: tensor.shape, float16From: tensor.floats())
                : NamedTensorData(name: tensor.name, shape: tensor.shape, floats: tensor.floats())
        }
        return converted
    }
}
