import CondenseNN

/// The nodes and initializers of an ONNX graph as an exporter appends them, in order.
public struct ONNXGraphBuilder: Sendable {
    public private(set) var nodes: [ONNXNode] = []
    public private(set) var initializers: [ONNXTensor] = []
    private var initializerIndex: [String: Int] = [:]

    public init() {}

    /// Appends a node (its inputs must be written by earlier nodes, be initializers or the graph's input).
    public mutating func add(_ node: ONNXNode) { nodes.append(node) }

    /// Adds `tensor` as an initializer and returns its name. Adding the same name again is allowed only with the
    /// same contents (a shared constant such as ReLU6's bounds) and adds nothing.
    @discardableResult
    public mutating func addInitializer(_ tensor: NamedTensorData) -> String { addInitializer(ONNXTensor(tensor)) }

    /// Adds an ONNX tensor as an initializer (same rules as a host tensor) and returns its name.
    @discardableResult
    public mutating func addInitializer(_ tensor: ONNXTensor) -> String {
        if let index = initializerIndex[tensor.name] {
            precondition(initializers[index] == tensor, "two different initializers are named '\(tensor.name)'")
        } else {
            initializerIndex[tensor.name] = initializers.count
            initializers.append(tensor)
        }
        return tensor.name
    }
}
