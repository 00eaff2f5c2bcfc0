import CondenseCore
import CondenseNN

/// Walks a deployed `InferenceGraph` once, in order, adding each node's TFLite operators to a
/// `TFLiteModelBuilder`; `TFLiteExport` says what each node becomes. The value types (float32, or int8 with the
/// graph's quantization) and the integer-only pieces — the input's lookup table, integer weights and biases, the
/// classifier's dequantization — come from `TFLiteTensorEncoding`.
struct TFLiteGraphWriter {
    private let graph: InferenceGraph
    /// Each graph value's shape for one image, `[C, H, W]` or `[features]` (`InferenceGraph.valueShapes()`).
    private let shapes: [String: [Int]]
    private let encoding: TFLiteTensorEncoding
    private var builder = TFLiteModelBuilder()
    /// The tensor holding each graph value written so far.
    private var tensors: [String: Int] = [:]
    /// The `relu`/`relu6` nodes a convolution or sum before them applies as its fused activation.
    private var fused: Set<String> = []

    init(_ graph: InferenceGraph, encoding: TFLiteTensorEncoding) throws {
        guard graph.inputShape.count == 3 else {
            throw CondenseError.invalidArgument(op: "export", "a TFLite export needs the deployed graph's input shape " +
                                                "[C, H, W], got \(graph.inputShape)")
        }
        self.graph = graph
        self.shapes = try graph.valueShapes()
        self.encoding = encoding
    }

    /// The `.tflite` bytes of the graph.
    mutating func serialized(name: String, description: String, metadata: [(key: String, value: String)]) throws
        -> [UInt8] {
        let image = InferenceGraph.inputName
        let input = builder.addActivation(image, type: encoding.inputType, shape: nhwc(graph.inputShape))
        tensors[image] = input
        for node in graph.nodes {
            if fused.contains(node.name) {
                tensors[node.output] = tensors[node.inputs[0]]
            } else {
                try emit(node)
            }
        }
        guard let output = tensors[InferenceGraph.outputName] else {
            throw CondenseError.invalidArgument(op: "export", "the graph writes no '\(InferenceGraph.outputName)'")
        }
        return builder.serialized(name: name, inputs: [input], outputs: [output], description: description,
                                  metadata: metadata)
    }

    // MARK: - Nodes

    private mutating func emit(_ node: InferenceNode) throws {
        let integer = encoding.isInteger
        let x = try tensor(node.inputs[0], readBy: node)
        switch node.operation {
        case let .normalize(mean, std):
            let output = try activation(node.output)
            try encoding.normalize(node, mean: mean, std: std, input: x, shape: nhwc(graph.inputShape), output: output,
                                   into: &builder)
        case let .convolution(weight, bias, p):
            let inputShape = shapes[node.inputs[0]]!
            let depthwise = p.groups > 1 && p.groups == inputShape[0]
            guard p.groups == 1 || depthwise else {
                throw CondenseError.invalidArgument(op: "export", "node '\(node.name)': TFLite has no grouped " +
                                                    "convolution with \(p.groups) groups of \(inputShape[0]) channels")
            }
            let (padding, padded) = try window(node, input: x, kernel: (p.kernelHeight, p.kernelWidth),
                                               stride: (p.strideHeight, p.strideWidth),
                                               dilation: (p.dilationHeight, p.dilationWidth),
                                               padding: (p.paddingHeight, p.paddingWidth), fill: .zero)
            let filter = try encoding.filter(weight, of: node, depthwise: depthwise, into: &builder)
            let biases = try encoding.bias(bias, of: node, into: &builder)
            let (output, activation) = try clamped(node)
            var options = FlatBufferTable()
            options.set(0, padding.rawValue)
            options.set(1, Int32(p.strideWidth))
            options.set(2, Int32(p.strideHeight))
            if depthwise {
                options.set(3, Int32(weight.shape[0] / p.groups))  // depth_multiplier
                options.set(4, activation.rawValue)
                options.set(5, Int32(p.dilationWidth))
                options.set(6, Int32(p.dilationHeight))
            } else {
                options.set(3, activation.rawValue)
                options.set(4, Int32(p.dilationWidth))
                options.set(5, Int32(p.dilationHeight))
            }
            builder.addOperator(depthwise ? .depthwiseConv2d : .conv2d, integer: integer,
                                inputs: [padded, filter, biases], outputs: [output], options: options)
        case .relu, .relu6:
            guard !integer else {
                throw CondenseError.invalidArgument(op: "export", "activation '\(node.name)' follows neither a " +
                                                    "convolution nor a sum whose output it clamps")
            }
            builder.addOperator(node.operation.activation == .relu ? .relu : .relu6, integer: false, inputs: [x],
                                outputs: [try activation(node.output)])
        case .add:
            let (output, activation) = try clamped(node)
            var options = FlatBufferTable()
            options.set(0, activation.rawValue)
            builder.addOperator(.add, integer: integer, inputs: [x, try tensor(node.inputs[1], readBy: node)],
                                outputs: [output], options: options)
        case let .maxPool(p):
            let (padding, padded) = try window(node, input: x, kernel: (p.kernelHeight, p.kernelWidth),
                                               stride: (p.strideHeight, p.strideWidth), dilation: (1, 1),
                                               padding: (p.paddingHeight, p.paddingWidth), fill: .lowest)
            var options = FlatBufferTable()
            options.set(0, padding.rawValue)
            options.set(1, Int32(p.strideWidth))
            options.set(2, Int32(p.strideHeight))
            options.set(3, Int32(p.kernelWidth))
            options.set(4, Int32(p.kernelHeight))
            builder.addOperator(.maxPool2d, integer: integer, inputs: [padded], outputs: [try activation(node.output)],
                                options: options)
        case .globalAveragePool:
            let axes = builder.addConstant("spatial_axes", type: .int32, shape: [2], bytes: int32Bytes([1, 2]))
            var options = FlatBufferTable()
            options.set(0, true)  // keep_dims: [N, 1, 1, C]
            builder.addOperator(.mean, integer: integer, inputs: [x, axes], outputs: [try activation(node.output)],
                                options: options)
        case .flatten:
            let shape = shapes[node.inputs[0]]!
            guard shape.count == 1 || shape.dropFirst().allSatisfy({ $0 == 1 }) else {
                throw CondenseError.invalidArgument(op: "export", "node '\(node.name)' flattens a \(shape) map; a " +
                                                    "TFLite export flattens pooled [C, 1, 1] features only")
            }
            let newShape = [-1, shape[0]]
            let target = builder.addConstant("\(node.name).shape", type: .int32, shape: [2], bytes: int32Bytes(newShape))
            var options = FlatBufferTable()
            options.set(0, .vector(newShape.map(Int32.init)))
            builder.addOperator(.reshape, integer: integer, inputs: [x, target], outputs: [try activation(node.output)],
                                options: options)
        case let .gemm(weight, bias):
            guard node.output == InferenceGraph.outputName else {
                throw CondenseError.invalidArgument(op: "export", "gemm '\(node.name)' is not the classifier writing " +
                                                    "'\(InferenceGraph.outputName)'; a TFLite export has one, last")
            }
            let output = builder.addActivation(node.output, type: .float32, shape: [1, weight.shape[0]])
            try encoding.classifier(node, weight: weight, bias: bias, input: x, output: output, into: &builder)
            tensors[node.output] = output
        }
    }

    // MARK: - Values

    /// The tensor holding `value`, which `node` reads.
    private func tensor(_ value: String, readBy node: InferenceNode) throws -> Int {
        guard let index = tensors[value] else {
            throw CondenseError.invalidArgument(op: "export", "node '\(node.name)' reads '\(value)', which no earlier " +
                                                "node writes")
        }
        return index
    }

    /// A new activation tensor for `value`, NHWC, typed and quantized as the encoding holds it.
    private mutating func activation(_ value: String) throws -> Int {
        let index = builder.addActivation(value, type: encoding.activationType, shape: nhwc(shapes[value]!),
                                          quantization: try encoding.quantization(of: value))
        tensors[value] = index
        return index
    }

    /// The output tensor of a convolution or sum and the activation it fuses: the `relu`/`relu6` node right after
    /// it, if that node is the only reader (`InferenceGraph.fusedActivation(of:)`), whose value the tensor then holds.
    private mutating func clamped(_ node: InferenceNode) throws -> (output: Int, activation: TFLiteActivation) {
        guard let clamp = graph.fusedActivation(of: node) else { return (try activation(node.output), .none) }
        fused.insert(clamp.name)
        let output = try activation(clamp.output)
        tensors[node.output] = output
        return (output, clamp.operation.activation == .relu ? .relu : .relu6)
    }

    /// What a window's padding is filled with: zero (convolutions: in an int8 tensor its zero point) or the lowest
    /// value (max pooling, which PyTorch pads with −∞).
    private enum PaddingFill { case zero, lowest }

    /// The TFLite padding of a window and the tensor it reads: VALID without padding; SAME where TFLite's SAME pads
    /// exactly as PyTorch does (the same output size and the same rows and columns before the input — at stride 2
    /// on an even side SAME puts its one extra row after the input, PyTorch one on each side); otherwise an explicit
    /// `PAD` (`PADV2` with the lowest value for max pooling) and VALID.
    private mutating func window(_ node: InferenceNode, input: Int, kernel: (Int, Int), stride: (Int, Int),
                                 dilation: (Int, Int), padding: (Int, Int), fill: PaddingFill) throws
        -> (TFLitePadding, Int) {
        if padding == (0, 0) { return (.valid, input) }
        let shape = shapes[node.inputs[0]]!
        func sameMatches(_ side: Int, _ k: Int, _ s: Int, _ d: Int, _ p: Int) -> Bool {
            let extent = (k - 1) * d + 1, output = (side + s - 1) / s
            let total = max((output - 1) * s + extent - side, 0)
            return (side + 2 * p - extent) / s + 1 == output && total / 2 == p
        }
        if sameMatches(shape[1], kernel.0, stride.0, dilation.0, padding.0),
           sameMatches(shape[2], kernel.1, stride.1, dilation.1, padding.1) {
            return (.same, input)
        }
        let paddedValue = "\(node.name).pad", paddedShape = [shape[0], shape[1] + 2 * padding.0, shape[2] + 2 * padding.1]
        let padded = builder.addActivation(paddedValue, type: encoding.activationType, shape: nhwc(paddedShape),
                                           quantization: try encoding.quantization(of: node.inputs[0]))
        let amounts = builder.addConstant(paddedValue + ".amounts", type: .int32, shape: [4, 2],
                                          bytes: int32Bytes([0, 0, padding.0, padding.0, padding.1, padding.1, 0, 0]))
        switch fill {
        case .zero:
            builder.addOperator(.pad, integer: encoding.isInteger, inputs: [input, amounts], outputs: [padded])
        case .lowest:
            let lowest = try encoding.lowest(paddedValue + ".value", of: node.inputs[0], into: &builder)
            builder.addOperator(.padV2, integer: encoding.isInteger, inputs: [input, amounts, lowest], outputs: [padded])
        }
        return (.valid, padded)
    }

    /// `[C, H, W]` → `[1, H, W, C]`; `[features]` → `[1, features]`.
    private func nhwc(_ shape: [Int]) -> [Int] {
        shape.count == 3 ? [1, shape[1], shape[2], shape[0]] : [1] + shape
    }
}

/// Little-endian int32 bytes.
func int32Bytes(_ values: [Int]) -> [UInt8] { values.flatMap { FlatBufferObject.littleEndian(Int32($0)) } }
