import CondenseCore
import CondenseNN

/// An INT8 model's tensors as onnxruntime's quantization tooling writes them in QDQ format (opset 13):
/// - weights: the int8 initializer `<node>.weight` with per-output-channel `<node>.weight_scale` (float32) and
///   `<node>.weight_zero_point` (int8 zeros), through `DequantizeLinear` with `axis` 0;
/// - biases: the int32 initializer `<node>.bias` at scale `input scale × weight scale` per channel
///   (`<node>.bias_scale`, zero point `<node>.bias_zero_point`, int32 zeros), through `DequantizeLinear`, axis 0;
/// - activations: every value the model quantizes (the normalized input, each convolution's output after its
///   activation, each residual sum, max pooling and the pooled features before the classifier) through a
///   `QuantizeLinear` → `DequantizeLinear` pair with the value's uint8 scale and zero point (`<value>.scale`,
///   `<value>.zero_point`), so a runtime fuses each `DequantizeLinear → Conv → QuantizeLinear` into an integer
///   convolution.
public struct QDQEncoding: ONNXValueEncoding {
    /// Each quantized graph value's scale and zero point.
    private let activations: [String: QuantizedGraph.TensorQuantization]
    /// Each weighted node's per-channel weight scales and the scale of its input.
    private let layers: [String: (weightScales: [Float], inputScale: Float)]

    /// The encoding of `classifier`'s tensors; `values` maps its quantized tensors to graph values (from
    /// `InferenceGraph.lowering(quantized:)`).
    init(_ classifier: QuantizedClassifier, values: [String: String]) throws {
        activations = Dictionary(uniqueKeysWithValues: values.map { ($0.value, classifier.graph.tensors[$0.key]!) })
        let inputs = Dictionary(uniqueKeysWithValues: classifier.graph.nodes.map { ($0.name, $0.inputs[0]) })
        layers = Dictionary(uniqueKeysWithValues: try classifier.layers.map { layer in
            (layer.name, (try layer.weightScale.value.toHost(), classifier.graph.tensors[inputs[layer.name]!]!.scale))
        })
    }

    public mutating func weight(_ tensor: NamedTensorData, of node: InferenceNode,
                                in builder: inout ONNXGraphBuilder) throws -> String {
        guard let layer = layers[node.name], tensor.dtype == .int8 || tensor.dtype == .int32 else {
            throw CondenseError.invalidArgument(op: "export", "'\(tensor.name)' is not a quantized weight or bias")
        }
        let channels = layer.weightScales.count
        let (scales, zeroPoint) = tensor.dtype == .int8
            ? (layer.weightScales, NamedTensorData(name: "\(tensor.name)_zero_point", shape: [channels],
                                                   int8s: [Int8](repeating: 0, count: channels)))
            : (layer.weightScales.map { layer.inputScale * $0 },
               NamedTensorData(name: "\(tensor.name)_zero_point", shape: [channels],
                               int32s: [Int32](repeating: 0, count: channels)))
        let inputs = [builder.addInitializer(tensor),
                      builder.addInitializer(NamedTensorData(name: "\(tensor.name)_scale", shape: [channels],
                                                             floats: scales)),
                      builder.addInitializer(zeroPoint)]
        let output = "\(tensor.name)_dequantized"
        builder.add(ONNXNode("DequantizeLinear", name: output, inputs: inputs, outputs: [output],
                             attributes: [ONNXAttribute("axis", .int(0))]))
        return output
    }

    public mutating func activation(_ value: String, of node: InferenceNode,
                                    in builder: inout ONNXGraphBuilder) throws -> String {
        guard let quantization = activations[value] else { return value }
        let parameters = [builder.addInitializer(NamedTensorData(name: "\(value).scale", shape: [],
                                                                 floats: [quantization.scale])),
                          builder.addInitializer(NamedTensorData(name: "\(value).zero_point", shape: [],
                                                                 uint8s: [UInt8(quantization.zeroPoint)]))]
        let (quantized, dequantized) = ("\(value).quantized", "\(value).dequantized")
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
