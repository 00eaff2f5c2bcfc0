import CondenseCore

extension InferenceGraph {
    /// The shape of every value for one image, without the batch axis: `[C, H, W]` for feature maps (`image`,
    /// `normalize`, convolutions, activations, sums, max pooling), `[C, 1, 1]` after global average pooling,
    /// `[C·H·W]` after `flatten` and `[classes]` for `logits`. Windows give floor-rounded extents, as PyTorch and
    /// ONNX compute them; channel counts come from the weights.
    ///
    /// - Throws: `CondenseError.invalidArgument` naming the node whose input has the wrong rank for it, whose window
    ///   does not fit its input, or whose weight does not match its input's channels.
    public func valueShapes() throws -> [String: [Int]] {
        var shapes = [Self.inputName: inputShape]
        for node in nodes {
            guard let input = shapes[node.inputs[0]] else {
                throw CondenseError.invalidArgument(op: "export", "node '\(node.name)' reads '\(node.inputs[0])', " +
                                                    "which no earlier node writes")
            }
            func problem(_ expected: String) -> CondenseError {
                .invalidArgument(op: "export", "node '\(node.name)' (\(node.operation.kind)) needs \(expected), got \(input)")
            }
            switch node.operation {
            case let .convolution(weight, _, p):
                guard weight.shape.count == 4, input.count == 3, input[0] == weight.shape[1] * p.groups else {
                    throw problem("a weight [O, C/groups, kh, kw] (\(weight.shape)) and an input [C, H, W]")
                }
                shapes[node.output] = try window(input, problem, channels: weight.shape[0],
                                                 kernel: (p.kernelHeight, p.kernelWidth),
                                                 stride: (p.strideHeight, p.strideWidth),
                                                 padding: (p.paddingHeight, p.paddingWidth),
                                                 dilation: (p.dilationHeight, p.dilationWidth))
            case let .maxPool(p):
                guard input.count == 3 else { throw problem("[C, H, W]") }
                shapes[node.output] = try window(input, problem, channels: input[0],
                                                 kernel: (p.kernelHeight, p.kernelWidth),
                                                 stride: (p.strideHeight, p.strideWidth),
                                                 padding: (p.paddingHeight, p.paddingWidth), dilation: (1, 1))
            case .globalAveragePool:
                guard input.count == 3 else { throw problem("[C, H, W]") }
                shapes[node.output] = [input[0], 1, 1]
            case .flatten:
                shapes[node.output] = [input.reduce(1, *)]
            case let .gemm(weight, _):
                guard weight.shape.count == 2, input == [weight.shape[1]] else {
                    throw problem("a weight [out, in] (\(weight.shape)) and an input [in]")
                }
                shapes[node.output] = [weight.shape[0]]
            case .add:
                guard node.inputs.count == 2, shapes[node.inputs[1]] == input else {
                    throw problem("two inputs of one shape")
                }
                shapes[node.output] = input
            case .normalize, .relu, .relu6:
                shapes[node.output] = input
            }
        }
        return shapes
    }

    /// `[channels, H′, W′]` of a window over `input` (`[C, H, W]`).
    private func window(_ input: [Int], _ problem: (String) -> CondenseError, channels: Int, kernel: (Int, Int),
                        stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)) throws -> [Int] {
        let geometry = WindowGeometry(input: Shape([1] + input), outputChannels: channels, kernel: kernel, stride: stride,
                                      padding: padding, dilation: dilation)
        guard geometry.windowFits else { throw problem("an input the \(kernel.0)×\(kernel.1) window fits in") }
        return Array(geometry.outputShape.dims.dropFirst())
    }

    /// The `relu` or `relu6` node an INT8 runtime fuses into `node` (a convolution or sum) as the clamp of its
    /// output: the node right after it that reads its output, which no other node reads; nil when there is none.
    public func fusedActivation(of node: InferenceNode) -> InferenceNode? {
        guard let index = nodes.firstIndex(where: { $0.output == node.output }), index + 1 < nodes.count else {
            return nil
        }
        let next = nodes[index + 1]
        let readers = nodes.filter { $0.inputs.contains(node.output) }.count
        return next.operation.activation != .none && next.inputs == [node.output] && readers == 1 ? next : nil
    }
}
