/// Winograd F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016) for 3×3,
/// stride-1, padding-1 convolutions: the output is cut into 2×2 tiles, each read from a 4×4 input tile `d`, and
/// `y = Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A`: 16 multiplies per tile and (input, output) channel pair, not 36.
/// The 16 element-wise products, summed over input channels, are 16 GEMMs over all tiles (`WinogradConvolution`).
///
/// Transformed tiles are stored element-major, `V[ξ][channel][column]` with `ξ = 4·r + k` the position in the 4×4
/// tile and `column = s·tiles + ty·tilesX + tx` for sample `s` of a chunk, so each GEMM reads contiguous rows. The
/// transforms run eight tiles of a tile row at a time (SIMD8 lanes over `tx`), reading planes split into their even
/// and odd columns so that every tile column is a contiguous run; a row's last block writes up to seven columns past
/// it, which the next row or sample overwrites, or which land in the `slack` at the end of each channel's columns.
struct WinogradTiling {
    /// Height and width of the input and output planes (equal: stride 1, padding 1).
    let height: Int, width: Int
    /// Tiles per plane along each axis and in all; the last tile of an odd extent reaches past the plane.
    let tilesY: Int, tilesX: Int, tiles: Int
    /// Tiles per row rounded up to whole SIMD8 blocks.
    let blockedTilesX: Int
    /// Row pitch and row count of a zero-bordered half plane (the even or the odd columns), long enough for the
    /// last block's lanes.
    let halfPitch: Int, rows: Int
    /// Columns past the last tile of a chunk that a row of transformed tiles must have room for.
    static let slack = 8
    var plane: Int { height * width }
    /// Floats of a plane split by `split`: its even half, then its odd half.
    var splitSize: Int { 2 * rows * halfPitch }

    init(height: Int, width: Int) {
        (self.height, self.width) = (height, width)
        (tilesY, tilesX) = ((height + 1) / 2, (width + 1) / 2)
        tiles = tilesY * tilesX
        blockedTilesX = (tilesX + 7) / 8 * 8
        (halfPitch, rows) = (blockedTilesX + 8, 2 * tilesY + 2)
    }

    /// Copies a plane, zero-bordered by `offset` rows and columns on top and left, into `split` (`splitSize` floats,
    /// zeroed once by the caller): bordered column `2i` to row position `i` of the even half, `2i + 1` of the odd
    /// half. The border never changes, so refilling the interior is enough between planes. Eight column pairs at a
    /// time where sixteen floats can be read without leaving the plane, lanes past the row written as zeros.
    func split(_ plane: UnsafePointer<Float>, into split: UnsafeMutablePointer<Float>, offset: Int) {
        let even = split, odd = split + rows * halfPitch
        let (firstCount, secondCount) = ((width + 1) / 2, width / 2), lanes = SIMD8<Float>(0, 1, 2, 3, 4, 5, 6, 7)
        for y in 0..<height {
            let source = plane + y * width, row = (y + offset) * halfPitch, readable = (height - y) * width
            // Input columns 2i and 2i + 1 land in bordered columns 2i + offset and 2i + 1 + offset.
            let (first, second) = offset == 0 ? (even + row, odd + row) : (odd + row, even + row + 1)
            var i = 0
            while i < firstCount, 2 &* i &+ 16 <= readable {
                let pair = UnsafeRawPointer(source + 2 &* i).loadUnaligned(as: SIMD16<Float>.self)
                let (evens, odds) = (pair.evenHalf, pair.oddHalf)
                PointwiseKernels.store(evens.replacing(with: 0, where: lanes .>= Float(firstCount &- i)), first + i)
                PointwiseKernels.store(odds.replacing(with: 0, where: lanes .>= Float(secondCount &- i)), second + i)
                i &+= 8
            }
            for j in min(i, firstCount)..<firstCount { first[j] = source[2 &* j] }
            for j in min(i, secondCount)..<secondCount { second[j] = source[2 &* j &+ 1] }
        }
    }
}

/// The four tile transforms of `WinogradTiling` and the two kernel transforms.
enum WinogradKernels {
    /// Input tiles `Bᵀ·d·B` of one sample's `channels` planes (`d` with padding 1) into `v[ξ][c][column…]` with
    /// row length `stride`. `scratch` holds `splitSize` floats, zeroed.
    static func transformInput(_ x: UnsafePointer<Float>, channels: Int, _ t: WinogradTiling,
                               into v: UnsafeMutablePointer<Float>, stride: Int, column: Int,
                               scratch: UnsafeMutablePointer<Float>) {
        let elementStride = channels * stride
        forEachBlock(x, channels: channels, t, padding: 1, into: v, stride: stride, column: column,
                     scratch: scratch) { even, odd, target in
            // Bᵀ over each of the tile's four rows (its columns 0–3 are even, odd, even + 1, odd + 1) …
            @inline(__always) func row(_ i: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
                let offset = i * t.halfPitch
                let (d0, d1, d2, d3) = (load(even + offset), load(odd + offset), load(even + offset + 1),
                                        load(odd + offset + 1))
                return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
            }
            // … then over the rows.
            let (h0, h1, h2, h3) = (row(0), row(1), row(2), row(3))
            @inline(__always) func store(_ element: Int, _ value: SIMD8<Float>) {
                WinogradKernels.store(value, target + element * elementStride)
            }
            store(0, h0.0 - h2.0); store(1, h0.1 - h2.1); store(2, h0.2 - h2.2); store(3, h0.3 - h2.3)
            store(4, h1.0 + h2.0); store(5, h1.1 + h2.1); store(6, h1.2 + h2.2); store(7, h1.3 + h2.3)
            store(8, h2.0 - h1.0); store(9, h2.1 - h1.1); store(10, h2.2 - h1.2); store(11, h2.3 - h1.3)
            store(12, h1.0 - h3.0); store(13, h1.1 - h3.1); store(14, h1.2 - h3.2); store(15, h1.3 - h3.3)
        }
    }

    /// Output tiles `Aᵀ·m·A` of one sample from `m[ξ][o][column…]` (row length `stride`) into its `channels`
    /// planes, plus `bias[o]`; the parts of edge tiles past the plane are dropped. `scratch` holds `4·blockedTilesX`
    /// floats.
    static func transformOutput(_ m: UnsafePointer<Float>, channels: Int, _ t: WinogradTiling, stride: Int,
                                column: Int, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>,
                                scratch: UnsafeMutablePointer<Float>) {
        let elementStride = channels * stride, top = scratch, bottom = scratch + 2 * t.blockedTilesX
        for o in 0..<channels {
            let b = SIMD8<Float>(repeating: bias?[o] ?? 0)
            for ty in 0..<t.tilesY {
                let s = m + o * stride + column + ty * t.tilesX
                for tx in Swift.stride(from: 0, to: t.tilesX, by: 8) {
                    @inline(__always) func at(_ element: Int) -> SIMD8<Float> { load(s + element * elementStride + tx) }
                    // Aᵀ over the tile's rows (a: top, b: bottom), then over its columns.
                    let (a0, a1, a2, a3) = (at(0) + at(4) + at(8), at(1) + at(5) + at(9), at(2) + at(6) + at(10),
                                            at(3) + at(7) + at(11))
                    let (b0, b1, b2, b3) = (at(4) - at(8) - at(12), at(5) - at(9) - at(13), at(6) - at(10) - at(14),
                                            at(7) - at(11) - at(15))
                    storeInterleaved(a0 + a1 + a2 + b, a1 - a2 - a3 + b, top + 2 * tx)
                    storeInterleaved(b0 + b1 + b2 + b, b1 - b2 - b3 + b, bottom + 2 * tx)
                }
                let plane = y + o * t.plane
                copy(top, to: plane + 2 * ty * t.width, count: t.width)
                if 2 * ty + 1 < t.height { copy(bottom, to: plane + (2 * ty + 1) * t.width, count: t.width) }
            }
        }
    }

    /// Output-gradient tiles `A·dy·Aᵀ` (the adjoint of `transformOutput`; 2×2 tiles, zero past the plane) of one
    /// sample's `channels` planes into `z[ξ][o][column…]`. `scratch` holds `splitSize` floats, zeroed.
    static func transformGradient(_ dy: UnsafePointer<Float>, channels: Int, _ t: WinogradTiling,
                                  into z: UnsafeMutablePointer<Float>, stride: Int, column: Int,
                                  scratch: UnsafeMutablePointer<Float>) {
        let elementStride = channels * stride
        forEachBlock(dy, channels: channels, t, padding: 0, into: z, stride: stride, column: column,
                     scratch: scratch) { even, odd, target in
            @inline(__always) func store(_ r: Int, _ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>,
                                         _ d: SIMD8<Float>) {
                let base = target + 4 * r * elementStride
                WinogradKernels.store(a, base)
                WinogradKernels.store(b, base + elementStride)
                WinogradKernels.store(c, base + 2 * elementStride)
                WinogradKernels.store(d, base + 3 * elementStride)
            }
            // A over the tile's columns (top row e, bottom row f), then over its rows.
            let (y0, y1, y2, y3) = (load(even), load(odd), load(even + t.halfPitch), load(odd + t.halfPitch))
            let (e0, e1, e2, e3) = (y0, y0 + y1, y0 - y1, -y1), (f0, f1, f2, f3) = (y2, y2 + y3, y2 - y3, -y3)
            store(0, e0, e1, e2, e3)
            store(1, e0 + f0, e1 + f1, e2 + f2, e3 + f3)
            store(2, e0 - f0, e1 - f1, e2 - f2, e3 - f3)
            store(3, -f0, -f1, -f2, -f3)
        }
    }

    /// Splits each of one sample's `channels` planes (bordered by `padding`) into `scratch` and runs
    /// `body(even, odd, target)` for every block of eight tiles: `even` and `odd` point at the block's first tile
    /// in the top row of the split halves, `target` at its column in channel row `t[0][c]` (row length `stride`).
    @inline(__always)
    private static func forEachBlock(_ planes: UnsafePointer<Float>, channels: Int, _ t: WinogradTiling, padding: Int,
                                     into t0: UnsafeMutablePointer<Float>, stride: Int, column: Int,
                                     scratch: UnsafeMutablePointer<Float>,
                                     _ body: (UnsafePointer<Float>, UnsafePointer<Float>,
                                              UnsafeMutablePointer<Float>) -> Void) {
        let even = scratch, odd = scratch + t.rows * t.halfPitch
        for c in 0..<channels {
            t.split(planes + c * t.plane, into: scratch, offset: padding)
            for ty in 0..<t.tilesY {
                let row = 2 * ty * t.halfPitch, target = t0 + c * stride + column + ty * t.tilesX
                for tx in Swift.stride(from: 0, to: t.tilesX, by: 8) {
                    body(even + row + tx, odd + row + tx, target + tx)
                }
            }
        }
    }

    /// Copies `count` floats eight at a time, inline: the rows here are too short for a `memmove` call to pay.
    @inline(__always)
    private static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            store(load(source + i), target + i)
            i += 8
        }
        while i < count {
            target[i] = source[i]
            i += 1
        }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { PointwiseKernels.load(p) }

    @inline(__always)
    private static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { PointwiseKernels.store(v, p) }

    /// Stores `even` and `odd` alternately: `p[2i] = even[i]`, `p[2i + 1] = odd[i]`.
    @inline(__always)
    private static func storeInterleaved(_ even: SIMD8<Float>, _ odd: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        var pair = SIMD16<Float>()
        (pair.evenHalf, pair.oddHalf) = (even, odd)
        UnsafeMutableRawPointer(p).storeBytes(of: pair, as: SIMD16<Float>.self)
    }

    /// Kernel tiles `G·g·Gᵀ` of `[O, C, 3, 3]` weights into `u[ξ][o][c]`; with `flipped`, the kernels of the input
    /// gradient instead (`u[ξ][c][o]` from `g` rotated by 180°), a 3×3 convolution of the output gradient.
    static func transformWeights(_ w: UnsafePointer<Float>, outputChannels: Int, inputChannels: Int, flipped: Bool,
                                 into u: UnsafeMutablePointer<Float>) {
        let pairs = outputChannels * inputChannels
        @inline(__always) func kernelRow(_ g0: Float, _ g1: Float, _ g2: Float) -> (Float, Float, Float, Float) {
            (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2)
        }
        for o in 0..<outputChannels {
            for c in 0..<inputChannels {
                let g = w + (o * inputChannels + c) * 9
                @inline(__always) func tap(_ i: Int) -> Float { g[flipped ? 8 - i : i] }
                let target = u + (flipped ? c * outputChannels + o : o * inputChannels + c)
                @inline(__always) func store(_ r: Int, _ row: (Float, Float, Float, Float)) {
                    let base = target + 4 * r * pairs
                    (base[0], base[pairs], base[2 * pairs], base[3 * pairs]) = row
                }
                // G over the kernel's columns, then over the rows of the result.
                let c0 = kernelRow(tap(0), tap(3), tap(6)), c1 = kernelRow(tap(1), tap(4), tap(7))
                let c2 = kernelRow(tap(2), tap(5), tap(8))
                store(0, kernelRow(c0.0, c1.0, c2.0))
                store(1, kernelRow(c0.1, c1.1, c2.1))
                store(2, kernelRow(c0.2, c1.2, c2.2))
                store(3, kernelRow(c0.3, c1.3, c2.3))
            }
        }
    }

    /// The weight gradient `Gᵀ·D·G` (the adjoint of `transformWeights`) of the summed products `d[ξ][o][c]` into
    /// `[O, C, 3, 3]`.
    static func weightGradient(_ d: UnsafePointer<Float>, outputChannels: Int, inputChannels: Int,
                               into dw: UnsafeMutablePointer<Float>) {
        let pairs = outputChannels * inputChannels
        @inline(__always)
        func gradientRow(_ d0: Float, _ d1: Float, _ d2: Float, _ d3: Float) -> (Float, Float, Float) {
            (d0 + (d1 + d2) / 2, (d1 - d2) / 2, (d1 + d2) / 2 + d3)
        }
        for pair in 0..<pairs {
            @inline(__always) func column(_ k: Int) -> (Float, Float, Float) {
                gradientRow(d[k * pairs + pair], d[(4 + k) * pairs + pair], d[(8 + k) * pairs + pair],
                            d[(12 + k) * pairs + pair])
            }
            // Gᵀ over the tile's columns, then over the rows of the result.
            let (c0, c1, c2, c3) = (column(0), column(1), column(2), column(3))
            let target = dw + pair * 9
            (target[0], target[1], target[2]) = gradientRow(c0.0, c1.0, c2.0, c3.0)
            (target[3], target[4], target[5]) = gradientRow(c0.1, c1.1, c2.1, c3.1)
            (target[6], target[7], target[8]) = gradientRow(c0.2, c1.2, c2.2, c3.2)
        }
    }
}
