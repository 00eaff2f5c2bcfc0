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

    /// The phase columns `i < pitch` of phase `rx` that hold input columns: `0 ≤ i·sw + rx − pw < W`.
    @inline(__always)
    private func inputColumns(phase rx: Int) -> Range<Int> {
        let shift = rx - g.paddingWidth, sw = g.strideWidth
        let first = shift >= 0 ? 0 : (-shift + sw - 1) / sw
        let end = g.inputWidth - shift <= 0 ? 0 : min(pitch, (g.inputWidth - shift - 1) / sw + 1)
        return first..<max(first, end)
    }

    /// Fills `phases` (`size` elements) from input plane `x`, zero in the padding and beyond the input.
    func split(_ x: UnsafePointer<Float>, into phases: UnsafeMutablePointer<Float>) {
        let (sh, sw) = (g.strideHeight, g.strideWidth)
        for rx in 0..<sw {
            let columns = inputColumns(phase: rx), shift = rx - g.paddingWidth
            for ry in 0..<sh {
                let plane = phases + (ry * sw + rx) * planeSize
                for j in 0..<rows {
                    let iy = j * sh + ry - g.paddingHeight, target = plane + j * pitch
                    guard iy >= 0, iy < g.inputHeight, !columns.isEmpty else {
                        target.update(repeating: 0, count: pitch)
                        continue
                    }
                    target.update(repeating: 0, count: columns.lowerBound)
                    let source = x + iy * g.inputWidth + shift
                    if sw == 1 {
                        (target + columns.lowerBound).update(from: source + columns.lowerBound, count: columns.count)
                    } else {
                        for i in columns { target[i] = source[i * sw] }
                    }
                    (target + columns.upperBound).update(repeating: 0, count: pitch - columns.upperBound)
                }
                (plane + rows * pitch).update(repeating: 0, count: pitch)
            }
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
            if sw > 1 || inputColumns(phase: 0).count < g.inputWidth { target.update(repeating: 0, count: g.inputWidth) }
            for rx in 0..<sw {
                let columns = inputColumns(phase: rx)
                let source = phases + ((py % sh) * sw + rx) * planeSize + py / sh * pitch
                let row = target + rx - g.paddingWidth
                if sw == 1 {
                    (row + columns.lowerBound).update(from: source + columns.lowerBound, count: columns.count)
                } else {
                    for i in columns { row[i * sw] = source[i] }
                }
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
