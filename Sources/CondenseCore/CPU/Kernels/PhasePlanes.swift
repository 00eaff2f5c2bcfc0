/// A zero-padded input plane of a sliding-window op, split by stride phase so that every kernel tap becomes one
/// contiguous run: phase plane `(ry, rx)` holds padded element `(j·sh + ry, i·sw + rx)` at `(j, i)`, with row pitch
/// `pitch`. Output `(oy, ox)` reads tap `(ky, kx)` at `offset(tap) + oy·pitch + ox` of plane `plane(tap)`, so one
/// tap over the whole output is a single loop over `outputSpan` elements (the output laid out with the same pitch;
/// the columns past `Wo` are scratch). Dilations are supported; the input must have one sample's plane.
///
/// `split` and `layOut` write only the positions that hold data: the padding and scratch columns of their targets
/// must be zero when a scratch buffer is first used, and stay zero while it is refilled with planes of one geometry.
struct PhasePlanes {
    let g: WindowGeometry
    /// Output extents, kept here because `WindowGeometry` computes them on each read.
    let outputHeight: Int, outputWidth: Int
    /// Row pitch of the phase planes and of the output laid out to match.
    let pitch: Int
    /// Rows of each phase plane.
    let rows: Int
    /// Elements of one phase plane, with a row of slack for the scratch columns of the last output row.
    let planeSize: Int
    /// Where each tap `ky·kw + kx` starts in the phase buffer (`tapStart`).
    let tapStarts: [Int]
    /// Elements of the output laid out with `pitch`: `Ho·pitch`.
    var outputSpan: Int { outputHeight * pitch }
    /// Elements of all phase planes together.
    var size: Int { g.strideHeight * g.strideWidth * planeSize }

    init(_ g: WindowGeometry) {
        self.g = g
        (outputHeight, outputWidth) = (g.outputHeight, g.outputWidth)
        pitch = outputWidth + (g.kernelWidth - 1) * g.dilationWidth / g.strideWidth
        rows = outputHeight + (g.kernelHeight - 1) * g.dilationHeight / g.strideHeight
        let (pitch, planeSize) = (pitch, (rows + 1) * pitch)
        self.planeSize = planeSize
        tapStarts = (0..<g.kernelHeight * g.kernelWidth).map { tap in
            let (y, x) = (tap / g.kernelWidth * g.dilationHeight, tap % g.kernelWidth * g.dilationWidth)
            return ((y % g.strideHeight) * g.strideWidth + x % g.strideWidth) * planeSize
                + y / g.strideHeight * pitch + x / g.strideWidth
        }
    }

    /// The phase columns `i < pitch` of phase `rx` that hold input columns: `0 ≤ i·sw + rx − pw < W`.
    @inline(__always)
    private func inputColumns(phase rx: Int) -> Range<Int> {
        let shift = rx - g.paddingWidth, sw = g.strideWidth
        let first = shift >= 0 ? 0 : (-shift + sw - 1) / sw
        let end = g.inputWidth - shift <= 0 ? 0 : min(pitch, (g.inputWidth - shift - 1) / sw + 1)
        return first..<max(first, end)
    }

    /// Copies input plane `x` into the data positions of `phases` (`size` elements; see the type's note on zeros).
    func split(_ x: UnsafePointer<Float>, into phases: UnsafeMutablePointer<Float>) {
        let (sh, sw) = (g.strideHeight, g.strideWidth)
        for rx in 0..<sw {
            let columns = inputColumns(phase: rx), shift = rx - g.paddingWidth
            guard !columns.isEmpty else { continue }
            for ry in 0..<sh {
                let plane = phases + (ry * sw + rx) * planeSize
                for j in 0..<rows {
                    let iy = j * sh + ry - g.paddingHeight
                    guard iy >= 0, iy < g.inputHeight else { continue }
                    let source = x + iy * g.inputWidth + shift, target = plane + j * pitch
                    switch sw {
                    case 1:
                        PointwiseKernels.copy(source + columns.lowerBound, target + columns.lowerBound,
                                              count: columns.count)
                    case 2:  // a constant stride without overflow checks, which LLVM vectorizes
                        var i = columns.lowerBound
                        while i < columns.upperBound {
                            target[i] = source[2 &* i]
                            i &+= 1
                        }
                    default: for i in columns { target[i] = source[i * sw] }
                    }
                }
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
            if (0..<sw).reduce(0, { $0 + inputColumns(phase: $1).count }) < g.inputWidth {
                for i in 0..<g.inputWidth { target[i] = 0 }
            }
            for rx in 0..<sw {
                let columns = inputColumns(phase: rx)
                let source = phases + ((py % sh) * sw + rx) * planeSize + py / sh * pitch
                let row = target + rx - g.paddingWidth
                switch sw {
                case 1: PointwiseKernels.copy(source + columns.lowerBound, row + columns.lowerBound, count: columns.count)
                case 2: for i in columns { row[2 * i] = source[i] }
                default: for i in columns { row[i * sw] = source[i] }
                }
            }
        }
    }

    /// Copies output plane `y` (`Ho × Wo`) into the first `Wo` columns of each `pitch`-long row of `laid`
    /// (`outputSpan` elements; see the type's note on zeros).
    func layOut(_ y: UnsafePointer<Float>, into laid: UnsafeMutablePointer<Float>) {
        for oy in 0..<outputHeight {
            PointwiseKernels.copy(y + oy * outputWidth, laid + oy * pitch, count: outputWidth)
        }
    }
}
