import CondenseCore
import CondenseNN

/// The full-integer export of a quantized graph, with the same integers, scales and zero points as Condense's own
/// integer inference (`QuantizedClassifier`):
/// - the input is uint8 NHWC pixels (0–255); the normalization and the first quantization are one exact per-channel
///   table, `q = T_c[p]` (`inputTable`), looked up with integer operators: `CAST` to int32, the index `p·C + c`
///   (`MUL`, `ADD`; just `p` for one channel) and `GATHER` from the 256·C int8 entries;
/// - activations are int8 per tensor: Condense's uint8 `q` with zero point `z` is `q − 128` with zero point
///   `z − 128` (the same real values); ReLU and ReLU6 are the fused activations of the operator before them;
/// - weights are Condense's int8 values with their per-output-channel scales (dimension 0 of an OHWI filter,
///   dimension 3 of a depthwise `[1, kh, kw, C·m]` one, zero point 0), biases its int32 values at scale
///   input scale × weight scale;
/// - the classifier computes as Condense's does: `DEQUANTIZE` of its int8 input and of its stored int8 weights, then
///   a float32 `FULLY_CONNECTED` with the biases at input scale × weight scale, giving the float32 `logits`. (An int8
///   `FULLY_CONNECTED` needs an output scale, which calibration never measured: one wide enough for every input
///   rounded the logits so coarsely that a 1-epoch ResNet-18 changed 4 % of its predictions; LiteRT 2.3.0's int16
///   output with per-channel weights returned zeros.)
struct TFLiteInt8Encoding: TFLiteTensorEncoding {
    let isInteger = true
    let inputType = TFLiteTensorType.uint8
    let activationType = TFLiteTensorType.int8
    private let graph: InferenceGraph
    private let quantization: InferenceQuantization

    /// The encoding of a quantized graph (`InferenceGraph(quantized:)`).
    ///
    /// - Throws: `CondenseError.invalidArgument` when the graph has no quantization.
    init(_ graph: InferenceGraph) throws {
        guard let quantization = graph.quantization else {
            throw CondenseError.invalidArgument(op: "export", "an INT8 export needs a quantized graph")
        }
        self.graph = graph
        self.quantization = quantization
    }

    func quantization(of value: String) throws -> TFLiteModelBuilder.Quantization? {
        let activation = try uint8Quantization(of: value)
        return .init(scales: [activation.scale], zeroPoints: [Int64(activation.zeroPoint - 128)])
    }

    func normalize(_ node: InferenceNode, mean: [Float], std: [Float], input: Int, shape: [Int], output: Int,
                   into builder: inout TFLiteModelBuilder) throws {
        let channels = mean.count
        let table = builder.addConstant("\(node.name).table", type: .int8, shape: [256 * channels],
                                        bytes: Self.inputTable(mean: mean, std: std,
                                                               quantization: try uint8Quantization(of: node.output))
                                            .map { UInt8(bitPattern: $0) },
                                        quantization: try quantization(of: node.output))
        var index = builder.addActivation("\(node.name).pixels", type: .int32, shape: shape)
        var cast = FlatBufferTable()
        cast.set(0, TFLiteTensorType.uint8.rawValue)
        cast.set(1, TFLiteTensorType.int32.rawValue)
        builder.addOperator(.cast, integer: false, inputs: [input], outputs: [index], options: cast)
        if channels > 1 {
            let stride = builder.addConstant("\(node.name).channels", type: .int32, shape: [1], bytes: int32Bytes([channels]))
            let offsets = builder.addConstant("\(node.name).channel_offsets", type: .int32, shape: [channels],
                                              bytes: int32Bytes(Array(0..<channels)))
            let rows = builder.addActivation("\(node.name).rows", type: .int32, shape: shape)
            builder.addOperator(.mul, integer: false, inputs: [index, stride], outputs: [rows], options: FlatBufferTable())
            index = builder.addActivation("\(node.name).index", type: .int32, shape: shape)
            builder.addOperator(.add, integer: false, inputs: [rows, offsets], outputs: [index], options: FlatBufferTable())
        }
        builder.addOperator(.gather, integer: true, inputs: [table, index], outputs: [output], options: FlatBufferTable())
    }

    /// The int8 value of each pixel `p` (0–255) of each channel `c` at index `p·C + c`: Condense's normalization and
    /// input quantization computed as its integer inference computes them — `x = p·(1/(255·std)) + (−mean/std)` in
    /// float32 (as `BatchLoader` normalizes), then `clamp(z + nearbyint(x·(1/s)), 0, 255)` (the CPU `requantize`) —
    /// minus 128.
    static func inputTable(mean: [Float], std: [Float], quantization: QuantizedGraph.TensorQuantization) -> [Int8] {
        let inverse = 1 / quantization.scale, channels = mean.count
        return (0..<(256 * channels)).map { index in
            let (pixel, c) = (Float(index / channels), index % channels)
            let normalized = pixel * (1 / (255 * std[c])) + (-mean[c] / std[c])
            let q = quantization.zeroPoint + Int((normalized * inverse).rounded(.toNearestOrEven))
            return Int8(min(max(q, 0), 255) - 128)
        }
    }

    func filter(_ weight: NamedTensorData, of node: InferenceNode, depthwise: Bool,
                into builder: inout TFLiteModelBuilder) throws -> Int {
        let (shape, bytes) = filterLayout(weight, depthwise: depthwise)
        let scales = try weightScales(of: node)
        return builder.addConstant(weight.name, type: .int8, shape: shape, bytes: bytes,
                                   quantization: .init(scales: scales, zeroPoints: scales.map { _ in 0 },
                                                       axis: depthwise ? 3 : 0))
    }

    func bias(_ bias: NamedTensorData, of node: InferenceNode, into builder: inout TFLiteModelBuilder) throws -> Int {
        let inputScale = try uint8Quantization(of: node.inputs[0]).scale
        let scales = try weightScales(of: node).map { inputScale * $0 }
        return builder.addConstant(bias.name, type: .int32, shape: bias.shape, bytes: bias.bytes,
                                   quantization: .init(scales: scales, zeroPoints: scales.map { _ in 0 }))
    }

    func lowest(_ name: String, of value: String, into builder: inout TFLiteModelBuilder) throws -> Int {
        builder.addConstant(name, type: .int8, shape: [1], bytes: [UInt8(bitPattern: Int8.min)],
                            quantization: try quantization(of: value))
    }

    func classifier(_ node: InferenceNode, weight: NamedTensorData, bias: NamedTensorData, input: Int, output: Int,
                    into builder: inout TFLiteModelBuilder) throws {
        let scales = try weightScales(of: node), inputScale = try uint8Quantization(of: node.inputs[0]).scale
        let weights = builder.addConstant(weight.name, type: .int8, shape: weight.shape, bytes: weight.bytes,
                                          quantization: .init(scales: scales, zeroPoints: scales.map { _ in 0 }))
        let biasValues = try bias.int32s()
        let biases = builder.addConstant(bias.name, type: .float32, shape: bias.shape,
                                         bytes: floatBytes(biasValues.indices.map {
                                             Float(biasValues[$0]) * (inputScale * scales[$0])
                                         }))
        let features = builder.addActivation("\(node.inputs[0]).float", type: .float32,
                                             shape: [1, weight.shape[1]])
        let floatWeights = builder.addActivation("\(weight.name).float", type: .float32, shape: weight.shape)
        builder.addOperator(.dequantize, integer: true, inputs: [input], outputs: [features])
        builder.addOperator(.dequantize, integer: true, inputs: [weights], outputs: [floatWeights])
        builder.addOperator(.fullyConnected, integer: false, inputs: [features, floatWeights, biases],
                            outputs: [output], options: FlatBufferTable())
    }

    private func uint8Quantization(of value: String) throws -> QuantizedGraph.TensorQuantization {
        guard let source = graph.quantizedSource(of: value), let activation = quantization.activations[source] else {
            throw CondenseError.invalidArgument(op: "export", "value '\(value)' of the INT8 graph has no quantization")
        }
        return activation
    }

    private func weightScales(of node: InferenceNode) throws -> [Float] {
        guard let scales = quantization.weightScales[node.name] else {
            throw CondenseError.invalidArgument(op: "export", "node '\(node.name)' of the INT8 graph has no weight scales")
        }
        return scales
    }
}
