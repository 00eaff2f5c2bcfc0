/// An ONNX `ModelProto`: the graph, the operator set it uses, who produced it, and string metadata.
public struct ONNXModel: Sendable {
    /// IR version 7 is the one ONNX 1.8 introduced with opset 13.
    public static let irVersion = 7
    /// Opset 13: `Clip` takes its bounds as inputs, `QuantizeLinear`/`DequantizeLinear` take a per-axis `axis`.
    public static let opsetVersion = 13

    public var graph: ONNXGraph
    public var producerName: String
    public var producerVersion: String
    /// `metadata_props`, in order (keys should be unique).
    public var metadata: [(key: String, value: String)]

    public init(graph: ONNXGraph, producerName: String, producerVersion: String,
                metadata: [(key: String, value: String)]) {
        self.graph = graph
        self.producerName = producerName
        self.producerVersion = producerVersion
        self.metadata = metadata
    }

    /// The value of metadata key `key`, if present.
    public func metadataValue(_ key: String) -> String? { metadata.first { $0.key == key }?.value }

    /// The `.onnx` file's bytes. `ModelProto` fields: ir_version = 1, producer_name = 2, producer_version = 3,
    /// graph = 7, opset_import = 8 { domain = 1, version = 2 }, metadata_props = 14 { key = 1, value = 2 }.
    public func serialized() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.int(1, Int64(Self.irVersion))
        writer.string(2, producerName)
        writer.string(3, producerVersion)
        writer.message(7) { graph.encode(into: &$0) }
        writer.message(8) { opset in
            opset.string(1, "")
            opset.int(2, Int64(Self.opsetVersion))
        }
        for entry in metadata {
            writer.message(14) { property in
                property.string(1, entry.key)
                property.string(2, entry.value)
            }
        }
        return writer.bytes
    }
}
