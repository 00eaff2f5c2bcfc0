import CondenseCore

/// An INT8 classifier: integer inference on any backend of its `InferenceGraph` (the stored `QuantizedGraph` and
/// layers as the one graph the INT8 writers read too), computing what an INT8 runtime (onnxruntime's `QLinearConv`,
/// `QLinearAdd`, `QLinearGlobalAveragePool`) computes for the same model.
///
/// Activations travel as uint8 values centred on their zero point (`q − z`, integers in float32 tensors). A
/// convolution multiplies them with the int8 weights and adds the int32 bias — integer arithmetic, exact in float32
/// while partial sums stay below 2²⁴ — then requantizes: `clamp(z′ + nearbyint(acc·(s·s_w/s′)), lo, hi) − z′` per
/// output channel, the activation (ReLU, ReLU6) being the clamp's bounds as in a fused `QLinearConv` (the graph's
/// `relu`/`relu6` node after it passes the clamped integers on). Adds and average pooling rescale in float and
/// requantize likewise; max pooling works on the integers; the linear classifier dequantizes its input and weights
/// and returns float logits, as a `DequantizeLinear → Gemm` does.
public final class QuantizedClassifier: Module {
    public let graph: QuantizedGraph
    /// `graph` as the JSON text stored under the checkpoint's `quantization` metadata key.
    public let graphJSON: String
    /// The convolution and linear layers' stored parameters, in graph order.
    public let layers: [QuantizedLayer]
    private var prepared: PreparedGraph?

    /// A model of `graph` (validated) with one `QuantizedLayer` per convolution and linear node.
    public init(graph: QuantizedGraph, layers: [QuantizedLayer]) throws {
        try graph.validate(path: "quantized model")
        let weighted = graph.nodes.filter { $0.op == .convolution || $0.op == .linear }.map(\.name)
        guard weighted == layers.map(\.name) else {
            throw CondenseError.invalidArgument(op: "QuantizedClassifier", "layers \(layers.map(\.name)) do not match " +
                                                "the graph's convolution and linear nodes \(weighted)")
        }
        var metadata = Checkpoint()
        try metadata.setMetadata(json: graph, for: Checkpoint.Key.quantization)
        graphJSON = metadata.metadata[Checkpoint.Key.quantization]!
        self.graph = graph
        self.layers = layers
    }

    /// The model a quantized checkpoint describes (its `quantization` metadata and its tensors), on `backend`.
    public convenience init(checkpoint: Checkpoint, path: String, on backend: Backend) throws {
        guard let graph = try checkpoint.metadata(json: QuantizedGraph.self, for: Checkpoint.Key.quantization) else {
            throw CondenseError.file(path: path, "metadata lacks 'quantization': not a quantized checkpoint")
        }
        try graph.validate(path: path)
        let layers = try graph.nodes.filter { $0.op == .convolution || $0.op == .linear }.map { node in
            try QuantizedLayer(name: node.name, weightRank: node.op == .linear ? 2 : 4, in: checkpoint, path: path,
                               on: backend)
        }
        try self.init(graph: graph, layers: layers)
    }

    override public var ownParameters: [(name: String, variable: Variable)] {
        layers.flatMap { [("\($0.name).weight", $0.weight), ("\($0.name).bias", $0.bias)] }
    }

    override public var ownBuffers: [(name: String, variable: Variable)] {
        layers.map { ("\($0.name).weight_scale", $0.weightScale) }
    }

    override public func forward(_ x: Variable) throws -> Variable {
        Variable(try tensors(of: x.value)[graph.nodes[graph.nodes.count - 1].name]!)
    }

    /// The model as one inference graph, annotated with its quantization (`InferenceQuantization`), reading the
    /// normalized images as `image` (of any size: no `inputShape`): what integer inference runs, and with the
    /// model's normalization in front (`InferenceGraph.normalizing`) what the INT8 writers read.
    public func inferenceGraph() throws -> InferenceGraph { try preparedGraph().layout.graph }

    /// Every tensor of the stored graph for a batch of (normalized float) images, by stored name: the quantized ones
    /// as integers centred on their zero point (`q − z`), the logits in float.
    public func tensors(of images: Tensor) throws -> [String: Tensor] {
        let prepared = try preparedGraph()
        var values = [InferenceGraph.inputName: try requantize(images, prepared.nodes[InferenceGraph.inputName]!)]
        try run(prepared.layout.graph.nodes.indices, of: prepared, on: &values)
        return prepared.layout.values.mapValues { values[$0]! }
    }

    /// One stored node's output from its inputs (centred integers, as `tensors(of:)` gives them): the graph nodes
    /// that compute it.
    public func output(of node: QuantizedGraph.Node, inputs: [Tensor]) throws -> Tensor {
        let prepared = try preparedGraph(), layout = prepared.layout
        let sources = node.inputs.compactMap { layout.values[$0] }
        guard let span = layout.spans[node.name], inputs.count == node.inputs.count, sources.count == inputs.count else {
            throw CondenseError.invalidArgument(op: "QuantizedClassifier", "node '\(node.name)' with \(inputs.count) " +
                                                "input(s) is not a node of this model")
        }
        var values = Dictionary(zip(sources, inputs)) { first, _ in first }
        try run(span, of: prepared, on: &values)
        return values[layout.values[node.name]!]!
    }

    /// Runs the graph nodes at `indices`, reading and writing `values` (centred integers, float logits).
    private func run(_ indices: Range<Int>, of prepared: PreparedGraph, on values: inout [String: Tensor]) throws {
        try Tape.withoutRecording {
            for node in prepared.layout.graph.nodes[indices] {
                let x = values[node.inputs[0]]!, backend = x.backend, constants = prepared.nodes[node.name]!
                switch node.operation {
                case let .convolution(_, _, parameters):
                    let accumulators = try convolution(Variable(x), weight: Variable(constants.weight!),
                                                       bias: Variable(constants.bias!), parameters)
                    values[node.output] = try requantize(accumulators.value, constants, axis: 1)
                case .relu, .relu6:
                    guard constants.fused else {
                        throw CondenseError.invalidArgument(op: "QuantizedClassifier", "activation '\(node.name)' " +
                                                            "follows neither a convolution nor a sum it can clamp")
                    }
                    values[node.output] = x  // the requantization before it clamped to the activation's range
                case .add:
                    let sum = try backend.allocate(x.shape, dtype: .float32)
                    try backend.scale(x, by: constants.inputFactors[0], output: sum)
                    try backend.axpy(alpha: constants.inputFactors[1], x: values[node.inputs[1]]!, y: sum)
                    values[node.output] = try requantize(sum, constants)
                case let .maxPool(parameters):
                    values[node.output] = try maxPool2d(Variable(x), parameters).value
                case .globalAveragePool:
                    values[node.output] = try requantize(try globalAveragePool(Variable(x)).value, constants)
                case .flatten:
                    values[node.output] = try reshape(Variable(x), [x.shape[0], x.shape.count / x.shape[0]]).value
                case .gemm:
                    let dequantized = try backend.allocate(x.shape, dtype: .float32)
                    try backend.scale(x, by: constants.inputFactors[0], output: dequantized)
                    values[node.output] = try linear(Variable(dequantized), weight: Variable(constants.weight!),
                                                     bias: Variable(constants.bias!)).value
                case .normalize:
                    throw CondenseError.invalidArgument(op: "QuantizedClassifier", "the model's graph reads normalized " +
                                                        "images; it has no '\(node.name)' node")
                }
            }
        }
    }

    /// `clamp(z′ + nearbyint(x·multiplier), lo, hi) − z′` into the node's output quantization and activation range.
    private func requantize(_ x: Tensor, _ constants: PreparedNode, axis: Int? = nil) throws -> Tensor {
        let quantization = constants.quantization!, range = quantization.range(after: constants.activation)
        let output = try x.backend.allocate(x.shape, dtype: .float32)
        try x.backend.requantize(input: x, multiplier: constants.multiplier!, zeroPoint: quantization.zeroPoint,
                                 axis: axis, qmin: range.lowerBound, qmax: range.upperBound, output: output)
        return output
    }

    // MARK: - Run-time constants

    /// What one graph node needs at run time, derived once from the graph's integers and scales.
    private struct PreparedNode {
        /// Convolution: the int8 weights and int32 bias as float32 (exact); gemm: dequantized weights and bias.
        var weight: Tensor?
        var bias: Tensor?
        /// The requantization multiplier(s): per output channel for a convolution, one otherwise.
        var multiplier: Tensor?
        /// Add: each input's scale over the output's; gemm: the input's scale.
        var inputFactors: [Float] = []
        /// The quantization a requantizing node writes (that of its fused activation's output, if it has one)
        /// and the activation whose range clamps it.
        var quantization: QuantizedGraph.TensorQuantization?
        var activation = Activation.none
        /// A `relu`/`relu6` node whose clamp the node before it applies.
        var fused = false
    }

    /// The layout and its run-time constants, by graph node name (and `image`'s, the input's requantization).
    private struct PreparedGraph {
        let stamp: [ObjectIdentifier]
        let layout: QuantizedInferenceLayout
        let nodes: [String: PreparedNode]
    }

    /// The graph and its constants, rebuilt whenever a stored tensor has been replaced (a checkpoint loaded).
    private func preparedGraph() throws -> PreparedGraph {
        let stamp = layers.flatMap { [$0.weight, $0.weightScale, $0.bias].map { ObjectIdentifier($0.value) } }
        if let prepared, prepared.stamp == stamp { return prepared }
        let layout = try QuantizedInferenceLayout(graph, layers: layers), inference = layout.graph
        let quantization = inference.quantization!, backend = layers[0].weight.backend
        /// The quantization of a value a node reads (the pooled features' for the flattened ones).
        func read(_ value: String) -> QuantizedGraph.TensorQuantization {
            quantization.activations[inference.quantizedSource(of: value)!]!
        }
        let input = quantization.activations[InferenceGraph.inputName]!
        var nodes = [InferenceGraph.inputName: PreparedNode(multiplier: try backend.tensor([1 / input.scale], shape: [1]),
                                                            quantization: input)]
        for node in inference.nodes {
            var prepared = nodes[node.name] ?? PreparedNode()
            let clamp = inference.fusedActivation(of: node)
            if let clamp { nodes[clamp.name, default: PreparedNode()].fused = true }
            prepared.quantization = quantization.activations[clamp?.output ?? node.output]
            prepared.activation = clamp?.operation.activation ?? .none
            switch node.operation {
            case let .convolution(weight, bias, _):
                let inputScale = read(node.inputs[0]).scale, outputScale = prepared.quantization!.scale
                prepared.weight = try backend.tensor(weight.floats(), shape: Shape(weight.shape))
                prepared.bias = try backend.tensor(bias.floats(), shape: Shape(bias.shape))
                prepared.multiplier = try backend.tensor(quantization.weightScales[node.name]!.map {
                    inputScale * $0 / outputScale
                }, shape: Shape(bias.shape))
            case .add:
                prepared.inputFactors = node.inputs.map { read($0).scale / prepared.quantization!.scale }
                prepared.multiplier = try backend.tensor([1], shape: [1])
            case .globalAveragePool:
                prepared.multiplier = try backend.tensor([read(node.inputs[0]).scale / prepared.quantization!.scale],
                                                         shape: [1])
            case let .gemm(weight, bias):
                let inputScale = read(node.inputs[0]).scale, scales = quantization.weightScales[node.name]!
                let (integers, biases) = (weight.floats(), bias.floats()), perRow = integers.count / max(scales.count, 1)
                prepared.weight = try backend.tensor(integers.indices.map { integers[$0] * scales[$0 / perRow] },
                                                     shape: Shape(weight.shape))
                prepared.bias = try backend.tensor(biases.indices.map { biases[$0] * (inputScale * scales[$0]) },
                                                   shape: Shape(bias.shape))
                prepared.inputFactors = [inputScale]
            case .normalize, .relu, .relu6, .maxPool, .flatten:
                break
            }
            nodes[node.name] = prepared
        }
        let result = PreparedGraph(stamp: stamp, layout: layout, nodes: nodes)
        prepared = result
        return result
    }
}
