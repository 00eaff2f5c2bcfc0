import CondenseCore

/// Zero-padded input planes of a sliding-window op, split by stride phase so that every kernel tap becomes one
/// contiguous run: phase plane `(ry, rx)` holds padded element `(j·sh + ry, i·sw + rx)` at `(j, i)`, with row pitch
/// `pitch`. Output `(oy, ox)` reads tap `(ky, kx)` at `offset(tap) + oy·pitch + ox` of plane `plane(tap)`, so one
/// tap over the whole output is a single loop (the output laid out with the same pitch; the columns past `Wo` are
/// scratch). Dilations are supported.
///
/// Small planes are stacked: each phase plane holds `stack` blocks of `blockRows` rows, block `b` from the `b`-th
/// input plane of a run (one channel of consecutive samples), so one loop covers the whole run and the per-plane
/// work is paid once per run. Padding is shared: a row's reads past its end land on the next row's left padding
/// (so `pitch` can be shorter than the `reach` of a row of windows), and a block's reads past its last row land on
/// the next block's top padding (so `blockRows` can be fewer than the `rows` a column of windows reads). Every read
/// meant for the padding lands on a zero, so one loop over the flat buffer computes every window of every block.
///
/// `split` and `layOut` write only the positions that hold data: the padding and scratch positions of their targets
/// must be zero when a scratch buffer is first used, and stay zero while it is refilled with planes of one geometry.
struct PhasePlanes {
    let g: WindowGeometry
    /// Output extents, kept here because `WindowGeometry` computes them on each read.
    let outputHeight: Int, outputWidth: Int
    /// Row pitch of the phase planes and of the output laid out to match.
    let pitch: Int
    /// Phase-plane rows that the windows of one plane read.
    let rows: Int
    /// Rows from one block to the next.
    let blockRows: Int
    /// Planes stacked in each phase plane: as many as make about `stackedElements` elements, at most the batch.
    let stack: Int
    /// Elements of one phase plane, with a row of slack for the scratch columns of the last output row.
    let planeSize: Int
    /// Where each tap `ky·kw + kx` starts in the phase buffer.
    let tapStarts: [Int]
    /// The phase columns of each column phase `rx` that hold input columns: `0 ≤ i·sw + rx − pw < W`.
    let inputColumns: [Range<Int>]
    /// Whether some window reads every input column (else `merge` zeroes the columns no window reads).
    let readsEveryColumn: Bool
    /// Elements of one block: `blockRows·pitch`.
    var blockSize: Int { blockRows * pitch }
    /// Elements of all phase planes together.
    var size: Int { g.strideHeight * g.strideWidth * planeSize }

    /// Elements per stack that amortize the per-run work (a few kilobytes: the scratch stays in the L1 cache).
    static let stackedElements = 1024

    init(_ g: WindowGeometry) {
        self.g = g
        (outputHeight, outputWidth) = (g.outputHeight, g.outputWidth)
        let rows = outputHeight + (g.kernelHeight - 1) * g.dilationHeight / g.strideHeight
        self.rows = rows
        let reach = outputWidth + (g.kernelWidth - 1) * g.dilationWidth / g.strideWidth
        let columns = (0..<g.strideWidth).map { Self.inputColumns(g, pitch: reach, phase: $0) }.filter { !$0.isEmpty }
        let dataRows = (0..<g.strideHeight).map {
            Self.dataIndices(size: g.inputHeight, padding: g.paddingHeight, stride: g.strideHeight, phase: $0,
                             limit: rows)
        }.filter { !$0.isEmpty }
        pitch = Self.shared(extent: reach, data: columns, atLeast: outputWidth)
        blockRows = Self.shared(extent: rows, data: dataRows, atLeast: outputHeight)
        stack = max(1, min(g.batch, Self.stackedElements / max(1, blockRows * pitch)))
        let (pitch, planeSize) = (pitch, ((stack - 1) * blockRows + rows + 1) * pitch)
        self.planeSize = planeSize
        inputColumns = (0..<g.strideWidth).map { Self.inputColumns(g, pitch: pitch, phase: $0) }
        readsEveryColumn = inputColumns.reduce(0) { $0 + $1.count } == g.inputWidth
        tapStarts = (0..<g.kernelHeight * g.kernelWidth).map { tap in
            let (y, x) = (tap / g.kernelWidth * g.dilationHeight, tap % g.kernelWidth * g.dilationWidth)
            return ((y % g.strideHeight) * g.strideWidth + x % g.strideWidth) * planeSize
                + y / g.strideHeight * pitch + x / g.strideWidth
        }
    }

    /// The shortest stride between consecutive rows (or blocks) whose `extent` positions of reads (from position
    /// 0) hold data at `data` of each phase: it must keep the data (and `atLeast` outputs) apart, and reads past it
    /// may only reach the next one's leading padding.
    private static func shared(extent: Int, data: [Range<Int>], atLeast minimum: Int) -> Int {
        guard let end = data.map(\.upperBound).max(), let padding = data.map(\.lowerBound).min() else { return extent }
        return max(minimum, end, extent - padding)
    }

    /// The phase indices `i < limit` of phase `r` that hold input positions: `0 ≤ i·stride + r − padding < size`.
    private static func dataIndices(size: Int, padding: Int, stride: Int, phase r: Int, limit: Int) -> Range<Int> {
        let shift = r - padding
        let first = shift >= 0 ? 0 : (-shift + stride - 1) / stride
        let end = size - shift <= 0 ? 0 : min(limit, (size - shift - 1) / stride + 1)
        return first..<max(first, end)
    }

    /// The phase columns `i < pitch` of column phase `rx` that hold input columns.
    private static func inputColumns(_ g: WindowGeometry, pitch: Int, phase rx: Int) -> Range<Int> {
        dataIndices(size: g.inputWidth, padding: g.paddingWidth, stride: g.strideWidth, phase: rx, limit: pitch)
    }

    /// Elements from the first block's first output row to the end of the last output row of `blocks` blocks.
    func outputSpan(blocks: Int) -> Int { ((blocks - 1) * blockRows + outputHeight) * pitch }

    /// Copies input plane `x` into the data positions of block `block` of `phases` (`size` elements; see the
    /// type's note on zeros).
    func split(_ x: UnsafePointer<Float>, block: Int, into phases: UnsafeMutablePointer<Float>) {
        let (sh, sw) = (g.strideHeight, g.strideWidth)
        for rx in 0..<sw {
            let columns = inputColumns[rx], shift = rx - g.paddingWidth
            guard !columns.isEmpty else { continue }
            for ry in 0..<sh {
                let plane = phases + (ry * sw + rx) * planeSize + block * blockSize
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

    /// The adjoint of `split`: input plane `dx` takes each element's value from block `block` of `phases` (0 where
    /// no window reads).
    func merge(_ phases: UnsafePointer<Float>, block: Int, into dx: UnsafeMutablePointer<Float>) {
        let (sh, sw) = (g.strideHeight, g.strideWidth)
        for iy in 0..<g.inputHeight {
            let py = iy + g.paddingHeight, target = dx + iy * g.inputWidth
            guard py / sh < rows else {
                target.update(repeating: 0, count: g.inputWidth)
                continue
            }
            if !readsEveryColumn { target.update(repeating: 0, count: g.inputWidth) }
            let source = phases + (py % sh) * sw * planeSize + block * blockSize + py / sh * pitch
            if sw == 2 {
                mergeInterleaved(source, source + planeSize, into: target - g.paddingWidth)
                continue
            }
            for rx in 0..<sw {
                let columns = inputColumns[rx], phase = source + rx * planeSize, row = target + rx - g.paddingWidth
                if sw == 1 {
                    PointwiseKernels.copy(phase + columns.lowerBound, row + columns.lowerBound, count: columns.count)
                } else {
                    for i in columns { row[i * sw] = phase[i] }
                }
            }
        }
    }

    /// One row of `merge` for column stride 2: `row[2i] = even[i]` and `row[2i + 1] = odd[i]` over each phase's
    /// input columns, both phases in one loop where they overlap (unchecked arithmetic, which LLVM vectorizes).
    @inline(__always)
    private func mergeInterleaved(_ even: UnsafePointer<Float>, _ odd: UnsafePointer<Float>,
                                  into row: UnsafeMutablePointer<Float>) {
        let (evens, odds) = (inputColumns[0], inputColumns[1])
        let start = max(evens.lowerBound, odds.lowerBound)
        let both = start..<max(start, min(evens.upperBound, odds.upperBound))
        var i = both.lowerBound
        while i < both.upperBound {
            row[2 &* i] = even[i]
            row[2 &* i &+ 1] = odd[i]
            i &+= 1
        }
        for j in evens where !both.contains(j) { row[2 * j] = even[j] }
        for j in odds where !both.contains(j) { row[2 * j + 1] = odd[j] }
    }

    /// Copies output plane `y` (`Ho × Wo`) into the first `Wo` columns of the first `Ho` rows of block `block` of
    /// `laid` (see the type's note on zeros).
    func layOut(_ y: UnsafePointer<Float>, block: Int, into laid: UnsafeMutablePointer<Float>) {
        for oy in 0..<outputHeight {
            PointwiseKernels.copy(y + oy * outputWidth, laid + block * blockSize + oy * pitch, count: outputWidth)
        }
    }

    /// The inverse of `layOut`: output plane `y` from block `block` of `laid`.
    func copyOut(_ laid: UnsafePointer<Float>, block: Int, into y: UnsafeMutablePointer<Float>) {
        for oy in 0..<outputHeight {
            PointwiseKernels.copy(laid + block * blockSize + oy * pitch, y + oy * outputWidth, count: outputWidth)
        }
    }
}
