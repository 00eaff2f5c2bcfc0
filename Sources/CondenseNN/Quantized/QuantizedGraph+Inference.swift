import CondenseCore

/// An INT8 model's stored graph and layers as its `InferenceGraph`, and where each stored tensor lives in it.
///
/// The graph reads the normalized images as `image` (no `normalize` node; any image size, so no `inputShape`): a
/// convolution named after its layer (`features.3.conv.1.0`) followed by a `<layer>.relu`/`<layer>.relu6` node when
/// it has an activation; a residual sum `<block>.add` reading its inputs in the stored order, then `<block>.relu` in
/// a ResNet block; max pooling; `avgpool`, `flatten` and the classifier's gemm, writing `logits`. The convolutions'
/// and gemm's tensors are the stored int8 weights and int32 biases, and its `quantization` the stored scales and
/// zero points.
struct QuantizedInferenceLayout {
    let graph: InferenceGraph
    /// The graph value holding each stored tensor (`input` → `image`, a convolution's tensor → its activation's
    /// value, the classifier's → `logits`).
    let values: [String: String]
    /// The graph nodes that compute each stored node's tensor, by stored node name.
    let spans: [String: Range<Int>]

    /// The layout of `stored` (validated, with one layer per convolution and linear node, as
    /// `QuantizedClassifier.init` checks).
    init(_ stored: QuantizedGraph, layers: [QuantizedLayer]) throws {
        let layerByName = Dictionary(uniqueKeysWithValues: layers.map { ($0.name, $0) })
        var nodes: [InferenceNode] = [], spans: [String: Range<Int>] = [:]
        func emit(_ name: String, _ operation: InferenceOperation, _ inputs: [String], output: String? = nil) -> String {
            nodes.append(InferenceNode(name: name, operation: operation, inputs: inputs, output: output ?? name))
            return output ?? name
        }
        func activation(_ kind: Activation, after value: String, name: String) -> String {
            switch kind {
            case .none: value
            case .relu: emit("\(name).relu", .relu, [value])
            case .relu6: emit("\(name).relu6", .relu6, [value])
            }
        }
        func tensors(of layer: QuantizedLayer) throws -> (weight: NamedTensorData, bias: NamedTensorData) {
            (try NamedTensorData(name: "\(layer.name).weight", tensor: layer.weight.value),
             try NamedTensorData(name: "\(layer.name).bias", tensor: layer.bias.value))
        }
        var values = [QuantizedGraph.input: InferenceGraph.inputName]
        for node in stored.nodes {
            let start = nodes.count, inputs = node.inputs.map { values[$0]! }
            switch node.op {
            case .convolution:
                let (weight, bias) = try tensors(of: layerByName[node.name]!)
                let convolution = emit(node.name, .convolution(weight: weight, bias: bias,
                                                               parameters: node.convolutionParameters), inputs)
                values[node.name] = activation(node.activationKind, after: convolution, name: node.name)
            case .add:
                values[node.name] = activation(node.activationKind, after: emit("\(node.name).add", .add, inputs),
                                               name: node.name)
            case .maxPool:
                values[node.name] = emit(node.name, .maxPool(node.poolParameters), inputs)
            case .globalAveragePool:
                values[node.name] = emit(node.name, .globalAveragePool, inputs)
            case .linear:
                let (weight, bias) = try tensors(of: layerByName[node.name]!)
                let flat = emit("flatten", .flatten, inputs)
                values[node.name] = emit(node.name, .gemm(weight: weight, bias: bias), [flat],
                                         output: InferenceGraph.outputName)
            }
            spans[node.name] = start..<nodes.count
        }
        let activations = Dictionary(uniqueKeysWithValues: values.compactMap { tensor, value in
            stored.tensors[tensor].map { (value, $0) }
        })
        let weightScales = Dictionary(uniqueKeysWithValues: try layers.map {
            ($0.name, try $0.weightScale.value.toHost())
        })
        graph = InferenceGraph(inputShape: [], nodes: nodes,
                               quantization: InferenceQuantization(activations: activations, weightScales: weightScales))
        self.values = values
        self.spans = spans
    }
}
