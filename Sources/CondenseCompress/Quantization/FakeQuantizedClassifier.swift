import CondenseCore
import CondenseNN

/// A float classifier with fake quantization where an INT8 runtime quantizes (ARCHITECTURE.md §4): int8 symmetric
/// per-channel weights on every convolution and linear layer, uint8 affine per-tensor activations on the input,
/// after each convolution + batch norm + activation group, at residual adds and before the classifier (max
/// pooling keeps its input's quantization). It runs the model's `QuantizedGraph` with the model's own layers and
/// parameters, so training it trains them (quantization-aware training) and running it in evaluation mode with
/// `calibrating` set fits the activation ranges without training (post-training calibration).
///
/// In training mode every forward pass is a step of `schedule`: the observers update their ranges until it freezes
/// them, and batch norm uses batch statistics until it freezes them (afterwards the running statistics, as the
/// folded INT8 model does). Parameters keep the model's names; the activation quantizers' state is named
/// `activation_post_process.TENSOR.…`.
public final class FakeQuantizedClassifier: Module {
    /// The float model whose layers this runs.
    public let model: Module
    /// The dataflow (tensors' quantization not filled in).
    public let graph: QuantizedGraph
    /// The activation quantizers, by tensor name.
    public let activationQuantizers: [String: ActivationFakeQuantize]
    public var schedule: QuantizationSchedule
    /// Evaluation-mode forward passes update the observers (post-training calibration).
    public var calibrating = false
    /// Off: the float graph, without any fake quantization (to check the lowering).
    public var fakeQuantizationEnabled = true
    /// Training-mode forward passes so far.
    public private(set) var step = 0
    let bindings: [String: LayerBinding]
    private let quantizers: Module
    private let quantizedTensors: [String]

    /// Wraps `model` (a MobileNetV2 or ResNet of any channel counts), checking on `sample` (a batch of images of
    /// the model's input shape) that the lowered graph computes what the model computes. Starts in the model's
    /// mode (training or evaluation).
    public init(_ model: Module, learnsScales: Bool, schedule: QuantizationSchedule, sample: Tensor) throws {
        let (graph, bindings) = try QuantizedGraph.lowering(model)
        self.model = model
        self.graph = graph
        self.bindings = bindings
        self.schedule = schedule
        quantizedTensors = [QuantizedGraph.input] + graph.nodes.filter { $0.op != .maxPool && $0.op != .linear }.map(\.name)
        let backend = sample.backend
        let list = try quantizedTensors.map { ($0, try ActivationFakeQuantize(learnsScale: learnsScales, on: backend)) }
        activationQuantizers = Dictionary(uniqueKeysWithValues: list)
        quantizers = NamedModules(list.map { (name: $0.0, module: $0.1 as Module) })
        super.init()
        try checkLowering(on: sample)
        train(model.isTraining)
    }

    override public var children: [(name: String, module: Module)] {
        model.children + [("activation_post_process", quantizers)]
    }

    override public func forward(_ x: Variable) throws -> Variable { try tensors(of: x)[graph.nodes.last!.name]! }

    /// Every tensor of the graph for a batch of images (fake-quantized values for the quantized ones, float logits).
    public func tensors(of x: Variable) throws -> [String: Variable] {
        if isTraining { step += 1 }
        let observe = calibrating || (isTraining && schedule.observes(atStep: step))
        for quantizer in activationQuantizers.values { quantizer.observing = observe }
        let batchStatistics = isTraining && schedule.trainsBatchNorm(atStep: step)
        var values = [QuantizedGraph.input: try quantized(x, QuantizedGraph.input)]
        for node in graph.nodes {
            let input = values[node.inputs[0]]!
            let output: Variable
            switch (node.op, bindings[node.name]) {
            case let (.convolution, .convolution(conv, batchNorm)?):
                let y = try conv.forward(input, weight: try weight(conv.weight))
                if let batchNorm {
                    batchNorm.train(batchStatistics)
                    output = try batchNorm(y)
                } else {
                    output = try activation(node.activationKind, y)
                }
            case (.add, _):
                output = try activation(node.activationKind, try add(input, values[node.inputs[1]]!))
            case let (.maxPool, .maxPool(pool)?):
                output = try pool(input)
            case (.globalAveragePool, _):
                output = try globalAveragePool(input)
            case let (.linear, .linear(linear, dropout)?):
                output = try linear.forward(try dropout?(input) ?? input, weight: try weight(linear.weight))
            default:
                throw CondenseError.invalidArgument(op: "quantize", "node '\(node.name)' has no layer behind it")
            }
            values[node.name] = try quantized(output, node.name)
        }
        return values
    }

    /// The graph with every tensor's current quantization (read from the activation quantizers).
    public func quantizedGraph() throws -> QuantizedGraph {
        var result = graph
        for name in quantizedTensors { result.tensors[name] = try activationQuantizers[name]!.quantization() }
        for node in graph.nodes where node.op == .maxPool { result.tensors[node.name] = result.tensors[node.inputs[0]] }
        return result
    }

    private func quantized(_ x: Variable, _ tensor: String) throws -> Variable {
        guard fakeQuantizationEnabled, let quantizer = activationQuantizers[tensor] else { return x }
        return try quantizer(x)
    }

    private func weight(_ weight: Variable) throws -> Variable {
        fakeQuantizationEnabled ? try WeightQuantization.fakeQuantized(weight) : weight
    }

    /// Throws unless the float graph (fake quantization off) gives the model's own logits on `sample`, in
    /// evaluation mode, within float32 rounding: a model whose forward pass the lowering misreads is refused, not
    /// silently quantized wrong.
    private func checkLowering(on sample: Tensor) throws {
        defer { fakeQuantizationEnabled = true }
        train(false)
        fakeQuantizationEnabled = false
        let (expected, actual) = try Tape.withoutRecording {
            (try model(Variable(sample)).value.toHost(), try forward(Variable(sample)).value.toHost())
        }
        let scale = expected.reduce(Float(0)) { max($0, abs($1)) }
        let error = zip(actual, expected).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        guard actual.count == expected.count, error <= 1e-4 * max(scale, 1) else {
            throw CondenseError.invalidArgument(op: "quantize", "the quantization graph of this \(type(of: model)) " +
                                                "does not reproduce its outputs (largest difference \(error)); " +
                                                "its layout is not one quantization supports")
        }
    }
}

/// Modules under given names (the activation quantizers, named by tensor).
private final class NamedModules: Module {
    private let entries: [(name: String, module: Module)]

    init(_ entries: [(name: String, module: Module)]) { self.entries = entries }

    override var children: [(name: String, module: Module)] { entries }
}
