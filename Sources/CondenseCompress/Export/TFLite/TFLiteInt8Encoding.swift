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
/// - the classifier is integer up to the logits' dequantization: `BATCH_MATMUL` of the int8 features by the int8
///   weights into int32 sums (LiteRT's int8 → int32 kernels multiply the stored integers and ignore zero points),
///   `ADD` of int32 biases that fold in the features' zero point (`classifierBiases`), then `CAST` to float32 and
///   `MUL` by each class's input scale × weight scale: exactly the sums Condense's classifier forms, with no output
///   scale to calibrate. (An int8 `FULLY_CONNECTED` would round the logits to an int8 scale that calibration never
///   measured: the widest safe one changed 4 % of a 1-epoch ResNet-18's predictions; LiteRT 2.3.0's int16-output
///   `FULLY_CONNECTED` with per-channel weights returned zeros.)
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
        let scales = try weightScales(of: node), features = try uint8Quantization(of: node.inputs[0])
        let classes = weight.shape[0]
        // The weights enter as plain integers (scale 1); the sums' scale, the features' times 1, makes the kernel's
        // unused requantization multiplier 1.
        let weights = builder.addConstant(weight.name, type: .int8, shape: weight.shape, bytes: weight.bytes,
                                          quantization: .init(scales: [1], zeroPoints: [0]))
        let products = builder.addActivation("\(node.name).products", type: .int32, shape: [1, classes],
                                             quantization: .init(scales: [features.scale], zeroPoints: [0]))
        var transposed = FlatBufferTable()
        transposed.set(1, true)  // adj_y: the weights are [classes, features]
        builder.addOperator(.batchMatmul, integer: true, inputs: [input, weights], outputs: [products],
                            options: transposed)
        let biases = builder.addConstant(bias.name, type: .int32, shape: bias.shape, bytes: int32Bytes(
            try Self.classifierBiases(weights: try weight.int8s(), biases: try bias.int32s(),
                                      featureZeroPoint: features.zeroPoint - 128)))
        let sums = builder.addActivation("\(node.name).sums", type: .int32, shape: [1, classes])
        builder.addOperator(.add, integer: false, inputs: [products, biases], outputs: [sums],
                            options: FlatBufferTable())
        let real = builder.addActivation("\(node.name).real", type: .float32, shape: [1, classes])
        var cast = FlatBufferTable()
        cast.set(0, TFLiteTensorType.int32.rawValue)
        cast.set(1, TFLiteTensorType.float32.rawValue)
        builder.addOperator(.cast, integer: false, inputs: [sums], outputs: [real], options: cast)
        let sumScales = builder.addConstant("\(node.name).sum_scales", type: .float32, shape: [classes],
                                            bytes: floatBytes(scales.map { features.scale * $0 }))
        builder.addOperator(.mul, integer: false, inputs: [real, sumScales], outputs: [output],
                            options: FlatBufferTable())
    }

    /// The classifier's int32 biases for sums of the stored int8 features `q` (zero point `featureZeroPoint`)
    /// times the int8 weights `w` (`[classes, features]`): `Σ w·(q − z) + b = Σ w·q + (b − z·Σ w)`, so each
    /// class's bias becomes `b − z·Σ w`.
    ///
    /// - Throws: `CondenseError.invalidArgument` when a folded bias does not fit int32.
    static func classifierBiases(weights: [Int8], biases: [Int32], featureZeroPoint: Int) throws -> [Int] {
        let width = biases.isEmpty ? 0 : weights.count / biases.count
        return try biases.indices.map { c in
            let sum = weights[(c * width)..<((c + 1) * width)].reduce(0) { $0 + Int($1) }
            let folded = Int(biases[c]) - featureZeroPoint * sum
            guard Int32(exactly: folded) != nil else {
                throw CondenseError.invalidArgument(op: "export", "the classifier's bias \(c) with the features' " +
                                                    "zero point folded in, \(folded), does not fit int32")
            }
            return folded
        }
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
