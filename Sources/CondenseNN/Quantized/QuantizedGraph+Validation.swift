import CondenseCore

extension QuantizedGraph {
    /// Checks that the graph is one `QuantizedClassifier` runs: a known format, nodes whose inputs come from earlier
    /// nodes, windows of positive extents, known activations, a linear classifier last (and only last), and a valid
    /// quantization (finite positive scale, zero point in [0, 255]) for every tensor but the logits.
    ///
    /// - Throws: `CondenseError.file(path:, …)` naming the node or tensor and what was expected.
    public func validate(path: String) throws {
        func problem(_ detail: String) -> CondenseError { .file(path: path, "metadata 'quantization': " + detail) }
        guard format == Self.formatName, version == Self.formatVersion else {
            throw problem("format '\(format)' version \(version); expected '\(Self.formatName)' version " +
                          "\(Self.formatVersion)")
        }
        guard let last = nodes.last, last.op == .linear else {
            throw problem("the last node must be the linear classifier")
        }
        var defined: Set<String> = [Self.input]
        for (index, node) in nodes.enumerated() {
            let label = "node '\(node.name)' (\(node.op.rawValue))"
            guard !defined.contains(node.name) else { throw problem("\(label): the name is used twice") }
            let arity = node.op == .add ? 2 : 1
            guard node.inputs.count == arity else {
                throw problem("\(label) takes \(arity) input(s), found \(node.inputs.count)")
            }
            for input in node.inputs where !defined.contains(input) {
                throw problem("\(label) reads '\(input)', which no earlier node produces")
            }
            guard node.op != .linear || index == nodes.count - 1 else {
                throw problem("\(label): a linear layer must be the last node")
            }
            if node.op == .convolution || node.op == .maxPool {
                for (field, values) in [("kernel", node.kernel), ("stride", node.stride)]
                where values?.count != 2 || !(values ?? []).allSatisfy({ $0 >= 1 }) {
                    throw problem("\(label): '\(field)' must be two positive integers, found \(values ?? [])")
                }
                guard node.padding?.count == 2, (node.padding ?? []).allSatisfy({ $0 >= 0 }) else {
                    throw problem("\(label): 'padding' must be two integers ≥ 0, found \(node.padding ?? [])")
                }
            }
            if node.op == .maxPool, tensors[node.name] != tensors[node.inputs[0]] {
                throw problem("\(label): max pooling keeps its input's quantization, found \(String(describing: tensors[node.name])) " +
                              "after \(String(describing: tensors[node.inputs[0]]))")
            }
            if node.op == .convolution, (node.groups ?? 1) < 1 {
                throw problem("\(label): 'groups' must be ≥ 1, found \(node.groups ?? 0)")
            }
            if let activation = node.activation, Activation(name: activation) == nil {
                throw problem("\(label): unknown activation '\(activation)' (relu, relu6)")
            }
            defined.insert(node.name)
        }
        for name in [Self.input] + nodes.dropLast().map(\.name) {
            guard let quantization = tensors[name] else {
                throw problem("tensor '\(name)' has no quantization (scale, zero_point)")
            }
            guard quantization.scale.isFinite, quantization.scale > 0 else {
                throw problem("tensor '\(name)': scale must be finite and positive, found \(quantization.scale)")
            }
            guard Self.activationRange.contains(quantization.zeroPoint) else {
                throw problem("tensor '\(name)': zero_point must lie in [0, 255], found \(quantization.zeroPoint)")
            }
        }
    }
}
