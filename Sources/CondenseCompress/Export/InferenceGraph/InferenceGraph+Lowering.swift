import CondenseCore
import CondenseNN

extension InferenceGraph {
    /// The inference graph of `model` (see `InferenceGraph` for the node and value names).
    ///
    /// Knows the layers of `CondenseNN`: `Conv2d` (with the `BatchNorm2d` after it folded in), `BatchNorm2d`'s fused
    /// activation, `ActivationLayer`, `Linear`, `GlobalAveragePool`, `MaxPool2d`, `Dropout` (left out), `Sequential`,
    /// `Residual`, `InvertedResidual`, `ResidualBlock`, and the `ResNet`, `CIFARResNet` and `MobileNetV2` models.
    ///
    /// - Throws: `CondenseError.invalidArgument` naming the module path and type of any other module or of a batch
    ///   norm that does not follow a convolution; when the model does not end in a `Linear`; and when the stored
    ///   normalization does not hold one mean and one std per input channel.
    public init(lowering model: TrainedModel) throws {
        let channels = model.configuration.inputChannels
        guard model.normalizationMean.count == channels, model.normalizationStd.count == channels else {
            throw CondenseError.invalidArgument(op: "export", "the model's normalization has \(model.normalizationMean.count) " +
                                                "means and \(model.normalizationStd.count) stds; its \(channels)-channel " +
                                                "input needs one of each per channel")
        }
        var lowering = GraphLowering(purpose: "export")
        try lowering.lowerClassifier(model.module, input: Self.inputName)
        self = InferenceGraph(inputShape: [], nodes: lowering.nodes)
            .normalizing(mean: model.normalizationMean, std: model.normalizationStd,
                         inputShape: [channels, model.configuration.imageSize, model.configuration.imageSize])
    }
}

/// The float layers behind one node of a lowered graph: what quantization-aware training runs for that node.
enum LayerBinding {
    /// A convolution and the batch norm folded into it (with its fused activation), if any.
    case convolution(Conv2d, BatchNorm2d?)
    /// The classifier and the dropout before it, if any (training only; the graph leaves dropout out).
    case linear(Linear, dropout: Dropout?)
    case maxPool(MaxPool2d)
    /// A residual sum of the block at path `block`; `shortcutFirst` when the block's forward pass adds the shortcut
    /// to the body (`InvertedResidual`, `Residual`) rather than the body to the shortcut (`ResidualBlock`).
    case residual(block: String, shortcutFirst: Bool)
}

/// The one walk over a module tree: appends `InferenceNode`s (batch norms folded into their convolutions) and, for
/// the nodes that stand for float layers, the `LayerBinding` behind them. `InferenceGraph(lowering:)` builds the
/// exported graph with it, and quantization (`QuantizedGraph(lowering:)`) derives its fused graph from the same
/// nodes, so both read a model's layout one way.
struct GraphLowering {
    /// The command the walk serves (`export`, `quantize`), for its error messages.
    let purpose: String
    private(set) var nodes: [InferenceNode] = []
    /// Each node's float layers, by node name.
    private(set) var bindings: [String: LayerBinding] = [:]
    /// A dropout waiting for the `Linear` after it.
    private var pendingDropout: Dropout?

    init(purpose: String) { self.purpose = purpose }

    /// Appends a node named `name` that writes the value `name`, and returns that value.
    private mutating func emit(_ name: String, _ operation: InferenceOperation, _ inputs: [String],
                       binding: LayerBinding? = nil) -> String {
        nodes.append(InferenceNode(name: name, operation: operation, inputs: inputs, output: name))
        bindings[name] = binding
        return name
    }

    /// Lowers a whole classifier reading `input`; its last node, the `Linear` classifier, writes `logits`.
    mutating func lowerClassifier(_ model: Module, input: String) throws {
        _ = try lower(model, path: "", input: input)
        guard case .gemm? = nodes.last?.operation else {
            throw CondenseError.invalidArgument(op: purpose, "the model does not end in a Linear classifier")
        }
        nodes[nodes.count - 1].output = InferenceGraph.outputName
    }

    /// Lowers `module` (at dotted `path`) reading `input`; returns the value it writes.
    private mutating func lower(_ module: Module, path: String, input: String) throws -> String {
        switch module {
        case is ResNet, is CIFARResNet, is MobileNetV2:
            // Backbone children in order, then global pooling, flattening and the classifier (the last child).
            guard let head = module.children.last else { throw unknown(module, path) }
            let features = try chain(Array(module.children.dropLast()), prefix: path, input: input)
            let pooled = emit(joined(path, "avgpool"), .globalAveragePool, [features])
            let flat = emit(joined(path, "flatten"), .flatten, [pooled])
            return try lower(head.module, path: joined(path, head.name), input: flat)
        case is Sequential:
            return try chain(module.children, prefix: path, input: input)
        case let block as InvertedResidual:
            let body = try chain(block.children, prefix: path, input: input)
            return block.usesResidual ? residualSum(path, body: body, shortcut: input, shortcutFirst: true) : body
        case is ResidualBlock:
            let branches = Dictionary(grouping: module.children) { $0.name == "downsample" }
            let body = try chain(branches[false] ?? [], prefix: path, input: input)
            let shortcut = try chain(branches[true] ?? [], prefix: path, input: input)
            let sum = residualSum(path, body: body, shortcut: shortcut, shortcutFirst: false)
            return emit(joined(path, "relu"), .relu, [sum])
        case let residual as Residual:
            let body = try lower(residual.body, path: joined(path, "body"), input: input)
            return residualSum(path, body: body, shortcut: input, shortcutFirst: true)
        case let conv as Conv2d:
            return try convolution(conv, path: path, batchNorm: nil, input: input)
        case let layer as ActivationLayer:
            return activation(layer.kind, name: path, input: input)
        case let linear as Linear:
            return try gemm(linear, path: path, input: input)
        case let pool as MaxPool2d:
            return emit(path, .maxPool(pool.parameters), [input], binding: .maxPool(pool))
        case is GlobalAveragePool:  // [N, C] like the layer's own output
            let pooled = emit(path, .globalAveragePool, [input])
            return emit(joined(path, "flatten"), .flatten, [pooled])
        case let dropout as Dropout:
            pendingDropout = dropout
            return input
        default:
            throw unknown(module, path)
        }
    }

    /// Lowers named modules one after another, folding each `BatchNorm2d` into the `Conv2d` just before it.
    private mutating func chain(_ items: [(name: String, module: Module)], prefix: String, input: String) throws -> String {
        var value = input
        var index = items.startIndex
        while index < items.endIndex {
            let (name, module) = items[index]
            let path = joined(prefix, name)
            if let conv = module as? Conv2d {
                let next = items.index(after: index)
                let batchNorm = next < items.endIndex ? (items[next].module as? BatchNorm2d).map {
                    (module: $0, path: joined(prefix, items[next].name))
                } : nil
                value = try convolution(conv, path: path, batchNorm: batchNorm, input: value)
                index = batchNorm == nil ? next : items.index(after: next)
            } else if module is BatchNorm2d {
                throw CondenseError.invalidArgument(op: purpose, "module '\(path)' (BatchNorm2d) does not follow a " +
                                                    "Conv2d, so it cannot be folded")
            } else {
                value = try lower(module, path: path, input: value)
                index = items.index(after: index)
            }
        }
        return value
    }

    /// The sum node `<block>.add`: inputs body first, then the shortcut.
    private mutating func residualSum(_ block: String, body: String, shortcut: String, shortcutFirst: Bool) -> String {
        emit(joined(block, "add"), .add, [body, shortcut], binding: .residual(block: block, shortcutFirst: shortcutFirst))
    }

    /// A convolution node with `batchNorm` (if any) folded in, followed by the batch norm's activation node.
    private mutating func convolution(_ conv: Conv2d, path: String, batchNorm: (module: BatchNorm2d, path: String)?,
                                      input: String) throws -> String {
        let shape = conv.weight.shape.dims
        let outChannels = shape[0]
        var weight = try conv.weight.value.toHost()
        var bias = try conv.bias?.value.toHost() ?? [Float](repeating: 0, count: outChannels)
        if let batchNorm {
            let folded = try BatchNormFolding.fold(weight: weight, weightShape: shape, bias: bias,
                                                   into: try BatchNormFolding.Statistics(of: batchNorm.module))
            (weight, bias) = (folded.weight, folded.bias)
        }
        let output = emit(path, .convolution(weight: NamedTensorData(name: path + ".weight", shape: shape, floats: weight),
                                             bias: NamedTensorData(name: path + ".bias", shape: [outChannels], floats: bias),
                                             parameters: conv.parameters), [input],
                          binding: .convolution(conv, batchNorm?.module))
        guard let batchNorm else { return output }
        return activation(batchNorm.module.activation, name: batchNorm.path, input: output)
    }

    /// A `relu` or `relu6` node named `name`; no node for `.none`.
    private mutating func activation(_ kind: Activation, name: String, input: String) -> String {
        switch kind {
        case .none: input
        case .relu: emit(name, .relu, [input])
        case .relu6: emit(name, .relu6, [input])
        }
    }

    /// A gemm node, after a `flatten` node named `<path>.flatten` unless the input is already flat (a `Linear`
    /// flattens `[N, C, H, W]` to `[N, C·H·W]` as ONNX's `Flatten` with axis 1 does).
    private mutating func gemm(_ linear: Linear, path: String, input: String) throws -> String {
        let flat = nodes.last { $0.output == input }.map { if case .flatten = $0.operation { true } else { false } } ?? false
        let gemmInput = flat ? input : emit(joined(path, "flatten"), .flatten, [input])
        let weight = linear.weight.shape.dims
        defer { pendingDropout = nil }
        return emit(path, .gemm(weight: NamedTensorData(name: path + ".weight", shape: weight,
                                                        floats: try linear.weight.value.toHost()),
                                bias: NamedTensorData(name: path + ".bias", shape: [weight[0]],
                                                      floats: try linear.bias.value.toHost())), [gemmInput],
                    binding: .linear(linear, dropout: pendingDropout))
    }

    private func unknown(_ module: Module, _ path: String) -> CondenseError {
        CondenseError.invalidArgument(op: purpose, "module '\(path.isEmpty ? "<model>" : path)' is a " +
                                      "\(type(of: module)), which \(purpose) does not know how to lower (it knows " +
                                      "Conv2d, BatchNorm2d, ActivationLayer, Linear, MaxPool2d, GlobalAveragePool, " +
                                      "Dropout, Sequential, Residual, InvertedResidual, ResidualBlock, ResNet, " +
                                      "CIFARResNet and MobileNetV2)")
    }
}

/// `prefix.name`, or `name` at the root.
private func joined(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }
