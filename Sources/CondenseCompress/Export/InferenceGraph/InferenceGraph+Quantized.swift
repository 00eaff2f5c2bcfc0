import CondenseCore
import CondenseNN

extension InferenceGraph {
    /// The inference graph of an INT8 model (a `QuantizedClassifier`, as a quantized checkpoint loads), annotated
    /// with its quantization (`InferenceQuantization`).
    ///
    /// The nodes are a float model's (`InferenceGraph(lowering:)`): `normalize` first; a convolution named after its
    /// layer (`features.3.conv.1.0`) followed by a `<layer>.relu`/`<layer>.relu6` node when it has an activation; a
    /// residual sum `<block>.add`, then `<block>.relu` in a ResNet block; `avgpool`, `flatten` and the classifier's
    /// gemm, writing `logits`. The convolutions' and gemm's tensors are the stored int8 weights and int32 biases; a
    /// sum reads its inputs in the order the checkpoint stores them.
    ///
    /// - Throws: `CondenseError.invalidArgument` for a model that is not quantized or whose normalization does not
    ///   hold one mean and one std per input channel.
    public init(quantized model: TrainedModel) throws {
        guard let classifier = model.module as? QuantizedClassifier else {
            throw CondenseError.invalidArgument(op: "export", "an INT8 export needs a quantized model (condense quantize)")
        }
        let c = model.configuration
        guard model.normalizationMean.count == c.inputChannels, model.normalizationStd.count == c.inputChannels else {
            throw CondenseError.invalidArgument(op: "export", "the model's normalization needs one mean and one std per " +
                                                "input channel (\(c.inputChannels))")
        }
        let layers = Dictionary(uniqueKeysWithValues: classifier.layers.map { ($0.name, $0) })
        var nodes: [InferenceNode] = []
        func emit(_ name: String, _ operation: InferenceOperation, _ inputs: [String]) -> String {
            nodes.append(InferenceNode(name: name, operation: operation, inputs: inputs, output: name))
            return name
        }
        func activation(_ kind: Activation, after value: String, name: String) -> String {
            switch kind {
            case .none: value
            case .relu: emit("\(name).relu", .relu, [value])
            case .relu6: emit("\(name).relu6", .relu6, [value])
            }
        }
        var values = [QuantizedGraph.input: emit("normalize", .normalize(mean: model.normalizationMean,
                                                                          std: model.normalizationStd), [Self.inputName])]
        for node in classifier.graph.nodes {
            let inputs = node.inputs.map { values[$0]! }
            switch node.op {
            case .convolution:
                let layer = layers[node.name]!
                let convolution = emit(node.name, .convolution(
                    weight: try NamedTensorData(name: "\(node.name).weight", tensor: layer.weight.value),
                    bias: try NamedTensorData(name: "\(node.name).bias", tensor: layer.bias.value),
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
                let layer = layers[node.name]!
                let flat = emit("flatten", .flatten, inputs)
                nodes.append(InferenceNode(name: node.name, operation: .gemm(
                    weight: try NamedTensorData(name: "\(node.name).weight", tensor: layer.weight.value),
                    bias: try NamedTensorData(name: "\(node.name).bias", tensor: layer.bias.value)),
                                           inputs: [flat], output: Self.outputName))
            }
        }
        let activations = Dictionary(uniqueKeysWithValues: values.compactMap { tensor, value in
            classifier.graph.tensors[tensor].map { (value, $0) }
        })
        let weightScales = Dictionary(uniqueKeysWithValues: try classifier.layers.map {
            ($0.name, try $0.weightScale.value.toHost())
        })
        self.init(inputShape: [c.inputChannels, c.imageSize, c.imageSize], nodes: nodes,
                  quantization: InferenceQuantization(activations: activations, weightScales: weightScales))
    }
}
