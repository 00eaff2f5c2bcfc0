extension InferenceGraph {
    /// The name of the `normalize` node and of the value it writes.
    public static let normalizedName = "normalize"

    /// The graph with the input normalization in front, as it is deployed: a `normalize` node reads the pixels
    /// (`image`, scaled to [0, 1]) and the nodes that read `image` read its output instead, which also takes
    /// `image`'s quantization. A model's own graph reads normalized images (`InferenceGraph(lowering:)` and
    /// `InferenceGraph(quantized:)` put the stored normalization in front with this).
    public func normalizing(mean: [Float], std: [Float], inputShape: [Int]) -> InferenceGraph {
        let normalized = Self.normalizedName
        let readers = nodes.map { node in
            var node = node
            node.inputs = node.inputs.map { $0 == Self.inputName ? normalized : $0 }
            return node
        }
        var quantization = quantization
        if let input = quantization?.activations.removeValue(forKey: Self.inputName) {
            quantization?.activations[normalized] = input
        }
        return InferenceGraph(inputShape: inputShape,
                              nodes: [InferenceNode(name: normalized, operation: .normalize(mean: mean, std: std),
                                                    inputs: [Self.inputName], output: normalized)] + readers,
                              quantization: quantization)
    }
}
