import CondenseNN

/// How `ONNXExport` writes the tensors around each operator: the FP32 export (`FloatEncoding`) stores weights as
/// float initializers and leaves activations as they are; an INT8 QDQ export stores quantized weights behind
/// `DequantizeLinear` and puts `QuantizeLinear`/`DequantizeLinear` pairs on activations.
public protocol ONNXValueEncoding {
    /// The name a node reads for `tensor`, a weight or bias of `node` (`<node>.weight`, `<node>.bias`; see
    /// `InferenceNode.weight`), after adding whatever initializers and nodes produce it to `builder`.
    mutating func weight(_ tensor: NamedTensorData, of node: InferenceNode, in builder: inout ONNXGraphBuilder) throws
        -> String

    /// Whether `node` is left out of the graph because the way `activation` writes its output does its work already
    /// (an INT8 export's ReLU whose output's uint8 quantization clamps to the same range); its output is then its
    /// input.
    func subsumes(_ node: InferenceNode) -> Bool

    /// The name later nodes read for the value `node` writes, which the ONNX value `written` holds (the node's
    /// output, or its input when the encoding subsumes the node); called for every node but the one writing the
    /// graph's `logits` (an INT8 graph's `quantization` lists the values it quantizes).
    mutating func activation(of node: InferenceNode, written: String, in builder: inout ONNXGraphBuilder) throws
        -> String
}

/// Float32 weights as initializers, activations untouched: the plain FP32 export.
public struct FloatEncoding: ONNXValueEncoding {
    public init() {}

    public mutating func weight(_ tensor: NamedTensorData, of node: InferenceNode,
                                in builder: inout ONNXGraphBuilder) throws -> String {
        builder.addInitializer(tensor)
    }

    public func subsumes(_ node: InferenceNode) -> Bool { false }

    public mutating func activation(of node: InferenceNode, written: String,
                                    in builder: inout ONNXGraphBuilder) throws -> String {
        written
    }
}
