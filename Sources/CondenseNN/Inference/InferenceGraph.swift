import CondenseCore

/// A trained model as a flat list of inference operations, the one form every consumer of a finished model reads:
/// batch norms folded into their convolutions, dropout gone, every activation and residual sum an explicit node,
/// and for an INT8 model its `quantization`. Integer inference (`QuantizedClassifier`) runs it; the writers
/// (`ONNXExport` in `CondenseCompress`) write it.
///
/// **Values** are named tensors. The deployed graph reads `image` (float32 `[N, C, H, W]`, pixels scaled to
/// [0, 1]) and its last node writes `logits` (`[N, classes]`). Every other value is named after the node that
/// writes it. A model's own graph reads normalized images as `image`, and `normalizing` puts the normalization in
/// front for deployment.
///
/// **Node names** come from module paths (`Module.namedParameters()` names without the parameter suffix):
/// - `normalize`: the stored per-channel normalization, `(image − mean) / std`, the deployed graph's first node;
/// - a convolution is named after its `Conv2d` (`features.3.conv.1.0`, `layer1.0.conv1`); the batch norm after it
///   is folded into its weight and bias, which are named `<conv>.weight` and `<conv>.bias` (a bias always exists,
///   zero when neither the convolution nor a batch norm supplied one);
/// - the activation fused into a batch norm is a `relu`/`relu6` node named after that `BatchNorm2d`
///   (`features.3.conv.1.1`, `layer1.0.bn1`); an `ActivationLayer` or `MaxPool2d` is named after itself;
/// - a residual sum is `<block>.add` (`features.4.add`, `layer1.0.add`), and a ResNet block's ReLU after the sum
///   `<block>.relu`;
/// - the head is `avgpool` (global average pooling, `[N, C, 1, 1]`), `flatten` (`[N, C]`) and the classifier's
///   `gemm`, named after its `Linear` (`fc`, `classifier.1`), whose output is `logits`; a `Linear` whose input is
///   not flat gets its own `<linear>.flatten`, and a `GlobalAveragePool` layer is `<layer>` then `<layer>.flatten`.
///
/// Channel counts and shapes come from the weight tensors themselves (a pruned model's blocks need not follow the
/// width multiplier). `CondenseCompress` builds the deployed graph with `InferenceGraph(lowering:)` from a float
/// model (the one walk over its module tree, which quantization reads too) or `InferenceGraph(quantized:)` from an
/// INT8 one (`QuantizedClassifier.inferenceGraph()` with the normalization in front).
public struct InferenceGraph: Sendable {
    /// The graph's input value: float32 `[N, C, H, W]`, pixels scaled to [0, 1].
    public static let inputName = "image"
    /// The graph's output value: float32 `[N, classes]`.
    public static let outputName = "logits"

    /// `[C, H, W]` of one input image; empty in a model's own graph, which takes any size.
    public var inputShape: [Int]
    /// The operations in execution order (each node's inputs are written by earlier nodes or are `image`).
    public var nodes: [InferenceNode]
    /// How an INT8 model quantizes the graph's values and weights; nil for a float model.
    public var quantization: InferenceQuantization?

    public init(inputShape: [Int], nodes: [InferenceNode], quantization: InferenceQuantization? = nil) {
        self.inputShape = inputShape
        self.nodes = nodes
        self.quantization = quantization
    }

    /// Number of classes: the output rows of the last gemm's weight.
    public var classes: Int {
        nodes.last { if case .gemm = $0.operation { true } else { false } }?.weight?.shape.first ?? 0
    }

    /// The convolution and gemm nodes, in order: the nodes with a weight and a bias.
    public var weightedNodes: [InferenceNode] { nodes.filter { $0.weight != nil } }

    /// The activation values an INT8 model quantizes, read off the nodes (a float graph has no `quantization`), in
    /// graph order without repeats: the input of every convolution and gemm (the first convolution reads
    /// `normalize`, the classifier reads `flatten`) and the output of every residual sum.
    public var activationValues: [String] {
        var seen = Set<String>()
        return nodes.flatMap { node -> [String] in
            switch node.operation {
            case .convolution, .gemm: [node.inputs[0]]
            case .add: [node.output]
            default: []
            }
        }.filter { seen.insert($0).inserted }
    }

    /// The node that writes `value` (nil for `image` and unknown names).
    public func producer(of value: String) -> InferenceNode? { nodes.first { $0.output == value } }

    /// The quantized value whose numbers `value` holds: `value` itself when `quantization` quantizes it, the value a
    /// `flatten` reshapes for its output (the gemm's input is the pooled features'); nil otherwise.
    public func quantizedSource(of value: String) -> String? {
        if quantization?.activations[value] != nil { return value }
        guard let producer = producer(of: value), case .flatten = producer.operation else { return nil }
        return quantizedSource(of: producer.inputs[0])
    }
}

/// The INT8 form of an `InferenceGraph` (ARCHITECTURE.md §4), what an INT8 writer needs beyond the nodes: the convolutions'
/// and gemm's weights are int8 (symmetric per output channel, zero point 0, in [−127, 127]) and their biases int32 at
/// scale input scale × weight scale (zero point 0); values are uint8, affine per tensor.
public struct InferenceQuantization: Sendable {
    /// The uint8 quantization of each value an INT8 runtime holds quantized, by value: the normalized input, each
    /// convolution's output after its activation, each residual sum (after a ResNet block's ReLU), max pooling's
    /// output (its input's quantization) and the pooled features. A `relu`/`relu6` node's value is quantized, not the
    /// convolution's or sum's before it: the activation is the clamp of the requantization.
    public var activations: [String: QuantizedGraph.TensorQuantization]
    /// Each convolution's and gemm's per-output-channel weight scales, by node name.
    public var weightScales: [String: [Float]]

    public init(activations: [String: QuantizedGraph.TensorQuantization], weightScales: [String: [Float]]) {
        self.activations = activations
        self.weightScales = weightScales
    }
}

/// One operation of an `InferenceGraph`: what it computes, the values it reads and the one value it writes.
public struct InferenceNode: Sendable {
    /// The module path the node comes from (see `InferenceGraph` for the rules).
    public var name: String
    public var operation: InferenceOperation
    /// Values read: one, or two for `add` (the block's body first, then the shortcut).
    public var inputs: [String]
    /// The value written: the node's name, except `logits` for the last node.
    public var output: String

    public init(name: String, operation: InferenceOperation, inputs: [String], output: String) {
        self.name = name
        self.operation = operation
        self.inputs = inputs
        self.output = output
    }

    /// The convolution or gemm weight (named `<node>.weight`), else nil.
    public var weight: NamedTensorData? {
        switch operation {
        case let .convolution(weight, _, _), let .gemm(weight, _): weight
        default: nil
        }
    }

    /// The convolution or gemm bias (named `<node>.bias`), else nil.
    public var bias: NamedTensorData? {
        switch operation {
        case let .convolution(_, bias, _), let .gemm(_, bias): bias
        default: nil
        }
    }
}

/// What an `InferenceNode` computes. Tensors are float32, NCHW.
public enum InferenceOperation: Sendable {
    /// `(x − mean[c]) / std[c]` per channel.
    case normalize(mean: [Float], std: [Float])
    /// A 2-D convolution (grouped or depthwise by `parameters.groups`) with a batch norm folded in: weight
    /// `[O, I/groups, kh, kw]`, bias `[O]`.
    case convolution(weight: NamedTensorData, bias: NamedTensorData, parameters: Conv2dParameters)
    /// `max(x, 0)`.
    case relu
    /// `min(max(x, 0), 6)`.
    case relu6
    /// The element-wise sum of the two inputs (same shapes).
    case add
    /// Max pooling (padding counts as −∞, floor rounding of the output size).
    case maxPool(Pool2dParameters)
    /// The mean over each channel's spatial positions, `[N, C, H, W] → [N, C, 1, 1]`.
    case globalAveragePool
    /// `[N, C, 1, 1] → [N, C]`.
    case flatten
    /// `x · weightᵀ + bias`: weight `[out, in]`, bias `[out]` (a `Linear`).
    case gemm(weight: NamedTensorData, bias: NamedTensorData)

    /// The activation a `relu` or `relu6` node applies; `.none` for every other operation.
    public var activation: Activation {
        switch self {
        case .relu: .relu
        case .relu6: .relu6
        default: .none
        }
    }

    /// A short lower-case name of the operation (`conv`, `relu6`, `gemm`, …) for messages and tests.
    public var kind: String {
        switch self {
        case .normalize: "normalize"
        case .convolution: "conv"
        case .relu: "relu"
        case .relu6: "relu6"
        case .add: "add"
        case .maxPool: "maxpool"
        case .globalAveragePool: "avgpool"
        case .flatten: "flatten"
        case .gemm: "gemm"
        }
    }
}
