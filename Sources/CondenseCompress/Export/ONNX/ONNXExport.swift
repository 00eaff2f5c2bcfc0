import CondenseCore
import CondenseNN

/// Writes an `InferenceGraph` as an ONNX model (opset 13) that takes `image`, float32 `[N, C, H, W]` with pixels
/// in [0, 1] and a symbolic batch `N`, and returns `logits`, float32 `[N, classes]`.
///
/// Each inference node becomes ONNX operators named after it: `normalize` → `Sub` (`normalize.sub`, constant
/// `normalize.mean` `[1, C, 1, 1]`) and `Div` (`normalize`, constant `normalize.std`); conv → `Conv` (weight and
/// bias `<node>.weight`, `<node>.bias`, `group` for depthwise); relu → `Relu`; relu6 → `Clip` with the shared
/// constants `relu6.min` = 0 and `relu6.max` = 6; add → `Add`; maxpool → `MaxPool`; avgpool →
/// `GlobalAveragePool`; flatten → `Flatten` (axis 1); gemm → `Gemm` (transB = 1). ONNX value names are the
/// graph's value names, unless the `ONNXValueEncoding` renames them (an INT8 export's dequantized values) or
/// subsumes the node (an INT8 export's ReLU, which its output's quantization does).
public enum ONNXExport {
    /// The ONNX model of `graph`, with `metadata` as its `metadata_props`, weights and activations written by
    /// `encoding`.
    public static func model<Encoding: ONNXValueEncoding>(_ graph: InferenceGraph, name: String,
                                                          metadata: [(key: String, value: String)],
                                                          encoding: inout Encoding) throws -> ONNXModel {
        var builder = ONNXGraphBuilder()
        var reads = [InferenceGraph.inputName: InferenceGraph.inputName]  // graph value → the ONNX name to read
        for node in graph.nodes {
            let inputs = try node.inputs.map { value -> String in
                guard let name = reads[value] else {
                    throw CondenseError.invalidArgument(op: "export", "node '\(node.name)' reads '\(value)', which no " +
                                                        "earlier node writes")
                }
                return name
            }
            var written = node.output
            if encoding.subsumes(node) {
                written = inputs[0]
            } else {
                try emit(node, inputs: inputs, encoding: &encoding, into: &builder)
            }
            reads[node.output] = node.output == InferenceGraph.outputName
                ? node.output : try encoding.activation(of: node, written: written, in: &builder)
        }
        let batch = ONNXValueInfo.Dimension.symbolic("N")
        let onnxGraph = ONNXGraph(
            name: name, nodes: builder.nodes, initializers: builder.initializers,
            inputs: [ONNXValueInfo(name: InferenceGraph.inputName, elementType: .float,
                                   shape: [batch] + graph.inputShape.map { .fixed($0) })],
            outputs: [ONNXValueInfo(name: InferenceGraph.outputName, elementType: .float,
                                    shape: [batch, .fixed(graph.classes)])])
        return ONNXModel(graph: onnxGraph, producerName: "condense", producerVersion: CondenseVersion.current,
                         metadata: metadata)
    }

    /// The FP32 ONNX model of a trained model, with its metadata (`ONNXExport.metadata(of:)`).
    public static func float32(_ model: TrainedModel) throws -> ONNXModel {
        var encoding = FloatEncoding()
        return try self.model(try InferenceGraph(lowering: model), name: model.configuration.architecture.rawValue,
                              metadata: metadata(of: model), encoding: &encoding)
    }

    /// The model's checkpoint metadata (architecture, width, classes, input shape, normalization, class names, as
    /// JSON text where structured) plus `condense_version`, sorted by key.
    public static func metadata(of model: TrainedModel) -> [(key: String, value: String)] {
        model.metadata.merging([CondenseVersion.metadataKey: CondenseVersion.current]) { $1 }
            .sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    }

    /// Appends the ONNX operators of one inference node, reading `inputs`.
    private static func emit<Encoding: ONNXValueEncoding>(_ node: InferenceNode, inputs: [String],
                                                          encoding: inout Encoding,
                                                          into builder: inout ONNXGraphBuilder) throws {
        func add(_ opType: String, _ inputs: [String], _ attributes: [ONNXAttribute] = []) {
            builder.add(ONNXNode(opType, name: node.name, inputs: inputs, outputs: [node.output], attributes: attributes))
        }
        switch node.operation {
        case let .normalize(mean, std):
            let shape = [1, mean.count, 1, 1]
            let meanName = builder.addInitializer(NamedTensorData(name: node.name + ".mean", shape: shape, floats: mean))
            let stdName = builder.addInitializer(NamedTensorData(name: node.name + ".std", shape: shape, floats: std))
            let centered = node.name + ".centered"
            builder.add(ONNXNode("Sub", name: node.name + ".sub", inputs: [inputs[0], meanName], outputs: [centered]))
            add("Div", [centered, stdName])
        case let .convolution(weight, bias, p):
            let weightName = try encoding.weight(weight, of: node, in: &builder)
            let biasName = try encoding.weight(bias, of: node, in: &builder)
            add("Conv", [inputs[0], weightName, biasName],
                window(kernel: (p.kernelHeight, p.kernelWidth), stride: (p.strideHeight, p.strideWidth),
                       padding: (p.paddingHeight, p.paddingWidth))
                    + [ONNXAttribute("dilations", .ints([p.dilationHeight, p.dilationWidth])),
                       ONNXAttribute("group", .int(p.groups))])
        case .relu:
            add("Relu", inputs)
        case .relu6:
            let low = builder.addInitializer(NamedTensorData(name: "relu6.min", shape: [], floats: [0]))
            let high = builder.addInitializer(NamedTensorData(name: "relu6.max", shape: [], floats: [6]))
            add("Clip", [inputs[0], low, high])
        case .add:
            add("Add", inputs)
        case let .maxPool(p):
            add("MaxPool", inputs, window(kernel: (p.kernelHeight, p.kernelWidth), stride: (p.strideHeight, p.strideWidth),
                                          padding: (p.paddingHeight, p.paddingWidth)))
        case .globalAveragePool:
            add("GlobalAveragePool", inputs)
        case .flatten:
            add("Flatten", inputs, [ONNXAttribute("axis", .int(1))])
        case let .gemm(weight, bias):
            let weightName = try encoding.weight(weight, of: node, in: &builder)
            let biasName = try encoding.weight(bias, of: node, in: &builder)
            add("Gemm", [inputs[0], weightName, biasName], [ONNXAttribute("transB", .int(1))])
        }
    }

    /// `kernel_shape`, `strides` and `pads` (ONNX orders pads as all starts, then all ends: top, left, bottom,
    /// right) of a convolution or pooling window, each as (height, width).
    private static func window(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)) -> [ONNXAttribute] {
        [ONNXAttribute("kernel_shape", .ints([kernel.0, kernel.1])), ONNXAttribute("strides", .ints([stride.0, stride.1])),
         ONNXAttribute("pads", .ints([padding.0, padding.1, padding.0, padding.1]))]
    }
}
