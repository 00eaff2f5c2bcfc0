import CondenseCore
import CondenseNN

/// The float layers behind one node of a quantized graph.
enum LayerBinding {
    /// A convolution and the batch norm after it (with its fused activation), if any.
    case convolution(Conv2d, BatchNorm2d?)
    /// The classifier and the dropout before it, if any (training only).
    case linear(Linear, dropout: Dropout?)
    case maxPool(MaxPool2d)
}

/// Lowers a float classifier's module tree (MobileNetV2, the ResNets; any channel counts) to the nodes of a
/// `QuantizedGraph`: each convolution with the batch norm that follows it and that batch norm's activation, a residual
/// add per block that has one (ReLU after it in the ResNets' blocks), max pooling, the global average pooling before
/// the classifier and the classifier. It mirrors the models' forward passes; `FakeQuantizedClassifier` checks the
/// result numerically against the model before it is used.
struct QuantizationLowering {
    private(set) var nodes: [QuantizedGraph.Node] = []
    private(set) var bindings: [String: LayerBinding] = [:]
    private var pendingDropout: Dropout?
    private var pooled = false

    /// The graph (without quantization parameters yet) and the layers behind its nodes.
    static func lower(_ model: Module) throws -> (graph: QuantizedGraph, bindings: [String: LayerBinding]) {
        guard model is MobileNetV2 || model is ResNet || model is CIFARResNet else {
            throw CondenseError.invalidArgument(op: "quantize", "cannot quantize a \(type(of: model)) model: " +
                                                "MobileNetV2, ResNet and CIFAR ResNet models are supported")
        }
        var lowering = QuantizationLowering()
        _ = try lowering.sequence(model.children, prefix: "", input: QuantizedGraph.input)
        guard lowering.nodes.last?.op == .linear else {
            throw CondenseError.invalidArgument(op: "quantize", "the model does not end in a linear classifier")
        }
        return (QuantizedGraph(nodes: lowering.nodes), lowering.bindings)
    }

    /// Lowers `items` run one after another (a convolution followed by a batch norm becomes one node) and returns
    /// the name of the last tensor.
    private mutating func sequence(_ items: [(name: String, module: Module)], prefix: String,
                                   input: String) throws -> String {
        var value = input, index = 0
        while index < items.count {
            let (name, module) = items[index]
            let path = prefix.isEmpty ? name : "\(prefix).\(name)"
            switch module {
            case let conv as Conv2d:
                let batchNorm = index + 1 < items.count ? items[index + 1].module as? BatchNorm2d : nil
                if batchNorm != nil { index += 1 }
                var node = QuantizedGraph.Node(op: .convolution, name: path, inputs: [value])
                node.convolutionParameters = conv.parameters
                node.activationKind = batchNorm?.activation ?? .none
                value = append(node, .convolution(conv, batchNorm))
            case let block as InvertedResidual:
                let body = try sequence(block.conv.children, prefix: "\(path).conv", input: value)
                value = block.usesResidual ? append(QuantizedGraph.Node(op: .add, name: path, inputs: [value, body]))
                    : body
            case let block as ResidualBlock:
                let body = try sequence(block.children.filter { $0.name != "downsample" }, prefix: path, input: value)
                let shortcut = try block.children.first { $0.name == "downsample" }.map {
                    try sequence($0.module.children, prefix: "\(path).downsample", input: value)
                } ?? value
                var node = QuantizedGraph.Node(op: .add, name: path, inputs: [body, shortcut])
                node.activationKind = .relu
                value = append(node)
            case let pool as MaxPool2d:
                var node = QuantizedGraph.Node(op: .maxPool, name: path, inputs: [value])
                node.poolParameters = pool.parameters
                value = append(node, .maxPool(pool))
            case let dropout as Dropout:
                pendingDropout = dropout
            case let linear as Linear:
                if !pooled {
                    value = append(QuantizedGraph.Node(op: .globalAveragePool, name: "avgpool", inputs: [value]))
                    pooled = true
                }
                value = append(QuantizedGraph.Node(op: .linear, name: path, inputs: [value]),
                               .linear(linear, dropout: pendingDropout))
                pendingDropout = nil
            case let sequential as Sequential:
                value = try sequence(sequential.children, prefix: path, input: value)
            default:
                throw CondenseError.invalidArgument(op: "quantize", "layer '\(path)' is a \(type(of: module)), which " +
                                                    "quantization does not know how to lower")
            }
            index += 1
        }
        return value
    }

    private mutating func append(_ node: QuantizedGraph.Node, _ binding: LayerBinding? = nil) -> String {
        nodes.append(node)
        bindings[node.name] = binding
        return node.name
    }
}
