import CondenseCore

/// Pooling on the host, generic over the float type, one input/output plane at a time.
public enum PoolingKernels {
    /// Max pooling of plane `plane`: writes the maxima and their flat indices within the input plane.
    public static func maxForward<T: BinaryFloatingPoint>(_ g: WindowGeometry, plane: Int, input: UnsafePointer<T>,
                                                          output: UnsafeMutablePointer<T>,
                                                          indices: UnsafeMutablePointer<Int32>) {
        let (oh, ow, planeSize) = (g.outputHeight, g.outputWidth, g.inputHeight * g.inputWidth)
        let x = input + plane * planeSize
        for oy in 0..<oh {
            for ox in 0..<ow {
                var best = -T.infinity, bestIndex = -1
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideHeight - g.paddingHeight + ky
                    guard iy >= 0, iy < g.inputHeight else { continue }
                    for kx in 0..<g.kernelWidth {
                        let ix = ox * g.strideWidth - g.paddingWidth + kx
                        guard ix >= 0, ix < g.inputWidth else { continue }
                        let value = x[iy * g.inputWidth + ix]
                        if value > best || bestIndex < 0 { (best, bestIndex) = (value, iy * g.inputWidth + ix) }
                    }
                }
                output[plane * oh * ow + oy * ow + ox] = best
                indices[plane * oh * ow + oy * ow + ox] = Int32(bestIndex)
            }
        }
    }

    /// Max-pool gradient of plane `plane`: each input sums the gradients of the outputs that chose it.
    public static func maxBackward<T: BinaryFloatingPoint>(_ g: WindowGeometry, plane: Int, gradOutput: UnsafePointer<T>,
                                                           indices: UnsafePointer<Int32>, gradInput: UnsafeMutablePointer<T>) {
        let outputPlane = g.outputHeight * g.outputWidth
        for iy in 0..<g.inputHeight {
            for ix in 0..<g.inputWidth {
                let flat = iy * g.inputWidth + ix
                var sum: T = 0
                g.forEachCoveringOutput(iy, ix) { o, _, _ in
                    if indices[plane * outputPlane + o] == Int32(flat) { sum += gradOutput[plane * outputPlane + o] }
                }
                gradInput[plane * g.inputHeight * g.inputWidth + flat] = sum
            }
        }
    }
}
