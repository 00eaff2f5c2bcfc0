/// Winograd F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016) for 3×3, stride-1,
/// padding-1 convolutions: the output is cut into 2×2 tiles, each read from a 4×4 input tile `d`, and
/// `y = Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A`, so a tile costs 16 multiplies per (input, output) channel pair instead of 36.
/// The 16 element-wise products, summed over input channels, are 16 GEMMs over all tiles (`WinogradConvolution`).
///
/// Transformed tiles are stored element-major, `V[ξ][channel][column]` with `ξ = 4·r + k` the position in the 4×4
/// tile and `column = s·tiles + ty·tilesX + tx` for sample `s` of a chunk, so each GEMM reads contiguous rows. The
/// transforms run eight tiles of a tile row at a time (SIMD8 lanes over `tx`); a row's last block writes up to seven
/// columns past it, which the next row or sample overwrites, or which land in the `slack` at the end of each
/// channel's row of columns.
struct WinogradTiling {
    /// Height and width of the input and output planes (equal: stride 1, padding 1).
    let height: Int, width: Int
    /// Tiles per plane along each axis and in all; the last tile of an odd extent reaches past the plane.
    let tilesY: Int, tilesX: Int, tiles: Int
    /// Tiles per row rounded up to whole SIMD8 blocks.
    let blockedTilesX: Int
    /// Row pitch and row count of the zero-bordered plane the tiles are read from (its rows long enough for the
    /// last block's lanes).
    let pitch: Int, rows: Int
    /// Columns past the last tile of a chunk that a row of transformed tiles must have room for.
    static let slack = 8
    var plane: Int { height * width }
    /// Floats of a zero-bordered plane, with room for the reads of the last row's last block.
    var borderedSize: Int { rows * pitch + 16 }

    init(height: Int, width: Int) {
        (self.height, self.width) = (height, width)
        (tilesY, tilesX) = ((height + 1) / 2, (width + 1) / 2)
        tiles = tilesY * tilesX
        blockedTilesX = (tilesX + 7) / 8 * 8
        (pitch, rows) = (2 * blockedTilesX + 8, 2 * tilesY + 2)  // pitch: whole SIMD8 blocks
    }

    /// Copies a plane into `bordered` (`borderedSize` floats, zeroed once by the caller) at row and column
    /// `offset`; the border never changes, so refilling the interior is enough between planes.
    func fill(_ bordered: UnsafeMutablePointer<Float>, from plane: UnsafePointer<Float>, offset: Int) {
        for y in 0..<height { Self.copy(plane + y * width, to: bordered + (y + offset) * pitch + offset, count: width) }
    }

    /// Copies `count` floats eight at a time, inline: the rows here are too short for a `memmove` call to pay.
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            PointwiseKernels.store(PointwiseKernels.load(source + i), target + i)
            i += 8
        }
        while i < count {
            target[i] = source[i]
            i += 1
        }
    }
}

/// The four tile transforms of `WinogradTiling` and the two kernel transforms.
enum WinogradKernels {
    /// Input tiles `Bᵀ·d·B` of one sample's `channels` planes (`d` with padding 1) into `v[ξ][c][column…]` with
    /// row length `stride`. `scratch` holds `borderedSize + 4·pitch` floats, the first `borderedSize` zeroed.
    static func transformInput(_ x: UnsafePointer<Float>, channels: Int, _ t: WinogradTiling,
                               into v: UnsafeMutablePointer<Float>, stride: Int, column: Int,
                               scratch: UnsafeMutablePointer<Float>) {
        let bordered = scratch, r = scratch + t.borderedSize  // r: the four row combinations Bᵀ·d, one per pitch
        let elementStride = channels * stride
        for c in 0..<channels {
            t.fill(bordered, from: x + c * t.plane, offset: 1)
            for ty in 0..<t.tilesY {
                let d0 = bordered + 2 * ty * t.pitch, d1 = d0 + t.pitch, d2 = d1 + t.pitch, d3 = d2 + t.pitch
                for q in Swift.stride(from: 0, to: t.pitch, by: 8) {
                    let (p0, p1, p2, p3) = (load(d0 + q), load(d1 + q), load(d2 + q), load(d3 + q))
                    store(p0 - p2, r + q)
                    store(p1 + p2, r + t.pitch + q)
                    store(p2 - p1, r + 2 * t.pitch + q)
                    store(p1 - p3, r + 3 * t.pitch + q)
                }
                for row in 0..<4 {
                    let source = r + row * t.pitch
                    let target = v + 4 * row * elementStride + c * stride + column + ty * t.tilesX
                    for tx in Swift.stride(from: 0, to: t.tilesX, by: 8) {
                        let left = load16(source + 2 * tx), right = load16(source + 2 * tx + 2)
                        let (e0, e1, e2, e3) = (left.evenHalf, left.oddHalf, right.evenHalf, right.oddHalf)
                        store(e0 - e2, target + tx)
                        store(e1 + e2, target + elementStride + tx)
                        store(e2 - e1, target + 2 * elementStride + tx)
                        store(e1 - e3, target + 3 * elementStride + tx)
                    }
                }
            }
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
                WinogradTiling.copy(top, to: plane + 2 * ty * t.width, count: t.width)
                if 2 * ty + 1 < t.height { WinogradTiling.copy(bottom, to: plane + (2 * ty + 1) * t.width, count: t.width) }
            }
        }
    }

    /// Output-gradient tiles `A·dy·Aᵀ` (the adjoint of `transformOutput`; 2×2 tiles, zero past the plane) of one
    /// sample's `channels` planes into `z[ξ][o][column…]`. `scratch` holds `borderedSize` zeroed floats.
    static func transformGradient(_ dy: UnsafePointer<Float>, channels: Int, _ t: WinogradTiling,
                                  into z: UnsafeMutablePointer<Float>, stride: Int, column: Int,
                                  scratch bordered: UnsafeMutablePointer<Float>) {
        let elementStride = channels * stride
        for o in 0..<channels {
            t.fill(bordered, from: dy + o * t.plane, offset: 0)
            for ty in 0..<t.tilesY {
                let top = bordered + 2 * ty * t.pitch, bottom = top + t.pitch
                let target = z + o * stride + column + ty * t.tilesX
                for tx in Swift.stride(from: 0, to: t.tilesX, by: 8) {
                    @inline(__always) func store(_ r: Int, _ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>,
                                                 _ d: SIMD8<Float>) {
                        let base = target + 4 * r * elementStride + tx
                        WinogradKernels.store(a, base)
                        WinogradKernels.store(b, base + elementStride)
                        WinogradKernels.store(c, base + 2 * elementStride)
                        WinogradKernels.store(d, base + 3 * elementStride)
                    }
                    // A over the tile's columns (top row e, bottom row f), then over its rows.
                    let upper = load16(top + 2 * tx), lower = load16(bottom + 2 * tx)
                    let (y0, y1, y2, y3) = (upper.evenHalf, upper.oddHalf, lower.evenHalf, lower.oddHalf)
                    let (e0, e1, e2, e3) = (y0, y0 + y1, y0 - y1, -y1), (f0, f1, f2, f3) = (y2, y2 + y3, y2 - y3, -y3)
                    store(0, e0, e1, e2, e3)
                    store(1, e0 + f0, e1 + f1, e2 + f2, e3 + f3)
                    store(2, e0 - f0, e1 - f1, e2 - f2, e3 - f3)
                    store(3, -f0, -f1, -f2, -f3)
                }
            }
        }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { PointwiseKernels.load(p) }

    @inline(__always)
    private static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { PointwiseKernels.store(v, p) }

    @inline(__always)
    private static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

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
        @inline(__always) func gradientRow(_ d0: Float, _ d1: Float, _ d2: Float, _ d3: Float) -> (Float, Float, Float) {
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
