/// A zero-padded input plane of a sliding-window op, split by stride phase so that every kernel tap becomes one
/// contiguous run: phase plane `(ry, rx)` holds padded element `(j·sh + ry, i·sw + rx)` at `(j, i)`, with row pitch
/// `pitch`. Output `(oy, ox)` reads tap `(ky, kx)` at `offset(tap) + oy·pitch + ox` of plane `plane(tap)`, so one
/// tap over the whole output is a single loop over `outputSpan` elements (the output laid out with the same pitch;
/// the columns past `Wo` are scratch). Dilations are supported; the input must have one sample's plane.
struct PhasePlanes {
    let g: WindowGeometry
    /// Row pitch of the phase planes and of the output laid out to match.
    let pitch: Int
    /// Rows of each phase plane.
    let rows: Int
    /// Elements of one phase plane, with a row of slack for the scratch columns of the last output row.
    let planeSize: Int
    /// Elements of the output laid out with `pitch`: `Ho·pitch`.
    var outputSpan: Int { g.outputHeight * pitch }
    /// Elements of all phase planes together.
    var size: Int { g.strideHeight * g.strideWidth * planeSize }

    init(_ g: WindowGeometry) {
        self.g = g
        pitch = g.outputWidth + (g.kernelWidth - 1) * g.dilationWidth / g.strideWidth
        rows = g.outputHeight + (g.kernelHeight - 1) * g.dilationHeight / g.strideHeight
        planeSize = (rows + 1) * pitch
    }

    /// Where tap `(ky, kx)` starts in the phase buffer.
    @inline(__always)
    func tapStart(_ ky: Int, _ kx: Int) -> Int {
        let (y, x) = (ky * g.dilationHeight, kx * g.dilationWidth)
        return ((y % g.strideHeight) * g.strideWidth + x % g.strideWidth) * planeSize
            + y / g.strideHeight * pitch + x / g.strideWidth
    }

    /// Fills `phases` (`size` elements) from input plane `x`, zero in the padding and beyond the input.
    func split(_ x: UnsafePointer<Float>, into phases: UnsafeMutablePointer<Float>) {
        let (sh, sw) = (g.strideHeight, g.strideWidth)
        for ry in 0..<sh {
            for j in 0..<rows {
                let iy = j * sh + ry - g.paddingHeight
                for rx in 0..<sw {
                    let target = phases + (ry * sw + rx) * planeSize + j * pitch
                    guard iy >= 0, iy < g.inputHeight else {
                        target.update(repeating: 0, count: pitch)
                        continue
                    }
                    let source = x + iy * g.inputWidth
                    for i in 0..<pitch {
                        let ix = i * sw + rx - g.paddingWidth
                        target[i] = ix >= 0 && ix < g.inputWidth ? source[ix] : 0
                    }
                }
            }
            for rx in 0..<sw { (phases + (ry * sw + rx) * planeSize + rows * pitch).update(repeating: 0, count: pitch) }
        }
    }

    /// The adjoint of `split`: input plane `dx` takes each element's value from `phases` (0 where no window reads).
    func merge(_ phases: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        let (sh, sw) = (g.strideHeight, g.strideWidth)
        for iy in 0..<g.inputHeight {
            let py = iy + g.paddingHeight, target = dx + iy * g.inputWidth
            guard py / sh < rows else {
                target.update(repeating: 0, count: g.inputWidth)
                continue
            }
            for ix in 0..<g.inputWidth {
                let px = ix + g.paddingWidth
                target[ix] = px / sw < pitch
                    ? phases[((py % sh) * sw + px % sw) * planeSize + py / sh * pitch + px / sw] : 0
            }
        }
    }

    /// Lays output plane `y` (`Ho × Wo`) out with `pitch` in `laid` (`outputSpan` elements), zero in the scratch
    /// columns.
    func layOut(_ y: UnsafePointer<Float>, into laid: UnsafeMutablePointer<Float>) {
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        for oy in 0..<oh {
            (laid + oy * pitch).update(from: y + oy * ow, count: ow)
            (laid + oy * pitch + ow).update(repeating: 0, count: pitch - ow)
        }
    }
}
