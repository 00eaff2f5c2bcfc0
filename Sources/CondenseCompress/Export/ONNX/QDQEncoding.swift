import CondenseCore
import CondenseNN

/// An INT8 model's tensors in QDQ format (opset 13), as onnxruntime's quantization tooling lays them out, so a
/// runtime fuses each `DequantizeLinear → Conv → QuantizeLinear` into an integer convolution (`QLinearConv`):
/// - weights: the int8 initializer `<node>.weight` with its per-output-channel float32 scales `<node>.weight_scale`
///   through `DequantizeLinear` on axis 0;
/// - biases: the int32 initializer `<node>.bias` through `DequantizeLinear` on axis 0 at scale `s_in·s_w` per
///   channel, which a `Mul` of the input's scale and the weight scales computes (a constant the runtime folds);
/// - activations: every value the model quantizes (the normalized input, each convolution's output after its
///   activation, each residual sum, max pooling, and the pooled features before the classifier) through a
///   `QuantizeLinear` → `DequantizeLinear` pair with its uint8 scale and zero point (`<value>.scale`, `<value>.zp`).
///
/// Unlike the tooling, the all-zero zero points of weights and biases are left out (ONNX's default is 0) and the
/// bias scales are computed rather than stored: eight bytes fewer per output channel, which is a fifth of a
/// MobileNetV2 0.35's INT8 file.
public struct QDQEncoding: ONNXValueEncoding {
    /// Each quantized graph value's scale and zero point.
    private let activations: [String: QuantizedGraph.TensorQuantization]
    /// Each weighted node's per-channel weight scales and the graph value of its quantized input.
    private let layers: [String: (weightScales: [Float], input: String)]

    /// The encoding of `classifier`'s tensors; `values` maps its quantized tensors to graph values (from
    /// `InferenceGraph.lowering(quantized:)`).
    init(_ classifier: QuantizedClassifier, values: [String: String]) throws {
        activations = Dictionary(uniqueKeysWithValues: values.map { ($0.value, classifier.graph.tensors[$0.key]!) })
        let inputs = Dictionary(uniqueKeysWithValues: classifier.graph.nodes.map { ($0.name, $0.inputs[0]) })
        layers = Dictionary(uniqueKeysWithValues: try classifier.layers.map { layer in
            (layer.name, (try layer.weightScale.value.toHost(), values[inputs[layer.name]!]!))
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
        var scale = weightScale
        if tensor.dtype == .int32 {
            scale = "\(node.name).bias_scale"
            builder.add(ONNXNode("Mul", name: scale, inputs: [weightScale, "\(layer.input).scale"], outputs: [scale]))
        }
        let output = "\(tensor.name).dq"
        builder.add(ONNXNode("DequantizeLinear", name: output, inputs: [builder.addInitializer(tensor), scale],
                             outputs: [output], attributes: [ONNXAttribute("axis", .int(0))]))
        return output
    }

    public mutating func activation(_ value: String, of node: InferenceNode,
                                    in builder: inout ONNXGraphBuilder) throws -> String {
        guard let quantization = activations[value] else { return value }
        let parameters = [builder.addInitializer(NamedTensorData(name: "\(value).scale", shape: [],
                                                                 floats: [quantization.scale])),
                          builder.addInitializer(NamedTensorData(name: "\(value).zp", shape: [],
                                                                 uint8s: [UInt8(quantization.zeroPoint)]))]
        let (quantized, dequantized) = ("\(value).q", "\(value).dq")
        builder.add(ONNXNode("QuantizeLinear", name: quantized, inputs: [value] + parameters, outputs: [quantized]))
        builder.add(ONNXNode("DequantizeLinear", name: dequantized, inputs: [quantized] + parameters,
                             outputs: [dequantized]))
        return dequantized
    }
}

extension ONNXExport {
    /// The INT8 QDQ ONNX model of a quantized model (`QDQEncoding`), with its metadata but the `quantization`
    /// entry, which the graph's quantize/dequantize pairs carry.
    public static func int8(_ model: TrainedModel) throws -> ONNXModel {
        let (graph, values) = try InferenceGraph.lowering(quantized: model)
        var encoding = try QDQEncoding(model.module as! QuantizedClassifier, values: values)
        return try self.model(graph, name: model.configuration.architecture,
                              metadata: metadata(of: model).filter { $0.key != Checkpoint.Key.quantization },
                              encoding: &encoding)
    }
}
