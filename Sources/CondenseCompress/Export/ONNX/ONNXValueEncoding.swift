import CondenseNN

/// How `ONNXExport` writes the tensors around each operator: the FP32 export (`FloatEncoding`) stores weights as
/// float initializers and leaves activations as they are; an INT8 QDQ export stores quantized weights behind
/// `DequantizeLinear` and puts `QuantizeLinear`/`DequantizeLinear` pairs on activations.
public protocol ONNXValueEncoding {
    /// The name a node reads for `tensor`, a weight or bias of `node` (`<node>.weight`, `<node>.bias`; see
    /// `InferenceNode.weight`), after adding whatever initializers and nodes produce it to `builder`.
    mutating func weight(_ tensor: NamedTensorData, of node: InferenceNode, in builder: inout ONNXGraphBuilder) throws
        -> String

    /// The name later nodes read for `value`, which `node` has just written; called for every node's output but the
    /// graph's `logits` (`InferenceGraph.activationValues` lists the ones an INT8 export quantizes).
    mutating func activation(_ value: String, of node: InferenceNode, in builder: inout ONNXGraphBuilder) throws -> String
}

/// Float32 weights as initializers, activations untouched: the plain FP32 export.
public struct FloatEncoding: ONNXValueEncoding {
    public init() {}

    public mutating func weight(_ tensor: NamedTensorData, of node: InferenceNode,
                                in builder: inout ONNXGraphBuilder) throws -> String {
        builder.addInitializer(tensor)
    }

    public mutating func activation(_ value: String, of node: InferenceNode,
                                    in builder: inout ONNXGraphBuilder) throws -> String {
        value
    }
}
