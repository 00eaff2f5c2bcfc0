extension ONNXGraph {
    /// The same computation in fewer bytes, for a file whose size matters (the INT8 export): nodes lose their names
    /// (optional in ONNX), attributes that say what the operator assumes without them are left out
    /// (`impliesAttribute`), and every value but the graph's inputs and outputs is renamed to a short base-36
    /// counter (`0`, `1`, …, `z`, `10`, …) in the order nodes first read or write it.
    public func compacted() -> ONNXGraph {
        let fixed = Set(inputs.map(\.name) + outputs.map(\.name))
        var renamed: [String: String] = [:]
        var counter = 0
        func short(_ name: String) -> String {
            if name.isEmpty || fixed.contains(name) { return name }
            if let new = renamed[name] { return new }
            var new = String(counter, radix: 36)
            while fixed.contains(new) {
                counter += 1
                new = String(counter, radix: 36)
            }
            counter += 1
            renamed[name] = new
            return new
        }
        let compactNodes = nodes.map { node in
            ONNXNode(node.opType, name: "", inputs: node.inputs.map(short), outputs: node.outputs.map(short),
                     attributes: node.attributes.filter { !Self.impliesAttribute($0, of: node.opType) })
        }
        let compactInitializers = initializers.map { tensor in
            ONNXTensor(name: short(tensor.name), dataType: tensor.dataType, dims: tensor.dims, rawData: tensor.rawData)
        }
        return ONNXGraph(name: name, nodes: compactNodes, initializers: compactInitializers, inputs: inputs,
                         outputs: outputs)
    }

    /// Whether operator `opType` behaves the same without `attribute`: `Conv`'s `kernel_shape` (its weight's shape
    /// gives it), and the defaults strides and dilations of 1, pads of 0, a `group` of 1, `Flatten`'s `axis` 1.
    static func impliesAttribute(_ attribute: ONNXAttribute, of opType: String) -> Bool {
        switch (opType, attribute.name, attribute.value) {
        case ("Conv", "kernel_shape", _): true
        case let ("Conv", "strides", .ints(values)), let ("Conv", "dilations", .ints(values)),
             let ("MaxPool", "strides", .ints(values)): values.allSatisfy { $0 == 1 }
        case let ("Conv", "pads", .ints(values)), let ("MaxPool", "pads", .ints(values)): values.allSatisfy { $0 == 0 }
        case ("Conv", "group", .int(1)), ("Flatten", "axis", .int(1)): true
        default: false
        }
    }
}
