import CondenseCore
import CondenseNN

/// An INT8 model's tensors in QDQ format (opset 13), as onnxruntime's quantization tooling lays them out, so a
/// runtime fuses each `DequantizeLinear → Conv → QuantizeLinear` into an integer convolution (`QLinearConv`):
/// - weights: the checkpoint's int8 values `w` stored as uint8 `w + 128` (`<node>.weight`) with zero point 128
///   (`weight_zero_point.<channels>`, one per width) and the per-output-channel float32 scales `<node>.weight_scale`,
///   through `DequantizeLinear` on axis 0: the same real values. A runtime then multiplies uint8 activations by
///   uint8 weights, which onnxruntime's MLAS does without a saturating step; with int8 weights its u8s8 kernel
///   on AVX2 without VNNI sums pairs of products in saturating int16 (`vpmaddubsw`), which cost the deployed
///   MobileNetV2 8 points of accuracy in onnxruntime's default session;
/// - biases: the int32 `<node>.bias` through `DequantizeLinear` on axis 0 at scale `s_in·s_w` per channel, which a
///   `Mul` of the input's scale and the weight scales computes (a constant the runtime folds); a bias whose values
///   all fit int16 is stored as int16 behind a `Cast` to int32 (folded the same way, so the fused convolution still
///   gets its int32 bias);
/// - activations: every value the model quantizes (the normalized input, each convolution's output after its
///   activation, each residual sum, max pooling, and the pooled features before the classifier) through a
///   `QuantizeLinear` → `DequantizeLinear` pair sharing its uint8 scale and zero point (`<value>.scale`,
///   `<value>.zp`);
/// - a ReLU or ReLU6 whose output's quantization clamps nothing its uint8 saturation does not (zero point 0 and,
///   for ReLU6, 6 at or above the top of the range: `TensorQuantization.range(after:)` is the whole range) is left
///   out, the `QuantizeLinear` reading the convolution directly, as onnxruntime's tooling and its own graph
///   optimizer remove it: `Q(clip(x, 0, 6)) = Q(x)` for every x.
///
/// Unlike the tooling, activation zero points of 0 are left out (ONNX's default, with the default type uint8) and
/// the bias scales are computed rather than stored.
public struct QDQEncoding: ONNXValueEncoding {
    /// Each quantized graph value's scale and zero point.
    private let activations: [String: QuantizedGraph.TensorQuantization]
    /// Each weighted node's per-channel weight scales and the graph value of its quantized input.
    private let layers: [String: (weightScales: [Float], input: String)]

    /// The encoding of a quantized graph's tensors (`InferenceGraph(quantized:)`).
    ///
    /// - Throws: `CondenseError.invalidArgument` when the graph has no quantization, or a convolution or gemm lacks
    ///   weight scales or a quantized input.
    public init(_ graph: InferenceGraph) throws {
        guard let quantization = graph.quantization else {
            throw CondenseError.invalidArgument(op: "export", "an INT8 export needs a quantized graph")
        }
        activations = quantization.activations
        layers = Dictionary(uniqueKeysWithValues: try graph.weightedNodes.map { node in
            guard let scales = quantization.weightScales[node.name], let input = graph.quantizedSource(of: node.inputs[0])
            else {
                throw CondenseError.invalidArgument(op: "export", "node '\(node.name)' has no weight scales or no " +
                                                    "quantized input")
            }
            return (node.name, (scales, input))
        })
    }

    public mutating func weight(_ tensor: NamedTensorData, of node: InferenceNode,
                                in builder: inout ONNXGraphBuilder) throws -> String {
        guard let layer = layers[node.name], tensor.dtype == .int8 || tensor.dtype == .int32 else {
            throw CondenseError.invalidArgument(op: "export", "'\(tensor.name)' is not a quantized weight or bias")
        }
        let weightScale = builder.addInitializer(NamedTensorData(name: "\(node.name).weight_scale",
                                                                 shape: [layer.weightScales.count],
                                                                 floats: layer.weightScales))
        var (values, scale, zeroPoint) = (tensor.name, weightScale, [String]())
        if tensor.dtype == .int8 {
            builder.addInitializer(NamedTensorData(name: tensor.name, shape: tensor.shape,
                                                   uint8s: tensor.bytes.map { $0 ^ 0x80 }))  // w + 128 as uint8
            let channels = layer.weightScales.count
            zeroPoint = [builder.addInitializer(NamedTensorData(
                name: "weight_zero_point.\(channels)", shape: [channels],
                uint8s: [UInt8](repeating: 128, count: channels)))]
        } else {
            values = try Self.narrowed(tensor, in: &builder)
            scale = "\(node.name).bias_scale"
            builder.add(ONNXNode("Mul", name: scale, inputs: [weightScale, "\(layer.input).scale"], outputs: [scale]))
        }
        let output = "\(tensor.name).dq"
        builder.add(ONNXNode("DequantizeLinear", name: output, inputs: [values, scale] + zeroPoint, outputs: [output],
                             attributes: [ONNXAttribute("axis", .int(0))]))
        return output
    }

    public func subsumes(_ node: InferenceNode) -> Bool {
        node.operation.activation != .none
            && activations[node.output]?.range(after: node.operation.activation) == QuantizedGraph.activationRange
    }

    public mutating func activation(of node: InferenceNode, written: String,
                                    in builder: inout ONNXGraphBuilder) throws -> String {
        guard let quantization = activations[node.output] else { return written }
        let value = node.output
        var parameters = [builder.addInitializer(NamedTensorData(name: "\(value).scale", shape: [],
                                                                 floats: [quantization.scale]))]
        if quantization.zeroPoint != 0 {
            parameters.append(builder.addInitializer(NamedTensorData(name: "\(value).zp", shape: [],
                                                                     uint8s: [UInt8(quantization.zeroPoint)])))
        }
        let (quantized, dequantized) = ("\(value).q", "\(value).dq")
        builder.add(ONNXNode("QuantizeLinear", name: quantized, inputs: [written] + parameters, outputs: [quantized]))
        builder.add(ONNXNode("DequantizeLinear", name: dequantized, inputs: [quantized] + parameters,
                             outputs: [dequantized]))
        return dequantized
    }

    /// The name of `bias`'s int32 values: stored as int16 behind a `Cast` when they all fit (half the bytes), else
    /// as they are.
    private static func narrowed(_ bias: NamedTensorData, in builder: inout ONNXGraphBuilder) throws -> String {
        let values = try bias.int32s()
        guard values.allSatisfy({ Int16(exactly: $0) != nil }) else { return builder.addInitializer(bias) }
        let halves = builder.addInitializer(ONNXTensor(
            name: bias.name, dataType: .int16, dims: bias.shape,
            rawData: values.flatMap { value -> [UInt8] in
                let bits = UInt16(bitPattern: Int16(value))
                return [UInt8(truncatingIfNeeded: bits), UInt8(bits >> 8)]
            }))
        let widened = "\(bias.name).int32"
        builder.add(ONNXNode("Cast", name: widened, inputs: [halves], outputs: [widened],
                             attributes: [ONNXAttribute("to", .int(Int(ONNXDataType.int32.rawValue)))]))
        return widened
    }
}

extension ONNXExport {
    /// The INT8 QDQ ONNX model of a quantized model (`QDQEncoding`), with its metadata but the `quantization`
    /// entry, which the graph's quantize/dequantize pairs carry, and its graph `compacted()`: the deployed file,
    /// where every byte counts (the FP32 export keeps the module paths).
    public static func int8(_ model: TrainedModel) throws -> ONNXModel {
        let graph = try InferenceGraph(quantized: model)
        var encoding = try QDQEncoding(graph)
        var onnx = try self.model(graph, name: model.configuration.architecture.rawValue,
                                  metadata: metadata(of: model).filter { $0.key != Checkpoint.Key.quantization },
                                  encoding: &encoding)
        onnx.graph = onnx.graph.compacted()
        return onnx
    }
}
