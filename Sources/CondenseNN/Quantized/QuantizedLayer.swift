import CondenseCore

/// The stored parameters of one convolution or linear layer of an INT8 model: int8 weights (symmetric per output
/// channel), their float32 scales, and an int32 bias whose scale is the input's scale times each weight scale.
public struct QuantizedLayer {
    /// The node name, the prefix of `weight`, `weight_scale` and `bias`.
    public let name: String
    /// int8 `[O, C/groups, kh, kw]` or `[O, in]`.
    public let weight: Variable
    /// float32 `[O]`.
    public let weightScale: Variable
    /// int32 `[O]`.
    public let bias: Variable

    /// A layer from host values (`weight` in [−127, 127], one scale and one bias per output channel).
    public init(name: String, weight: [Int8], shape: Shape, scales: [Float], bias: [Int32], on backend: Backend) throws {
        guard shape.count == weight.count, shape.rank >= 2, scales.count == shape[0], bias.count == shape[0] else {
            throw CondenseError.shapeMismatch(op: "QuantizedLayer '\(name)'",
                                              expected: "\(shape.count) weights for \(shape), \(shape.dims.first ?? 0) " +
                                              "scales and biases", got: "\(weight.count), \(scales.count), \(bias.count)")
        }
        self.init(name: name,
                  weight: Variable(try NamedTensorData(name: name, shape: shape.dims, int8s: weight).tensor(on: backend)),
                  weightScale: Variable(try backend.tensor(scales, shape: [shape[0]])),
                  bias: Variable(try NamedTensorData(name: name, shape: [shape[0]], int32s: bias).tensor(on: backend)))
    }

    /// A layer of the checkpoint's tensors `name.weight` (I8), `name.weight_scale` (F32) and `name.bias` (I32), with
    /// `weightRank` axes (4 for a convolution, 2 for a linear layer).
    public init(name: String, weightRank: Int, in checkpoint: Checkpoint, path: String, on backend: Backend) throws {
        func stored(_ suffix: String, _ dtype: DType, rank: Int) throws -> Variable {
            let key = "\(name).\(suffix)"
            guard let tensor = checkpoint[key] else {
                throw CondenseError.file(path: path, "missing tensor \(key) (\(dtype.rawValue), \(rank) axes) of " +
                                         "quantized layer '\(name)'")
            }
            guard tensor.dtype == dtype, tensor.shape.count == rank else {
                throw CondenseError.file(path: path, "\(key): expected \(dtype.rawValue) with \(rank) axes, found " +
                                         "\(tensor.dtype.rawValue) \(Shape(tensor.shape))")
            }
            return Variable(try tensor.tensor(on: backend))
        }
        let weight = try stored("weight", .int8, rank: weightRank)
        let scale = try stored("weight_scale", .float32, rank: 1), bias = try stored("bias", .int32, rank: 1)
        guard scale.shape == [weight.shape[0]], bias.shape == [weight.shape[0]] else {
            throw CondenseError.file(path: path, "\(name): weight_scale \(scale.shape) and bias \(bias.shape) must " +
                                     "hold one value per output channel (\(weight.shape[0]))")
        }
        self.init(name: name, weight: weight, weightScale: scale, bias: bias)
    }

    init(name: String, weight: Variable, weightScale: Variable, bias: Variable) {
        self.name = name
        self.weight = weight
        self.weightScale = weightScale
        self.bias = bias
    }
}
