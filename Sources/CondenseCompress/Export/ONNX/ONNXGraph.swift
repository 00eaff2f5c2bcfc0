/// An ONNX `GraphProto`: nodes in topological order, constant initializers, and the typed graph inputs and outputs.
public struct ONNXGraph: Equatable, Sendable {
    public var name: String
    public var nodes: [ONNXNode]
    public var initializers: [ONNXTensor]
    public var inputs: [ONNXValueInfo]
    public var outputs: [ONNXValueInfo]

    public init(name: String, nodes: [ONNXNode], initializers: [ONNXTensor], inputs: [ONNXValueInfo],
                outputs: [ONNXValueInfo]) {
        self.name = name
        self.nodes = nodes
        self.initializers = initializers
        self.inputs = inputs
        self.outputs = outputs
    }

    /// `GraphProto` fields: node = 1, name = 2, initializer = 5, input = 11, output = 12.
    public func encode(into writer: inout ProtobufWriter) {
        for node in nodes { writer.message(1) { node.encode(into: &$0) } }
        writer.string(2, name)
        for tensor in initializers { writer.message(5) { tensor.encode(into: &$0) } }
        for input in inputs { writer.message(11) { input.encode(into: &$0) } }
        for output in outputs { writer.message(12) { output.encode(into: &$0) } }
    }
}

/// An ONNX `ValueInfoProto` for a tensor: name, element type and shape, each extent fixed or symbolic.
public struct ONNXValueInfo: Equatable, Sendable {
    /// One extent: a fixed size (`dim_value`) or a name (`dim_param`) that varies per run, such as the batch `N`.
    public enum Dimension: Equatable, Sendable {
        case fixed(Int)
        case symbolic(String)
    }

    public var name: String
    public var elementType: ONNXDataType
    public var shape: [Dimension]

    public init(name: String, elementType: ONNXDataType, shape: [Dimension]) {
        self.name = name
        self.elementType = elementType
        self.shape = shape
    }

    /// `ValueInfoProto` { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1
    /// { dim_value = 1 | dim_param = 2 } } } } }.
    public func encode(into writer: inout ProtobufWriter) {
        writer.string(1, name)
        writer.message(2) { type in
            type.message(1) { tensor in
                tensor.int(1, Int64(elementType.rawValue))
                tensor.message(2) { shapeProto in
                    for dimension in shape {
                        shapeProto.message(1) { dim in
                            switch dimension {
                            case let .fixed(extent): dim.int(1, Int64(extent))
                            case let .symbolic(name): dim.string(2, name)
                            }
                        }
                    }
                }
            }
        }
    }
}
