import CondenseCore

/// im2col and col2im for one sample on the host, row by row: each column row `(c, ky, kx)` is a shifted (and for
/// strides, subsampled) copy of an input plane, so the inner loops are plain copies and adds over the output
/// positions whose taps fall inside the input, with the padding handled once per row instead of per element.
enum ColumnKernels {
    /// The output columns `ox` whose tap `kx` reads inside the input: `0 ≤ ox·sw − pw + kx·dw < W`.
    @inline(__always)
    static func insideColumns(_ g: WindowGeometry, kx: Int) -> Range<Int> {
        let shift = kx * g.dilationWidth - g.paddingWidth
        let first = shift >= 0 ? 0 : (-shift + g.strideWidth - 1) / g.strideWidth
        let limit = g.inputWidth - shift  // ox·sw < limit
        let end = limit <= 0 ? 0 : min(g.outputWidth, (limit - 1) / g.strideWidth + 1)
        return first..<max(first, end)
    }

    /// The column matrix `[C·kh·kw, Ho·Wo]` of one sample: row `(c·kh + ky)·kw + kx`, column `oy·Wo + ox` holds
    /// `x[c, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw]` (zero outside the input).
    static func im2col(_ g: WindowGeometry, sample x: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>) {
        let (oh, ow, plane) = (g.outputHeight, g.outputWidth, g.inputHeight * g.inputWidth)
        let rowLength = oh * ow
        for c in 0..<g.inputChannels {
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let row = columns + ((c * g.kernelHeight + ky) * g.kernelWidth + kx) * rowLength
                    let inside = insideColumns(g, kx: kx), shift = kx * g.dilationWidth - g.paddingWidth
                    for oy in 0..<oh {
                        let target = row + oy * ow
                        let iy = oy * g.strideHeight - g.paddingHeight + ky * g.dilationHeight
                        guard iy >= 0, iy < g.inputHeight, !inside.isEmpty else {
                            target.update(repeating: 0, count: ow)
                            continue
                        }
                        target.update(repeating: 0, count: inside.lowerBound)
                        let source = x + c * plane + iy * g.inputWidth + shift
                        if g.strideWidth == 1 {
                            (target + inside.lowerBound).update(from: source + inside.lowerBound, count: inside.count)
                        } else {
                            for ox in inside { target[ox] = source[ox * g.strideWidth] }
                        }
                        (target + inside.upperBound).update(repeating: 0, count: ow - inside.upperBound)
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col` for one sample: `dx` is overwritten with the sum of the column entries that read each
    /// element. Rows are added in order, so every element sums its taps in (ky, kx) order, as the reference gather.
    static func col2im(_ g: WindowGeometry, columns: UnsafePointer<Float>, sample dx: UnsafeMutablePointer<Float>) {
        let (oh, ow, plane) = (g.outputHeight, g.outputWidth, g.inputHeight * g.inputWidth)
        let rowLength = oh * ow
        dx.update(repeating: 0, count: g.inputChannels * plane)
        for c in 0..<g.inputChannels {
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let row = columns + ((c * g.kernelHeight + ky) * g.kernelWidth + kx) * rowLength
                    let inside = insideColumns(g, kx: kx), shift = kx * g.dilationWidth - g.paddingWidth
                    guard !inside.isEmpty else { continue }
                    for oy in 0..<oh {
                        let iy = oy * g.strideHeight - g.paddingHeight + ky * g.dilationHeight
                        guard iy >= 0, iy < g.inputHeight else { continue }
                        let source = row + oy * ow, target = dx + c * plane + iy * g.inputWidth + shift
                        if g.strideWidth == 1 {
                            for ox in inside { target[ox] += source[ox] }
                        } else {
                            for ox in inside { target[ox * g.strideWidth] += source[ox] }
                        }
                    }
                }
            }
        }
    }
}
