import CondenseCore
import CondenseNN

extension QuantizedGraph {
    /// The quantization graph of a float classifier (MobileNetV2, the ResNets; any channel counts) and the float
    /// layers behind its nodes, read off the model's inference graph (`GraphLowering`, the walk the exporter uses):
    /// each convolution with the batch norm folded into it and the activation after it, a residual add per block
    /// that has one (the ReLU after it in the ResNets' blocks), max pooling, the global average pooling before the
    /// classifier (flattening is only a view) and the classifier. An add reads its inputs in the order the block's
    /// forward pass adds them (`condense-int8` checkpoints store them so). `FakeQuantizedClassifier` checks the
    /// result numerically against the model before it is used.
    ///
    /// - Throws: `CondenseError.invalidArgument` for another kind of model, a layer the lowering does not know, or an
    ///   activation that is not a convolution's or sum's fused activation (`InferenceGraph.fusedActivation(of:)`).
    static func lowering(_ model: Module) throws -> (graph: QuantizedGraph, bindings: [String: LayerBinding]) {
        guard model is MobileNetV2 || model is ResNet || model is CIFARResNet else {
            throw CondenseError.invalidArgument(op: "quantize", "cannot quantize a \(type(of: model)) model: " +
                                                "MobileNetV2, ResNet and CIFAR ResNet models are supported")
        }
        var lowering = GraphLowering(purpose: "quantize")
        try lowering.lowerClassifier(model, input: InferenceGraph.inputName)
        let graph = InferenceGraph(inputShape: [], nodes: lowering.nodes)
        var nodes: [Node] = [], bindings: [String: LayerBinding] = [:], fused: Set<String> = []
        var tensors = [InferenceGraph.inputName: input]  // inference value → the quantized tensor holding it
        for inference in graph.nodes {
            let inputs = inference.inputs.map { tensors[$0]! }
            let binding = lowering.bindings[inference.name]
            var node: Node
            switch (inference.operation, binding) {
            case let (.convolution(_, _, parameters), _):
                node = Node(op: .convolution, name: inference.name, inputs: inputs)
                node.convolutionParameters = parameters
            case let (.maxPool(parameters), _):
                node = Node(op: .maxPool, name: inference.name, inputs: inputs)
                node.poolParameters = parameters
            case (.globalAveragePool, _):
                node = Node(op: .globalAveragePool, name: inference.name, inputs: inputs)
            case (.gemm, _):
                node = Node(op: .linear, name: inference.name, inputs: inputs)
            case let (.add, .residual(block, shortcutFirst)?):
                node = Node(op: .add, name: block, inputs: shortcutFirst ? inputs.reversed() : inputs)
            case (.flatten, _):
                tensors[inference.output] = inputs[0]
                continue
            case (.relu, _), (.relu6, _):
                // The clamp of the convolution or sum before it (which took it as its activation), or unquantizable.
                guard fused.contains(inference.name) else {
                    throw CondenseError.invalidArgument(op: "quantize", "activation '\(inference.name)' is not the " +
                                                        "only reader right after a convolution or residual sum, so " +
                                                        "quantization cannot fuse it")
                }
                tensors[inference.output] = inputs[0]
                continue
            case (.normalize, _), (.add, _):
                throw CondenseError.invalidArgument(op: "quantize", "node '\(inference.name)' " +
                                                    "(\(inference.operation.kind)) has no quantized form")
            }
            if node.op == .convolution || node.op == .add, let clamp = graph.fusedActivation(of: inference) {
                node.activationKind = clamp.operation.activation
                fused.insert(clamp.name)
            }
            nodes.append(node)
            bindings[node.name] = binding
            tensors[inference.output] = node.name
        }
        return (QuantizedGraph(nodes: nodes), bindings)
    }
}
