import CondenseCore
import CondenseNN

extension FakeQuantizedClassifier {
    /// The INT8 model: each batch norm folded into its convolution (`BatchNormFolding`), the weights quantized per
    /// output channel (`WeightQuantization`), each bias rounded to int32 at scale `s_in·s_w` (as onnxruntime's
    /// quantization tooling does), and every tensor's scale and zero point from its quantizer.
    public func converted() throws -> QuantizedClassifier {
        let graph = try quantizedGraph()
        for name in graph.tensors.keys.sorted() where activationQuantizers[name]?.observations == 0 {
            throw CondenseError.invalidArgument(op: "quantize", "tensor '\(name)' was never observed: calibrate " +
                                                "or train before converting")
        }
        do {
            try graph.validate(path: "quantized model")
        } catch let CondenseError.file(_, detail) {
            throw CondenseError.invalidArgument(op: "quantize", detail + " (with learned scales, lower the learning " +
                                                "rate)")
        }
        let backend = try model.backend
        var layers: [QuantizedLayer] = []
        for node in graph.nodes {
            let inputScale = graph.tensors[node.inputs[0]]!.scale
            switch bindings[node.name] {
            case let .convolution(conv, batchNorm)?:
                let (weight, bias) = try batchNorm.map { try BatchNormFolding.fold(conv, $0) }.map { ($0.weight, $0.bias) }
                    ?? (try conv.weight.value.toHost(), try conv.bias?.value.toHost()
                        ?? [Float](repeating: 0, count: conv.weight.shape[0]))
                layers.append(try Self.layer(node.name, weight: weight, shape: conv.weight.shape, bias: bias,
                                             inputScale: inputScale, on: backend))
            case let .linear(linear, _)?:
                layers.append(try Self.layer(node.name, weight: try linear.weight.value.toHost(),
                                             shape: linear.weight.shape, bias: try linear.bias.value.toHost(),
                                             inputScale: inputScale, on: backend))
            default:
                break
            }
        }
        return try QuantizedClassifier(graph: graph, layers: layers)
    }

    /// One layer's int8 weights, scales and int32 bias (`round(b/(s_in·s_w))`, clamped to the int32 range).
    static func layer(_ name: String, weight: [Float], shape: Shape, bias: [Float], inputScale: Float,
                      on backend: Backend) throws -> QuantizedLayer {
        let (values, scales) = WeightQuantization.quantize(weight, outputChannels: shape[0])
        let biases = bias.indices.map { channel -> Int32 in
            let q = Double((bias[channel] / (inputScale * scales[channel])).rounded(.toNearestOrEven))
            return Int32(min(max(q, Double(Int32.min)), Double(Int32.max)))
        }
        return try QuantizedLayer(name: name, weight: values, shape: shape, scales: scales, bias: biases, on: backend)
    }
}
