import CondenseCore

/// The stored form of a quantized classifier's dataflow, with each activation fused into the layer it follows as
/// an INT8 runtime fuses it: layers (convolutions with their batch norm folded in, residual adds, pooling, the
/// linear classifier) over named tensors, and the uint8 quantization of each tensor. Quantization derives it from
/// the model's inference graph (`QuantizedGraph.lowering`), and `QuantizedClassifier` turns it back into that
/// graph (`QuantizedInferenceLayout`) to run it. Stored as JSON under the checkpoint's `quantization` metadata key; the layers' int8 weights, their
/// per-channel scales and int32 biases are the checkpoint's tensors (`NAME.weight`, `NAME.weight_scale`,
/// `NAME.bias`), so the checkpoint alone rebuilds the model, whatever its channel counts.
///
/// Every node has one output tensor named like the node (a layer's parameter prefix, `features.3.conv.0.0`, or a
/// block's path for an add); the image is the tensor `input`; the last node, a linear layer, gives the float logits.
public struct QuantizedGraph: Codable, Equatable, Sendable {
    /// What a node computes.
    public enum Operation: String, Codable, Sendable {
        /// A (grouped or depthwise) convolution with int8 weights and an int32 bias, then `activation`.
        case convolution
        /// The sum of its two inputs, then `activation`.
        case add
        /// Max pooling; the output keeps its input's quantization.
        case maxPool = "max_pool"
        /// The mean of each channel's map, `[N, C, H, W] → [N, C]`.
        case globalAveragePool = "global_average_pool"
        /// `x·Wᵀ + b` with int8 weights and an int32 bias, giving float logits (the graph's output).
        case linear
    }

    /// One layer.
    public struct Node: Codable, Equatable, Sendable {
        public var op: Operation
        /// The node's name: its parameters' prefix and its output tensor's name.
        public var name: String
        /// The tensors it reads, by name.
        public var inputs: [String]
        /// Convolution and pooling windows as (height, width) pairs; nil for other nodes.
        public var kernel: [Int]?
        public var stride: [Int]?
        public var padding: [Int]?
        public var dilation: [Int]?
        public var groups: Int?
        /// `relu` or `relu6` after a convolution or an add; nil for none.
        public var activation: String?

        public init(op: Operation, name: String, inputs: [String]) {
            self.op = op
            self.name = name
            self.inputs = inputs
        }

        /// The node's activation (`none` when absent).
        public var activationKind: Activation {
            get { activation.flatMap(Activation.init(name:)) ?? .none }
            set { activation = newValue == .none ? nil : newValue.name }
        }

        /// The convolution parameters of a convolution node.
        public var convolutionParameters: Conv2dParameters {
            get {
                Conv2dParameters(kernel: Self.pair(kernel, 1), stride: Self.pair(stride, 1), padding: Self.pair(padding, 0),
                                 dilation: Self.pair(dilation, 1), groups: groups ?? 1)
            }
            set {
                kernel = [newValue.kernelHeight, newValue.kernelWidth]
                stride = [newValue.strideHeight, newValue.strideWidth]
                padding = [newValue.paddingHeight, newValue.paddingWidth]
                dilation = [newValue.dilationHeight, newValue.dilationWidth]
                groups = newValue.groups
            }
        }

        /// The window of a max-pool node.
        public var poolParameters: Pool2dParameters {
            get {
                var p = Pool2dParameters(kernel: 1)
                (p.kernelHeight, p.kernelWidth) = Self.pair(kernel, 1)
                (p.strideHeight, p.strideWidth) = Self.pair(stride, 1)
                (p.paddingHeight, p.paddingWidth) = Self.pair(padding, 0)
                return p
            }
            set {
                kernel = [newValue.kernelHeight, newValue.kernelWidth]
                stride = [newValue.strideHeight, newValue.strideWidth]
                padding = [newValue.paddingHeight, newValue.paddingWidth]
            }
        }

        private static func pair(_ values: [Int]?, _ fallback: Int) -> (Int, Int) {
            guard let values, values.count == 2 else { return (fallback, fallback) }
            return (values[0], values[1])
        }
    }

    /// The uint8 affine quantization of one tensor: real value = `scale·(q − zeroPoint)`, q in [0, 255].
    public struct TensorQuantization: Codable, Equatable, Sendable {
        public var scale: Float
        public var zeroPoint: Int

        public init(scale: Float, zeroPoint: Int) {
            self.scale = scale
            self.zeroPoint = zeroPoint
        }

        enum CodingKeys: String, CodingKey {
            case scale
            case zeroPoint = "zero_point"
        }

        /// The quantized range a tensor produced through `activation` can take: the activation's bounds rounded as
        /// fake quantization rounds them (`z + nearbyint(bound·(1/s))`), within [0, 255]. ReLU's is `[z, 255]`.
        public func range(after activation: Activation) -> ClosedRange<Int> {
            let inverse = 1 / scale
            let (lo, hi) = (QuantizedGraph.activationRange.lowerBound, QuantizedGraph.activationRange.upperBound)
            switch activation {
            case .none: return lo...hi
            case .relu: return zeroPoint...hi
            case .relu6: return zeroPoint...min(hi, zeroPoint + Int((6 * inverse).rounded(.toNearestOrEven)))
            }
        }
    }

    /// `condense-int8`: the layout this type reads and writes.
    public var format = Self.formatName
    public var version = Self.formatVersion
    /// Human-readable statements of the scheme, for whoever opens the checkpoint.
    public var weights = "int8 symmetric per output channel (axis 0), zero point 0, range [-127, 127]: NAME.weight " +
        "(I8) and NAME.weight_scale (F32)"
    public var bias = "int32, scale = input scale × weight scale, zero point 0: NAME.bias (I32)"
    public var activations = "uint8 affine per tensor, range [0, 255]: real = scale × (q − zero_point)"
    /// The layers in execution order.
    public var nodes: [Node]
    /// The quantization of the input and of every node's output but the logits.
    public var tensors: [String: TensorQuantization]

    public init(nodes: [Node], tensors: [String: TensorQuantization] = [:]) {
        self.nodes = nodes
        self.tensors = tensors
    }

    public static let formatName = "condense-int8"
    public static let formatVersion = 1
    /// The name of the image tensor.
    public static let input = "input"
    /// The uint8 range of activations.
    public static let activationRange = 0...255
    /// The int8 range of weights (symmetric: −128 is not used, as INT8 runtimes expect).
    public static let weightRange = -127...127
}

extension Activation {
    /// `relu`, `relu6` (nil for none), as the graph names them.
    var name: String? {
        switch self {
        case .none: nil
        case .relu: "relu"
        case .relu6: "relu6"
        }
    }

    init?(name: String) {
        guard let match = Activation.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}
