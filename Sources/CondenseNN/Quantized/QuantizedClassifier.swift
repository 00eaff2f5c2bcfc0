import CondenseCore

/// An INT8 classifier: integer inference of a `QuantizedGraph` on any backend, computing what an INT8 runtime
/// (onnxruntime's `QLinearConv`, `QLinearAdd`, `QLinearGlobalAveragePool`) computes for the same model.
///
/// Activations travel as uint8 values centred on their zero point (`q − z`, integers in float32 tensors). A
/// convolution multiplies them with the int8 weights and adds the int32 bias — integer arithmetic, exact in float32
/// while partial sums stay below 2²⁴ — then requantizes: `clamp(z′ + nearbyint(acc·(s·s_w/s′)), lo, hi) − z′` per
/// output channel, the activation (ReLU, ReLU6) being the clamp's bounds as in a fused `QLinearConv`. Adds and
/// average pooling rescale in float and requantize likewise; max pooling works on the integers; the linear
/// classifier dequantizes its input and weights and returns float logits, as a `DequantizeLinear → Gemm` does.
public final class QuantizedClassifier: Module {
    public let graph: QuantizedGraph
    /// `graph` as the JSON text stored under the checkpoint's `quantization` metadata key.
    public let graphJSON: String
    /// The convolution and linear layers' stored parameters, in graph order.
    public let layers: [QuantizedLayer]
    private var prepared: (stamp: [ObjectIdentifier], nodes: [String: PreparedNode])?

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

    /// Every tensor of the graph for a batch of (normalized float) images: the quantized ones as integers centred
    /// on their zero point (`q − z`), the logits in float.
    public func tensors(of images: Tensor) throws -> [String: Tensor] {
        let input = QuantizedGraph.input
        var values = [input: try requantize(images, try preparedNodes()[input]!.multiplier!, tensor: input,
                                            activation: .none)]
        for node in graph.nodes { values[node.name] = try output(of: node, inputs: node.inputs.map { values[$0]! }) }
        return values
    }

    /// One node's output from its inputs (centred integers, as `tensors(of:)` gives them).
    public func output(of node: QuantizedGraph.Node, inputs: [Tensor]) throws -> Tensor {
        try Tape.withoutRecording {
            let x = inputs[0], backend = x.backend, prepared = try preparedNodes()[node.name]!
            switch node.op {
            case .convolution:
                let accumulators = try convolution(Variable(x), weight: Variable(prepared.weight!),
                                                   bias: Variable(prepared.bias!), node.convolutionParameters)
                return try requantize(accumulators.value, prepared.multiplier!, tensor: node.name,
                                      activation: node.activationKind, axis: 1)
            case .add:
                let sum = try backend.allocate(x.shape, dtype: .float32)
                try backend.scale(x, by: prepared.inputFactors[0], output: sum)
                try backend.axpy(alpha: prepared.inputFactors[1], x: inputs[1], y: sum)
                return try requantize(sum, prepared.multiplier!, tensor: node.name, activation: node.activationKind)
            case .maxPool:
                return try maxPool2d(Variable(x), node.poolParameters).value
            case .globalAveragePool:
                return try requantize(try globalAveragePool(Variable(x)).value, prepared.multiplier!, tensor: node.name,
                                      activation: .none)
            case .linear:
                let dequantized = try backend.allocate(x.shape, dtype: .float32)
                try backend.scale(x, by: prepared.inputFactors[0], output: dequantized)
                return try linear(Variable(dequantized), weight: Variable(prepared.weight!),
                                  bias: Variable(prepared.bias!)).value
            }
        }
    }

    private func requantize(_ x: Tensor, _ multiplier: Tensor, tensor name: String, activation: Activation,
                            axis: Int? = nil) throws -> Tensor {
        let quantization = graph.tensors[name]!, range = quantization.range(after: activation)
        let output = try x.backend.allocate(x.shape, dtype: .float32)
        try x.backend.requantize(input: x, multiplier: multiplier, zeroPoint: quantization.zeroPoint, axis: axis,
                                 qmin: range.lowerBound, qmax: range.upperBound, output: output)
        return output
    }

    // MARK: - Run-time constants

    /// What one node needs at run time, derived once from the stored integers and scales.
    private struct PreparedNode {
        /// Convolution: the int8 weights and int32 bias as float32 (exact); linear: dequantized weights and bias.
        var weight: Tensor?
        var bias: Tensor?
        /// The requantization multiplier(s): per output channel for a convolution, one otherwise.
        var multiplier: Tensor?
        /// Add: each input's scale over the output's; linear: the input's scale.
        var inputFactors: [Float] = []
    }

    /// The run-time constants, rebuilt whenever a stored tensor has been replaced (a checkpoint loaded).
    private func preparedNodes() throws -> [String: PreparedNode] {
        let stamp = layers.flatMap { [$0.weight, $0.weightScale, $0.bias].map { ObjectIdentifier($0.value) } }
        if let prepared, prepared.stamp == stamp { return prepared.nodes }
        let backend = layers[0].weight.backend
        let layerByName = Dictionary(uniqueKeysWithValues: layers.map { ($0.name, $0) })
        func scale(_ name: String) -> Float { graph.tensors[name]!.scale }
        var nodes = [QuantizedGraph.input: PreparedNode(multiplier: try backend.tensor([1 / scale(QuantizedGraph.input)],
                                                                                       shape: [1]))]
        for node in graph.nodes {
            let inputScale = scale(node.inputs[0])
            var prepared = PreparedNode()
            switch node.op {
            case .convolution:
                let layer = layerByName[node.name]!, (weight, bias, scales) = try layer.hostValues()
                prepared.weight = try backend.tensor(weight, shape: layer.weight.shape)
                prepared.bias = try backend.tensor(bias, shape: layer.bias.shape)
                prepared.multiplier = try backend.tensor(scales.map { inputScale * $0 / scale(node.name) },
                                                         shape: [scales.count])
            case .add:
                prepared.inputFactors = node.inputs.map { scale($0) / scale(node.name) }
                prepared.multiplier = try backend.tensor([1], shape: [1])
            case .maxPool:
                break
            case .globalAveragePool:
                prepared.multiplier = try backend.tensor([inputScale / scale(node.name)], shape: [1])
            case .linear:
                let layer = layerByName[node.name]!, (weight, bias, scales) = try layer.hostValues()
                let perRow = weight.count / max(scales.count, 1)
                prepared.weight = try backend.tensor(weight.indices.map { weight[$0] * scales[$0 / perRow] },
                                                     shape: layer.weight.shape)
                prepared.bias = try backend.tensor(bias.indices.map { bias[$0] * (inputScale * scales[$0]) },
                                                   shape: layer.bias.shape)
                prepared.inputFactors = [inputScale]
            }
            nodes[node.name] = prepared
        }
        prepared = (stamp, nodes)
        return nodes
    }
}
