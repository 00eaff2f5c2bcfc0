/// An ONNX `NodeProto`: one operator call, reading and writing values by name.
public struct ONNXNode: Equatable, Sendable {
    public var opType: String
    /// Optional in ONNX: "" writes no name.
    public var name: String
    /// Value names read, in the operator's input order; "" skips an optional input.
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [ONNXAttribute]

    public init(_ opType: String, name: String, inputs: [String], outputs: [String], attributes: [ONNXAttribute] = []) {
        self.opType = opType
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    /// `NodeProto` fields: input = 1, output = 2, name = 3 (left out when empty), op_type = 4, attribute = 5.
    public func encode(into writer: inout ProtobufWriter) {
        writer.strings(1, inputs)
        writer.strings(2, outputs)
        if !name.isEmpty { writer.string(3, name) }
        writer.string(4, opType)
        for attribute in attributes { writer.message(5) { attribute.encode(into: &$0) } }
    }
}

/// An ONNX `AttributeProto`: a named integer, list of integers or float of a node.
public struct ONNXAttribute: Equatable, Sendable {
    /// The attribute's value and, implicitly, its `AttributeType`.
    public enum Value: Equatable, Sendable {
        case int(Int)
        case ints([Int])
        case float(Float)
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    /// `AttributeProto` fields: name = 1, f = 2, i = 3, ints = 8, type = 20 (FLOAT = 1, INT = 2, INTS = 7).
    public func encode(into writer: inout ProtobufWriter) {
        writer.string(1, name)
        switch value {
        case let .float(value):
            writer.float(2, value)
            writer.int(20, 1)
        case let .int(value):
            writer.int(3, Int64(value))
            writer.int(20, 2)
        case let .ints(values):
            writer.ints(8, values.map(Int64.init))
            writer.int(20, 7)
        }
    }
}
