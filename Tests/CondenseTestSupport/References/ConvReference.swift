import CondenseCore

/// Direct convolution on the host: the textbook loops, generic over the float type, against which the CPU backend's
/// GEMM formulation (`CPUBackend+Conv.swift`) and the gradients are checked.
public enum ConvReference {
    /// The input element read by output `(oy, ox)` at kernel tap `(ky, kx)`, or nil in the padding.
    @inlinable
    static func tap(_ g: WindowGeometry, _ oy: Int, _ ox: Int, _ ky: Int, _ kx: Int) -> Int? {
        let iy = oy * g.strideHeight - g.paddingHeight + ky * g.dilationHeight
        let ix = ox * g.strideWidth - g.paddingWidth + kx * g.dilationWidth
        guard iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth else { return nil }
        return iy * g.inputWidth + ix
    }

    /// Direct grouped convolution: `y[n, o] = b[o] + Σ_{c ∈ group(o), ky, kx} x[n, c, tap]·w[o, c − c₀, ky, kx]`.
    public static func forward<T: BinaryFloatingPoint>(_ g: WindowGeometry, groups: Int, input: [T], weight: [T],
                                                       bias: [T]?) -> [T] {
        var output = [T](repeating: 0, count: g.outputShape.count)
        visit(g, groups: groups) { outputIndex, inputIndex, weightIndex, o in
            output[outputIndex] += input[inputIndex] * weight[weightIndex]
        } each: { outputIndex, o in output[outputIndex] += bias?[o] ?? 0 }
        return output
    }

    /// Direct input gradient.
    public static func backwardInput<T: BinaryFloatingPoint>(_ g: WindowGeometry, groups: Int, gradOutput: [T],
                                                             weight: [T]) -> [T] {
        var gradInput = [T](repeating: 0, count: g.inputShape.count)
        visit(g, groups: groups) { outputIndex, inputIndex, weightIndex, _ in
            gradInput[inputIndex] += gradOutput[outputIndex] * weight[weightIndex]
        } each: { _, _ in }
        return gradInput
    }

    /// Direct weight gradient.
    public static func backwardWeight<T: BinaryFloatingPoint>(_ g: WindowGeometry, groups: Int, input: [T],
                                                              gradOutput: [T]) -> [T] {
        let cg = g.inputChannels / groups
        var gradWeight = [T](repeating: 0, count: g.outputChannels * cg * g.kernelHeight * g.kernelWidth)
        visit(g, groups: groups) { outputIndex, inputIndex, weightIndex, _ in
            gradWeight[weightIndex] += input[inputIndex] * gradOutput[outputIndex]
        } each: { _, _ in }
        return gradWeight
    }

    /// Visits every (output, input, weight) triple of the convolution, and each output once.
    private static func visit(_ g: WindowGeometry, groups: Int, _ body: (Int, Int, Int, Int) -> Void,
                              each: (Int, Int) -> Void) {
        let cg = g.inputChannels / groups, og = g.outputChannels / groups
        let (oh, ow, plane) = (g.outputHeight, g.outputWidth, g.inputHeight * g.inputWidth)
        for n in 0..<g.batch {
            for o in 0..<g.outputChannels {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let outputIndex = ((n * g.outputChannels + o) * oh + oy) * ow + ox
                        each(outputIndex, o)
                        for ci in 0..<cg {
                            let c = o / og * cg + ci
                            for ky in 0..<g.kernelHeight {
                                for kx in 0..<g.kernelWidth {
                                    guard let offset = tap(g, oy, ox, ky, kx) else { continue }
                                    body(outputIndex, (n * g.inputChannels + c) * plane + offset,
                                         ((o * cg + ci) * g.kernelHeight + ky) * g.kernelWidth + kx, o)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
