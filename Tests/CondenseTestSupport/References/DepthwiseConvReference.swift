import CondenseCPU
import CondenseCore

/// Depthwise convolution on the host, the textbook loops, generic over the float type: the oracle the CPU backend's
/// kernels (`DepthwiseKernels`) and the gradient checks are held to. Pointers are NCHW / `[C·m, 1, kh, kw]` as in
/// `DepthwiseConvOps`.
public enum DepthwiseConvReference {
    /// `output = activation(depthwise(input, weight) + bias)`.
    public static func forward<T: BinaryFloatingPoint>(_ g: WindowGeometry, multiplier: Int, activation: Activation,
                                                       input: UnsafePointer<T>, weight: UnsafePointer<T>,
                                                       bias: UnsafePointer<T>?, output: UnsafeMutablePointer<T>) {
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        parallelPlanes(g.batch * g.outputChannels) { plane in
            let o = plane % g.outputChannels, c = o / multiplier
            let x = input + (plane / g.outputChannels * g.inputChannels + c) * g.inputHeight * g.inputWidth
            let w = weight + o * g.kernelHeight * g.kernelWidth
            let y = output + plane * oh * ow
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var sum: T = bias?[o] ?? 0
                    for ky in 0..<g.kernelHeight {
                        let iy = oy * g.strideHeight - g.paddingHeight + ky * g.dilationHeight
                        guard iy >= 0, iy < g.inputHeight else { continue }
                        for kx in 0..<g.kernelWidth {
                            let ix = ox * g.strideWidth - g.paddingWidth + kx * g.dilationWidth
                            guard ix >= 0, ix < g.inputWidth else { continue }
                            sum += x[iy * g.inputWidth + ix] * w[ky * g.kernelWidth + kx]
                        }
                    }
                    y[oy * ow + ox] = activation.apply(sum)
                }
            }
        }
    }

    /// `gradInput = ∂L/∂input`: each input element gathers the outputs whose windows cover it.
    public static func backwardInput<T: BinaryFloatingPoint>(_ g: WindowGeometry, multiplier: Int,
                                                             gradOutput: UnsafePointer<T>, weight: UnsafePointer<T>,
                                                             gradInput: UnsafeMutablePointer<T>) {
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        parallelPlanes(g.batch * g.inputChannels) { plane in
            let n = plane / g.inputChannels, c = plane % g.inputChannels
            let dx = gradInput + plane * g.inputHeight * g.inputWidth
            for iy in 0..<g.inputHeight {
                for ix in 0..<g.inputWidth {
                    var sum: T = 0
                    for j in 0..<multiplier {
                        let o = c * multiplier + j
                        let dy = gradOutput + (n * g.outputChannels + o) * oh * ow
                        let w = weight + o * g.kernelHeight * g.kernelWidth
                        g.forEachCoveringOutput(iy, ix) { output, ky, kx in sum += dy[output] * w[ky * g.kernelWidth + kx] }
                    }
                    dx[iy * g.inputWidth + ix] = sum
                }
            }
        }
    }

    /// `gradWeight = ∂L/∂weight` and, unless nil, `gradBias = Σ gradOutput` per output channel.
    public static func backwardWeight<T: BinaryFloatingPoint>(_ g: WindowGeometry, multiplier: Int,
                                                              input: UnsafePointer<T>, gradOutput: UnsafePointer<T>,
                                                              gradWeight: UnsafeMutablePointer<T>,
                                                              gradBias: UnsafeMutablePointer<T>?) {
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        parallelPlanes(g.outputChannels) { o in
            let c = o / multiplier
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    var sum: T = 0
                    for n in 0..<g.batch {
                        let x = input + (n * g.inputChannels + c) * g.inputHeight * g.inputWidth
                        let dy = gradOutput + (n * g.outputChannels + o) * oh * ow
                        for oy in 0..<oh {
                            let iy = oy * g.strideHeight - g.paddingHeight + ky * g.dilationHeight
                            guard iy >= 0, iy < g.inputHeight else { continue }
                            for ox in 0..<ow {
                                let ix = ox * g.strideWidth - g.paddingWidth + kx * g.dilationWidth
                                guard ix >= 0, ix < g.inputWidth else { continue }
                                sum += x[iy * g.inputWidth + ix] * dy[oy * ow + ox]
                            }
                        }
                    }
                    gradWeight[(o * g.kernelHeight + ky) * g.kernelWidth + kx] = sum
                }
            }
            if let gradBias {
                var sum: T = 0
                for n in 0..<g.batch {
                    let dy = gradOutput + (n * g.outputChannels + o) * oh * ow
                    for index in 0..<(oh * ow) { sum += dy[index] }
                }
                gradBias[o] = sum
            }
        }
    }
}
